"""The command-line probe as downloaded: ``probe.py`` beside this module with an app's
entries embedded as JSON data. Only validated values reach the file: the App ID (hex),
the version (digits), an http(s) base URL, canonical networks and integer ports, and
all of them as JSON inside a Python string literal, never as code."""

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from provisioning.connectivity.targets import entries_data

TEMPLATE = Path(__file__).with_name("probe.py")
PLACEHOLDER = 'EMBEDDED = json.loads("{}")'
APP_ID_PATTERN = re.compile(r"[0-9a-f]{32}")
VERSION_PATTERN = re.compile(r"[0-9]{10}")


@cache
def _template() -> str:
    text = TEMPLATE.read_text()
    if text.count(PLACEHOLDER) != 1:
        raise RuntimeError(f"{TEMPLATE} must hold exactly one {PLACEHOLDER!r} line.")
    return text


def _base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise ValueError(f"Not a base URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def probe_script_render(*, app_id: str, version: str, base_url: str, entries) -> str:
    """Return the probe script for ``app_id``'s rule set ``version`` and its ``entries``."""
    if not APP_ID_PATTERN.fullmatch(app_id) or not VERSION_PATTERN.fullmatch(version):
        raise ValueError("An App ID of 32 hex digits and a version of 10 digits are needed.")
    data = {
        "app_id": app_id,
        "version": version,
        "base_url": _base_url(base_url),
        "entries": entries_data(entries),
    }
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    # A JSON string of ASCII text is also a valid Python string literal.
    line = f"EMBEDDED = json.loads({json.dumps(text)})"
    return _template().replace(PLACEHOLDER, line)
