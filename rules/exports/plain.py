"""Vendor-neutral formats: JSON, CSV and a plain-text table."""

import csv
import io
import json

from rules.exports.base import RenderContext, comment_block


def json_lines(head: dict, key: str, items: list) -> str:
    """Return a JSON object with ``items`` under ``key``, one compact item per line: as
    readable as indented JSON and several times faster to write for large rule sets."""
    opening = json.dumps(head, indent=2, ensure_ascii=True)[:-2] + "," if head else "{"
    body = ",\n".join("    " + json.dumps(item, ensure_ascii=True) for item in items)
    return f'{opening}\n  "{key}": [\n{body}\n  ]\n}}\n'


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
    entries = [
        {**entry.as_dict(), "port_ranges": [list(pair) for pair in entry.ports]}
        for entry in context.entries
    ]
    return json_lines(head, "entries", entries)


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
    for entry in context.entries:
        row = entry.as_dict()
        source = csv_source_set(entry.family) if sources[entry.family] else "any"
        writer.writerow((*(row[column] for column in CSV_COLUMNS), source))
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
        max([len(column), *(len(row[i]) for row in rows)]) for i, column in enumerate(columns)
    ]
    lines = [
        "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
        for row in [columns, *rows]
    ]
    return comment_block(context.header_lines()) + "\n" + "\n".join(lines) + "\n"
