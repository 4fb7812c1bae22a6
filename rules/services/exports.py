"""Render rule sets into export files and store them."""

import hashlib
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from rules.choices import ExportStatus
from rules.document import RuleSetDocument
from rules.exceptions import RuleExportFailed
from rules.exports.completeness import export_check_complete
from rules.exports.deltas import Delta, delta_render
from rules.exports.registry import FORMATS, format_get
from rules.models import RuleExport, RuleSet
from rules.selectors import rule_export_get, rule_set_effective_at, rule_set_entries

logger = logging.getLogger(__name__)


def rule_set_document(*, rule_set: RuleSet) -> RuleSetDocument:
    """Return the plain-data form of a stored rule set, as renderers read it."""
    return RuleSetDocument(
        app_id=rule_set.app.app_id,
        app_name=rule_set.app.name,
        version=rule_set.version,
        created_at=rule_set.created_at,
        sha256=rule_set.sha256,
        source_networks=tuple(rule_set.source_networks),
        entries=rule_set_entries(rule_set=rule_set),
        effective_at=rule_set_effective_at(rule_set=rule_set),
    )


def export_render_document(*, document: RuleSetDocument, format_name: str) -> dict:
    """Render and check one format; return the fields of a RuleExport.

    A renderer error or an incomplete file gives a failed export with a readable message
    rather than an exception, so one broken format never blocks the others.
    """
    fmt = format_get(format_name)
    try:
        rendered = fmt.render(document)
        export_check_complete(document=document, rendered=rendered, format_name=fmt.name)
    except RuleExportFailed as exc:
        logger.error("Export %s of %s v%s failed: %s", fmt.name, document.app_id,
                     document.version, exc.message)  # fmt: skip
        return {"status": ExportStatus.FAILED, "content": "", "sha256": "", "omitted": [],
                "error": exc.message}  # fmt: skip
    except Exception as exc:  # A renderer bug must become a failed export, not a 500.
        logger.exception("Rendering %s of %s v%s raised", fmt.name, document.app_id,
                         document.version)  # fmt: skip
        return {"status": ExportStatus.FAILED, "content": "", "sha256": "", "omitted": [],
                "error": f"The {fmt.name} export could not be rendered: {exc}"}  # fmt: skip
    return {
        "status": ExportStatus.RENDERED,
        "content": rendered.content,
        "sha256": hashlib.sha256(rendered.content.encode()).hexdigest(),
        "omitted": rendered.omitted_metadata(),
        "error": "",
    }


def _stored_export(*, rule_set: RuleSet, format_name: str) -> RuleExport | None:
    return RuleExport.objects.filter(rule_set=rule_set, format_name=format_name).first()


def rule_export_render(
    *, rule_set: RuleSet, format_name: str, document: RuleSetDocument | None = None
) -> RuleExport:
    """Render one format of ``rule_set`` and store it, unless it is stored already.

    Two concurrent renders of the same (version, format) both succeed: the unique
    constraint lets one row in, and the loser returns the winner's (identical) row.
    A failed export is rendered again on the next call.
    """
    fmt = format_get(format_name)
    existing = _stored_export(rule_set=rule_set, format_name=fmt.name)
    if existing is not None and existing.status == ExportStatus.RENDERED:
        return existing
    if document is None:
        document = rule_set_document(rule_set=rule_set)
    fields = export_render_document(document=document, format_name=fmt.name)
    fields["rendered_at"] = timezone.now()
    if existing is not None:
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.full_clean()
        existing.save()
        return existing
    export = RuleExport(rule_set=rule_set, format_name=fmt.name, **fields)
    export.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            export.save()
    except IntegrityError:
        return RuleExport.objects.get(rule_set=rule_set, format_name=fmt.name)
    return export


def rule_exports_render_all(*, rule_set_id: int) -> list[RuleExport]:
    """Render every format of a rule set that is not stored yet; a gone rule set is a no-op."""
    rule_set = RuleSet.objects.select_related("app").filter(pk=rule_set_id).first()
    if rule_set is None:
        return []
    document = None
    exports = []
    for name in FORMATS:
        if (
            document is None
            and not RuleExport.objects.filter(
                rule_set=rule_set, format_name=name, status=ExportStatus.RENDERED
            ).exists()
        ):
            document = rule_set_document(rule_set=rule_set)
        exports.append(rule_export_render(rule_set=rule_set, format_name=name, document=document))
    return exports


def rule_export_get_or_render(
    *, rule_set: RuleSet, format_name: str, document: RuleSetDocument | None = None
) -> RuleExport:
    """Return the stored export of ``rule_set`` in ``format_name``, rendering and storing it
    first when no worker has yet (from ``document`` when given). Raise UnknownFormat (keyed
    ``format``) for a bad name and RuleExportFailed with a readable message when the file
    cannot be produced."""
    fmt = format_get(format_name)
    export = rule_export_get(rule_set=rule_set, format_name=fmt.name)
    if export is None:
        export = rule_export_render(rule_set=rule_set, format_name=fmt.name, document=document)
    if export.status != ExportStatus.RENDERED:
        raise RuleExportFailed(export.error)
    return export


def rule_set_delta_render(*, old: RuleSet, new: RuleSet, format_name: str) -> Delta:
    """Return the commands that move a firewall from ``old``'s objects to ``new``'s in
    ``format_name``. A format whose delta is its full file takes ``new``'s stored export
    (rendered and stored first when no worker has yet), so the file is never rendered
    twice. Raise UnknownFormat for a bad name and RuleExportFailed when that file cannot
    be produced."""
    new_document = rule_set_document(rule_set=new)

    def new_file() -> str:
        export = rule_export_get_or_render(
            rule_set=new, format_name=format_name, document=new_document
        )
        return export.content

    return delta_render(
        old=rule_set_document(rule_set=old),
        new=new_document,
        format_name=format_name,
        new_file=new_file,
    )
