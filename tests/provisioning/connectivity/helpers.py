"""Apps with rule sets of chosen ports for connectivity tests, and the probe as a file."""

import subprocess
import sys
from pathlib import Path

from provisioning.models import AllocatedEndpoint
from provisioning.services.publishing import app_rule_set_publish
from tests.provisioning.api.helpers import live_set


def ports(*items) -> list[dict]:
    """Return a ports snapshot: ``("tcp", 443)``, ``("udp", 3478, 3490)``..."""
    return [
        {"protocol": p, "port_start": a, "port_end": rest[0] if rest else a, "purpose": "media"}
        for p, a, *rest in items
    ]


def app_with_rules(app, endpoints: dict[str, list[dict]], **live_set_options):
    """Give ``app`` a live set of ``{address: ports}`` and publish its rule set."""
    allocation = live_set(app, addresses=list(endpoints), **live_set_options)
    for address, snapshot in endpoints.items():
        AllocatedEndpoint.objects.filter(allocation=allocation, address=address).update(
            ports=snapshot
        )
    return app_rule_set_publish(app=app)


def write_script(directory: Path, text: str) -> Path:
    path = directory / "probe.py"
    path.write_text(text)
    return path


def run_script(path: Path, *args, timeout: float = 60, env=None) -> subprocess.CompletedProcess:
    """Run the downloaded probe with the test's Python, as a customer would with theirs."""
    return subprocess.run(
        [sys.executable, str(path), *args],
        capture_output=True, text=True, timeout=timeout, check=False, env=env,
    )  # fmt: skip
