"""The rule lines a customer's firewall lacks, in their format: our own renderers applied
to the entries (one address, protocol and port each) that a check found blocked."""

from rules.document import RuleSetDocument
from rules.exports import linux
from rules.exports.base import RenderContext
from rules.exports.registry import format_get


def _context(document: RuleSetDocument, format_name: str) -> RenderContext:
    fmt = format_get(format_name)
    carried = tuple(e for e in document.entries if e.family in fmt.families)
    omitted = tuple(e for e in document.entries if e.family not in fmt.families)
    return RenderContext(format=fmt, document=document, entries=carried, omitted=omitted)


def _nftables(context: RenderContext) -> list[str]:
    _, dst_sets, _ = linux.nft_names(context)
    elements = linux.nft_elements(context.entries)
    return [
        f"nft {line}"
        for family in (4, 6)
        for line in linux.nft_element_lines("add", dst_sets[family], elements[family])
    ]


def _xtables(context: RenderContext, tool: str) -> list[str]:
    return [f"{tool} -A {rule}" for rule in linux.xtables_rules(context, context.entries)]


def missing_rule_lines(*, document: RuleSetDocument, format_name: str) -> list[str]:
    """Return the lines that add ``document``'s entries (the blocked ones) to a firewall
    holding our objects: element and rule commands for nftables and iptables, and for
    every other format the rendered rules of those entries without the file's comments."""
    context = _context(document, format_name)
    if not context.entries:
        return []
    if format_name == "nftables":
        return _nftables(context)
    if format_name in ("iptables", "ip6tables"):
        return _xtables(context, format_name)
    content = context.format.renderer(context)
    return [line for line in content.splitlines() if line.strip() and not line.startswith("#")]
