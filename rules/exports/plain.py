"""Vendor-neutral formats: JSON, CSV and a plain-text table."""

import csv
import io
import json
from functools import lru_cache
from json.encoder import encode_basestring_ascii as json_string
from operator import itemgetter

from rules.document import ports_parse
from rules.exports.base import RenderContext, comment_block


def json_lines(head: dict, key: str, items) -> str:
    """Return a JSON object with ``items`` (each already JSON text) under ``key``, one
    compact item per line: as readable as indented JSON and several times faster to write
    for large rule sets."""
    opening = json.dumps(head, indent=2, ensure_ascii=True)[:-2] + "," if head else "{"
    body = ",\n".join("    " + item for item in items)
    return f'{opening}\n  "{key}": [\n{body}\n  ]\n}}\n'


@lru_cache(maxsize=4096)
def _json_port_ranges(text: str) -> str:
    """Return the JSON of the port ranges written ``text`` (an entry's ``ports_text``)."""
    return json.dumps([list(pair) for pair in ports_parse(text)])


def _json_entry(entry) -> str:
    """Return ``json.dumps`` of the entry's ``as_dict()`` with its ``port_ranges``: every
    string goes through JSON's own escaping, written without a dict per entry."""
    return (
        f'{{"id": {json_string(entry.id)}, "environment": {json_string(entry.environment)}, '
        f'"family": {entry.family:d}, "protocol": {json_string(entry.protocol)}, '
        f'"destination": {json_string(entry.destination)}, '
        f'"ports": {json_string(entry.ports_text)}, "purpose": {json_string(entry.purpose)}, '
        f'"port_ranges": {_json_port_ranges(entry.ports_text)}}}'
    )


def render_json(context: RenderContext) -> str:
    """Render the rule set as JSON; the app's name is customer text, escaped by JSON."""
    document = context.document
    head = {
        "app_id": document.app_id,
        "app_name": document.app_name,
        "version": document.version,
        "generated_at": document.created_at_text,
        "sha256": document.sha256,
        "source_networks": list(document.source_networks),
        "omitted": [entry.as_dict() for entry in context.omitted],
    }
    return json_lines(head, "entries", map(_json_entry, context.entries))


CSV_COLUMNS = ("id", "environment", "family", "protocol", "destination", "ports", "purpose")
CSV_SOURCE_PURPOSE = "source network"


def csv_source_set(family: int) -> str:
    """Return the id of the rows that list ``family``'s source networks."""
    return f"sources-ipv{family}"


def render_csv(context: RenderContext) -> str:
    """Render one row per entry, then one row per source network. CSV has no comments:
    the header facts are in the registry's metadata and the API, and every value is an
    id, a choice or a number.

    An entry's ``source`` is ``any`` or the id of its family's source rows (purpose
    ``source network``, the network in ``source``): a list of hundreds of networks
    repeated on every row would make the file hundreds of times larger.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow((*CSV_COLUMNS, "source"))
    sources = {family: context.sources_of_family(family) for family in (4, 6)}
    source_of = {f: csv_source_set(f) if sources[f] else "any" for f in (4, 6)}
    # The columns of CSV_COLUMNS, as Entry.as_dict() names them.
    writer.writerows(
        (e.id, e.environment, e.family, e.protocol, e.destination, e.ports_text, e.purpose,
         source_of[e.family])
        for e in context.entries
    )  # fmt: skip
    for family in (4, 6):
        for network in sources[family]:
            writer.writerow((csv_source_set(family), "", family, "", "", "", CSV_SOURCE_PURPOSE,
                             network))  # fmt: skip
    return buffer.getvalue()


def render_txt(context: RenderContext) -> str:
    """Render a table in the shape of the service's published test-set table."""
    columns = ("environment", "protocol", "destination", "ports", "purpose", "id")
    rows = [
        (e.environment, e.protocol.upper(), e.destination, e.ports_text, e.purpose, e.id)
        for e in context.entries
    ]
    widths = [
        max(len(column), *map(len, map(itemgetter(i), rows))) if rows else len(column)
        for i, column in enumerate(columns)
    ]
    template = "  ".join(f"{{{i}:<{width}}}" for i, width in enumerate(widths))
    lines = [template.format(*row).rstrip() for row in [columns, *rows]]
    return comment_block(context.header_lines()) + "\n" + "\n".join(lines) + "\n"
