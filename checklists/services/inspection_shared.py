"""What the inspection lifecycle's steps share: inputs, lookups, scope checks, audit, period checks."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError
from django.db.models import Count
from django.utils import timezone

from geo import coords
from geo.services import device_fix_fields
from kernel.access import INSPECTING_ROLES, Principal
from kernel.audit.models import AuditEvent
from kernel.audit.services import audit_event, audit_record
from kernel.errors import InvalidInput, NotFound
from kernel.outbox.services import outbox_enqueue
from kernel.queries import CompiledOnce
from scoring.assessment.schemes import scheme_years_using, schemes_using
from scoring.assessment.tasks import assessment_recompute
from scoring.engine.checklist import (
    Answer,
    AnswerError,
    TemplateSpec,
    validate_answer,
)

from ..models import (
    Assignment,
    ChecklistTemplate,
    Inspection,
    InspectionPhoto,
    InspectionStatus,
    Purpose,
    TemplateStatus,
)
from ..periods import PeriodChoice, PeriodMismatch, check_period
from .templates import _TEMPLATES, forget_template, uses_photos

_LOCKED = {InspectionStatus.SUBMITTED, InspectionStatus.APPROVED, InspectionStatus.WITHDRAWN}
# The hot path needs neither the template document (specs are cached by digest) nor region boundaries.
_LIGHT = ("template__document", "subject_region__boundary")


def _inspections() -> Any:
    return Inspection.objects.select_related("template", "subject_region").defer(*_LIGHT)


@dataclass(frozen=True)
class DeviceLocation:
    lon: float
    lat: float
    datum: str = coords.Datum.WGS84
    accuracy_m: float | None = None


@dataclass(frozen=True)
class DraftInput:
    template_key: str
    template_version: int
    subject_kind: str
    subject_id: int
    answers: dict[str, dict[str, Any]]
    purpose: str = Purpose.ROUTINE
    assignment_id: int | None = None
    device_started_at: datetime | None = None
    device_location: DeviceLocation | None = None
    device_submitted_at: datetime | None = None
    period: int | None = None  # the year assessed, if the client states it


def request_digest(payload: dict[str, Any]) -> str:
    """Identity of a PUT: the same request replayed has the same digest."""
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


def to_domain_answers(
    stored: dict[str, dict[str, Any]], photo_counts: dict[str, int] | None = None
) -> dict[str, Answer]:
    photo_counts = photo_counts or {}
    keys = set(stored) | set(photo_counts)
    return {
        k: Answer(
            value=stored.get(k, {}).get("value"),
            na=bool(stored.get(k, {}).get("na")),
            photo_count=photo_counts.get(k, 0),
        )
        for k in keys
        if k
    }


def _validate_answers(spec: TemplateSpec, answers: dict[str, dict[str, Any]]) -> None:
    items = spec.items()
    errors: dict[str, list[str]] = {}
    for key, raw in answers.items():
        item = items.get(key)
        if item is None:
            errors[f"answers.{key}"] = ["模板中没有这个检查项"]
            continue
        try:
            validate_answer(item, Answer(value=raw.get("value"), na=bool(raw.get("na"))))
        except AnswerError as exc:
            errors[f"answers.{key}"] = [exc.message]
    if errors:
        raise InvalidInput("答案未通过校验", code="invalid_answers", details={"fields": errors})


TEMPLATE_RETIRED = "template_retired"  # the trigger's message


def _template_for(key: str, version: int) -> ChecklistTemplate:
    template = _TEMPLATES.get((key, version))
    if template is None:
        template = ChecklistTemplate.objects.filter(key=key, version=version).defer("document").first()
        if template is None:
            raise InvalidInput(
                "模板版本不存在",
                code="unknown_template",
                details={"fields": {"template_version": [f"{key} v{version} 不存在"]}},
            )
        if template.status != TemplateStatus.RETIRED:
            _TEMPLATES[(key, version)] = template
    if template.status == TemplateStatus.RETIRED:
        raise _retired(key, version)
    return template


def _retired(key: str, version: int) -> InvalidInput:
    return InvalidInput(
        "模板版本已停用，请同步最新模板",
        code=TEMPLATE_RETIRED,
        details={"fields": {"template_version": [f"{key} v{version} 已停用"]}},
    )


def _raise_if_retired(exc: IntegrityError, key: str, version: int) -> None:
    """The database refused the insert because the template was retired meanwhile: say so (422)."""
    if TEMPLATE_RETIRED in str(exc):
        forget_template(key, version)
        raise _retired(key, version) from exc


def _may_inspect(principal: Principal, region_path: str, assignment: Assignment | None) -> bool:
    if assignment is not None:
        return True  # an assignment sends an inspector anywhere (a spot check in another town)
    return principal.has_any(INSPECTING_ROLES) and principal.covers(region_path, INSPECTING_ROLES)


def _location_fields(loc: DeviceLocation | None) -> dict[str, Any]:
    if loc is None:
        return device_fix_fields(None, None, coords.Datum.WGS84, None)
    return device_fix_fields(loc.lon, loc.lat, loc.datum, loc.accuracy_m)


# The inspection a submit or a photo locks, with its template and region: compiled once per process
# (compiling this select_related query cost more than running it, on every submit).
_OWN_INSPECTION = CompiledOnce(
    lambda cu: _inspections().select_for_update(of=("self",)).filter(client_uuid=cu), args=(uuid.UUID,)
)


def own_inspection(principal: Principal, client_uuid: uuid.UUID) -> Inspection:
    """The caller's own inspection, locked for the rest of the transaction (404 for anyone else's)."""
    found = _OWN_INSPECTION.objects(client_uuid)  # client UUIDs are unique: one row or none
    inspection = found[0] if found else None
    if inspection is None or inspection.inspector_id != principal.user_id:
        raise NotFound("检查记录不存在", details={"client_uuid": str(client_uuid)})
    return inspection


def _audit(action: str, inspection: Inspection, before: dict[str, Any] | None = None, **after: Any) -> None:
    audit_record(**_audit_fields(action, inspection, before, **after))


def _audit_event(
    action: str, inspection: Inspection, before: dict[str, Any] | None = None, **after: Any
) -> AuditEvent:
    """The event :func:`_audit` would write, unsaved: to write several in one INSERT."""
    return audit_event(**_audit_fields(action, inspection, before, **after))


def _audit_fields(
    action: str, inspection: Inspection, before: dict[str, Any] | None = None, **after: Any
) -> dict[str, Any]:
    return dict(
        action=action,
        obj=inspection,
        region_path=inspection.subject_region.path,
        before=before,
        after={
            "status": inspection.status,
            "version": inspection.version,
            "revision": inspection.revision,
            "period": inspection.period,
            **after,
        },
    )


def _wall_clock(moment: datetime) -> datetime:
    # An aware time in local time; a naive one is taken as local already (as Django stores it).
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _checked_period(template_key: str, choice: PeriodChoice) -> int:
    """The period if the template's schemes assess it (422 naming ``period`` otherwise)."""
    refusal = check_period(choice, today=timezone.localdate(), scheme_years=scheme_years_using(template_key))
    if refusal is not None:
        raise InvalidInput(
            "考核年度不正确", code=refusal.code, details={"fields": {"period": [refusal.message]}}
        )
    return choice.period


def _mismatch(exc: PeriodMismatch) -> InvalidInput:
    return InvalidInput(
        "考核年度与检查任务不符", code="period_mismatch", details={"fields": {"period": [str(exc)]}}
    )


def _photo_counts(inspection: Inspection, spec: TemplateSpec) -> dict[str, int]:
    if not uses_photos(spec):
        return {}  # nothing in this template asks for photos: no need to count them
    rows = (
        InspectionPhoto.objects.filter(inspection=inspection, revision__lte=inspection.revision)
        .values("item_key")
        .annotate(n=Count("id"))
    )
    return {r["item_key"]: r["n"] for r in rows}


def _queue_scoreboards(inspection: Inspection) -> None:
    """The scoreboards that use this inspection's template are recomputed after commit (through the
    outbox: a broker down at the commit delays the recompute, never loses it)."""
    for key in schemes_counting(inspection):
        outbox_enqueue(steps=[assessment_recompute.si(key)])


def schemes_counting(inspection: Inspection) -> list[str]:
    """The assessment schemes whose scoreboards this inspection counts in (its template, its year)."""
    return schemes_using(inspection.template.key, inspection.period)
