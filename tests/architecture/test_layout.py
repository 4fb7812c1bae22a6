"""The shape of the code: imports run one way, and modules and functions stay small.

The import graph is built from the source with ``ast`` (imports inside functions count),
so a lazy import can't hide a cycle or a call up the layers.
"""

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
# Our packages, lowest first: a package may import only itself and those before it.
APP_RANKS = {"core": 0, "accounts": 1, "rules": 2, "webhooks": 3, "provisioning": 4, "config": 5}
BASE, SELECTORS, SERVICES, ENTRY = range(4)
LAYER_NAMES = {BASE: "base", SELECTORS: "selectors", SERVICES: "services", ENTRY: "entry point"}
# An app's modules and packages that are entry points: they parse, call a service, render.
# ``apps`` and ``signals`` wire the app into Django; ``authentication`` reads a request.
ENTRY_NAMES = {"api", "admin", "portal", "management", "tasks", "urls", "views", "templatetags"}
ENTRY_NAMES |= {"apps", "signals", "authentication"}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 50


@dataclass(frozen=True)
class Module:
    name: str
    path: Path

    @property
    def app(self) -> str:
        return self.name.partition(".")[0]

    @property
    def layer(self) -> int:
        top = self.name.split(".")[1:2]
        if self.app == "config" or ENTRY_NAMES.intersection(top):
            return ENTRY
        if top in (["services"], ["sdk"]):
            return SERVICES
        if top == ["selectors"]:
            return SELECTORS
        return BASE


def _modules() -> dict[str, Module]:
    modules = {}
    for app in APP_RANKS:
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            relative = path.relative_to(BASE_DIR)
            if "migrations" in relative.parts:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            name = ".".join(parts)
            modules[name] = Module(name, path)
    return modules


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """Return the module of ours that ``name`` (a module or a name in one) refers to."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported_names(module: Module) -> set[str]:
    tree = ast.parse(module.path.read_text(), filename=str(module.path))
    package = module.name if module.path.name == "__init__.py" else module.name.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def _import_graph() -> dict[str, set[str]]:
    graph = defaultdict(set)
    for module in MODULES.values():
        for name in _imported_names(module):
            target = _resolve(name)
            # A package's own __init__ re-exporting its modules is not an import upwards.
            if target and target != module.name and not module.name.startswith(target + "."):
                graph[module.name].add(target)
    return graph


GRAPH = _import_graph()


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(set(graph).union(*graph.values())):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_our_packages_and_lazy_imports():
    """Guard the checker itself: it must find modules and the imports inside functions."""
    assert {module.app for module in MODULES.values()} == set(APP_RANKS)
    assert len(MODULES) > 100
    assert sum(len(targets) for targets in GRAPH.values()) > 300
    lazy = ast.parse("def f():\n    from accounts.models import App\n")
    fake = Module("core.fake", BASE_DIR / "core" / "fake.py")
    assert fake.layer == BASE
    names = {n.module for n in ast.walk(lazy) if isinstance(n, ast.ImportFrom)}
    assert names == {"accounts.models"}


def test_layers_are_assigned_by_path():
    assert Module("provisioning.services.actions", Path()).layer == SERVICES
    assert Module("provisioning.sdk.render", Path()).layer == SERVICES
    assert Module("rules.selectors", Path()).layer == SELECTORS
    assert Module("provisioning.api.views.sdk", Path()).layer == ENTRY
    assert Module("provisioning.tasks", Path()).layer == ENTRY
    assert Module("config.settings", Path()).layer == ENTRY
    assert Module("provisioning.querysets", Path()).layer == BASE
    assert Module("accounts.services.apps", Path()).layer == SERVICES
    assert Module("accounts.apps", Path()).layer == ENTRY


def test_no_import_cycles():
    assert _cycles(GRAPH) == []


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _violations() -> list[str]:
    found = []
    for source, targets in sorted(GRAPH.items()):
        importer = MODULES[source]
        for target in sorted(targets):
            imported = MODULES[target]
            if APP_RANKS[imported.app] > APP_RANKS[importer.app]:
                found.append(f"{source} imports {target}: app {imported.app} is above")
            elif imported.layer > importer.layer:
                found.append(
                    f"{source} ({LAYER_NAMES[importer.layer]}) imports {target} "
                    f"({LAYER_NAMES[imported.layer]})"
                )
    return found


def test_imports_point_down_the_apps_and_layers():
    assert _violations() == []


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_modules_and_functions_stay_small(module):
    path = MODULES[module].path
    source = path.read_text()
    assert source.count("\n") <= MAX_MODULE_LINES, f"{module} has over {MAX_MODULE_LINES} lines"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []
