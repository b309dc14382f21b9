"""Loading template files into published versions. A published version never changes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from kernel.audit.services import audit_record
from kernel.errors import Conflict, InvalidInput, NotFound
from scoring.engine.checklist import Capture, PhotoRule, TemplateSpec

from ..models import ChecklistTemplate, TemplateStatus
from ..templates import TEMPLATE_DIR, TemplateError, load_directory, spec_from_document

_SPECS: dict[str, TemplateSpec] = {}
_USES_PHOTOS: dict[int, bool] = {}
# Published versions by (key, version), read once per process (inspection_shared._template_for): a
# version's content never changes (templates_sync refuses it) and its status changes once, to retired,
# which the database itself checks at the insert of an inspection (the trigger of migration 0011), so
# a cached version cannot outlive its retirement. template_retire forgets it in its own process.
_TEMPLATES: dict[tuple[str, int], ChecklistTemplate] = {}


def forget_template(key: str, version: int) -> None:
    _TEMPLATES.pop((key, version), None)


def spec_of(template: ChecklistTemplate) -> TemplateSpec:
    """The engine spec of a stored version, parsed once per process (versions are immutable)."""
    spec = _SPECS.get(template.digest)
    if spec is None:
        spec = _SPECS[template.digest] = spec_from_document(template.document)
    return spec


def uses_photos(spec: TemplateSpec) -> bool:
    """Whether any item of the template can require photos (else submit need not count them)."""
    key = id(spec)
    if key not in _USES_PHOTOS:
        _USES_PHOTOS[key] = any(
            i.photos != PhotoRule.NONE or i.capture is Capture.PHOTO for i in spec.items().values()
        )
    return _USES_PHOTOS[key]


@dataclass(frozen=True)
class SyncReport:
    created: list[str]
    unchanged: list[str]


@transaction.atomic
def templates_sync(*, directory: Path = TEMPLATE_DIR) -> SyncReport:
    """Publish every template file whose (key, version) is new; refuse to change a published version."""
    try:
        loaded = load_directory(directory)
    except TemplateError as exc:
        raise InvalidInput(
            "模板校验失败", code="template_invalid", details={"problems": exc.problems}
        ) from exc
    created, unchanged = [], []
    for t in loaded:
        label = f"{t.spec.key} v{t.spec.version}"
        existing = ChecklistTemplate.objects.filter(key=t.spec.key, version=t.spec.version).first()
        if existing is not None:
            if existing.digest != t.digest:
                raise Conflict(
                    f"{label} 已发布，内容不可修改；请提高 version 作为新版本发布",
                    code="template_version_immutable",
                    details={"template": label, "file": t.source},
                )
            unchanged.append(label)
            continue
        row = ChecklistTemplate.objects.create(
            key=t.spec.key,
            version=t.spec.version,
            title=t.spec.title,
            domain=t.spec.domain,
            subject_kind=t.spec.subject_kind,
            document=t.document,
            digest=t.digest,
            source=t.source,
        )
        audit_record(
            action="checklists.template.publish",
            obj=row,
            after={"key": row.key, "version": row.version, "digest": row.digest},
        )
        created.append(label)
    return SyncReport(created, unchanged)


@transaction.atomic
def template_retire(*, key: str, version: int) -> ChecklistTemplate:
    """Retire a version: phones drop it and no new inspection may pin it (existing ones stay valid)."""
    row = ChecklistTemplate.objects.select_for_update().filter(key=key, version=version).first()
    if row is None:
        raise NotFound("模板版本不存在", details={"template": f"{key} v{version}"})
    if row.status != TemplateStatus.RETIRED:
        row.status, row.retired_at = TemplateStatus.RETIRED, timezone.now()
        row.save(update_fields=["status", "retired_at", "updated_at"])
        audit_record(action="checklists.template.retire", obj=row, after={"status": row.status})
    forget_template(key, version)  # other processes learn it from the database (migration 0011)
    return row
