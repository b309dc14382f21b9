"""The inspection lifecycle: idempotent drafts, submit with scoring, review, amendment.

Phones are offline and retry. Every write here is safe to replay: a PUT whose bytes equal the last
accepted one returns the current state; a stale ``If-Match`` with different content is a 409, so two
phones never overwrite each other; a submitted revision is immutable.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from geo import coords
from geo.selectors import subject_get
from geo.services import device_fix_fields
from kernel.access import INSPECTING_ROLES, REVIEWING_ROLES, Principal
from kernel.audit.services import audit_record
from kernel.errors import ApplicationError, Conflict, InvalidInput, NotFound, PermissionDenied
from kernel.kit import decimal_text
from kernel.outbox.services import outbox_enqueue
from scoring.engine.checklist import (
    Answer,
    AnswerError,
    ScoreResult,
    TemplateSpec,
    missing_answers,
    score,
    validate_answer,
)

from ..deadlines import DeadlineRules
from ..models import (
    Assignment,
    AssignmentStatus,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionPhoto,
    InspectionRevision,
    InspectionStatus,
    Purpose,
    Rectification,
    RectificationStatus,
    TemplateStatus,
)
from ..periods import PeriodChoice, PeriodMismatch, check_period, choose_period
from ..subjects import hooks_for
from .templates import spec_of, uses_photos

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


def _template_for(key: str, version: int) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.filter(key=key, version=version).defer("document").first()
    if template is None:
        raise InvalidInput(
            "模板版本不存在",
            code="unknown_template",
            details={"fields": {"template_version": [f"{key} v{version} 不存在"]}},
        )
    if template.status == TemplateStatus.RETIRED:
        raise InvalidInput(
            "模板版本已停用，请同步最新模板",
            code="template_retired",
            details={"fields": {"template_version": [f"{key} v{version} 已停用"]}},
        )
    return template


def _may_inspect(principal: Principal, region_path: str, assignment: Assignment | None) -> bool:
    if assignment is not None:
        return True  # an assignment sends an inspector anywhere (a spot check in another town)
    return principal.has_any(INSPECTING_ROLES) and principal.covers(region_path, INSPECTING_ROLES)


def _location_fields(loc: DeviceLocation | None) -> dict[str, Any]:
    if loc is None:
        return device_fix_fields(None, None, coords.Datum.WGS84, None)
    return device_fix_fields(loc.lon, loc.lat, loc.datum, loc.accuracy_m)


def own_inspection(principal: Principal, client_uuid: uuid.UUID) -> Inspection:
    """The caller's own inspection, locked for the rest of the transaction (404 for anyone else's)."""
    inspection = _inspections().select_for_update(of=("self",)).filter(client_uuid=client_uuid).first()
    if inspection is None or inspection.inspector_id != principal.user_id:
        raise NotFound("检查记录不存在", details={"client_uuid": str(client_uuid)})
    return inspection


def _audit(action: str, inspection: Inspection, before: dict[str, Any] | None = None, **after: Any) -> None:
    audit_record(
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
    from .assessment import scheme_years_using

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


@transaction.atomic
def inspection_put_and_submit(
    *, principal: Principal, client_uuid: uuid.UUID, draft: DraftInput, if_match: int | None, digest: str
) -> tuple[Inspection, bool, list[Finding]]:
    """A finished offline inspection in one round trip: save it and submit it, or neither."""
    if not _inspections().filter(client_uuid=client_uuid).exists():
        try:
            with transaction.atomic():
                # The common case — a phone sending a new, finished inspection — is written once, already
                # submitted, instead of being inserted as a draft and then re-read and updated.
                inspection = _inspection_new(
                    principal=principal, client_uuid=client_uuid, draft=draft, digest=digest
                )
                spec = spec_of(inspection.template)
                result = _score_complete(spec, to_domain_answers(inspection.answers, {}))
                _mark_submitted(inspection, result, draft.device_submitted_at)
                inspection.save(force_insert=True)
                _audit("checklists.inspection.create", inspection, template=f"{inspection.template.key} v"
                       f"{inspection.template.version}")  # fmt: skip
                return inspection, True, _record_submission(principal, inspection, spec, result)
        except IntegrityError:
            pass  # the same UUID created concurrently (a retry racing its original): take the usual path
    inspection, created = inspection_put(
        principal=principal, client_uuid=client_uuid, draft=draft, if_match=if_match, digest=digest
    )
    inspection, findings = inspection_submit(
        principal=principal,
        client_uuid=client_uuid,
        if_match=None,
        device_submitted_at=draft.device_submitted_at,
    )
    return inspection, created, findings


@transaction.atomic
def inspection_put(
    *, principal: Principal, client_uuid: uuid.UUID, draft: DraftInput, if_match: int | None, digest: str
) -> tuple[Inspection, bool]:
    """Create or update a draft; returns (inspection, created)."""
    existing = _inspections().select_for_update(of=("self",)).filter(client_uuid=client_uuid).first()
    if existing is None:
        try:
            with transaction.atomic():
                return _inspection_create(
                    principal=principal, client_uuid=client_uuid, draft=draft, digest=digest
                ), True
        except IntegrityError:  # the same UUID created concurrently (a retry racing its original)
            existing = _inspections().select_for_update(of=("self",)).get(client_uuid=client_uuid)
    return _inspection_update(
        principal=principal, inspection=existing, draft=draft, if_match=if_match, digest=digest
    ), False


def _inspection_create(
    *, principal: Principal, client_uuid: uuid.UUID, draft: DraftInput, digest: str
) -> Inspection:
    inspection = _inspection_new(principal=principal, client_uuid=client_uuid, draft=draft, digest=digest)
    inspection.save(force_insert=True)
    template = inspection.template
    _audit("checklists.inspection.create", inspection, template=f"{template.key} v{template.version}")
    return inspection


def _inspection_new(
    *, principal: Principal, client_uuid: uuid.UUID, draft: DraftInput, digest: str
) -> Inspection:
    """A validated, not yet saved inspection: template, subject, scope and answers checked."""
    template = _template_for(draft.template_key, draft.template_version)
    subject = subject_get(kind=draft.subject_kind, subject_id=draft.subject_id)
    if subject.kind != template.subject_kind:
        raise InvalidInput(
            "检查对象类型与模板不符",
            code="subject_mismatch",
            details={"fields": {"subject.kind": [f"模板要求 {template.subject_kind}"]}},
        )
    assignment = None
    if draft.assignment_id is not None:
        assignment = Assignment.objects.filter(
            pk=draft.assignment_id,
            inspector_id=principal.user_id,
            status=AssignmentStatus.OPEN,
            subject_kind=subject.kind,
            subject_id=subject.id,
            template_key=template.key,
        ).first()
        if assignment is None:
            raise InvalidInput(
                details={"fields": {"assignment_id": ["检查任务不存在、已完成或与检查对象不符"]}}
            )
    if not _may_inspect(principal, subject.region.path, assignment):
        raise NotFound(
            "检查对象不存在或不在您的管辖范围内",
            details={"fields": {"subject": [f"{subject.kind} #{subject.id}"]}},
        )
    spec = spec_of(template)
    _validate_answers(spec, draft.answers)
    try:
        choice = choose_period(
            assignment=assignment.period if assignment else None,
            client=draft.period,
            device_started_at=_wall_clock(draft.device_started_at) if draft.device_started_at else None,
            today=timezone.localdate(),
        )
    except PeriodMismatch as exc:
        raise _mismatch(exc) from exc
    return Inspection(
        client_uuid=client_uuid,
        template=template,
        inspector_id=principal.user_id,
        assignment=assignment,
        purpose=assignment.purpose if assignment else draft.purpose,
        period=_checked_period(template.key, choice),
        subject_kind=subject.kind,
        subject_id=subject.id,
        subject_name=subject.name,
        subject_region=subject.region,
        subject_town=subject.town,
        answers=draft.answers,
        last_request_digest=digest,
        device_started_at=draft.device_started_at,
        **_location_fields(draft.device_location),
    )


def _inspection_update(
    *, principal: Principal, inspection: Inspection, draft: DraftInput, if_match: int | None, digest: str
) -> Inspection:
    if inspection.inspector_id != principal.user_id:
        # Someone else's inspection: answered as a GET would be. Whoever may not see it learns nothing
        # (not even that the UUID is in use); a reviewer who may see it is told only that it is taken.
        if not principal.covers(inspection.subject_region.path, REVIEWING_ROLES):
            raise NotFound(
                "检查记录不存在或不在您的管辖范围内", details={"client_uuid": str(inspection.client_uuid)}
            )
        raise Conflict(
            "此客户端编号已用于另一份检查记录，新检查请使用新的编号",
            code="uuid_taken",
            details={"fields": {"client_uuid": ["已被使用"]}},
        )
    if inspection.last_request_digest == digest:
        return inspection  # a replay of the request that produced the current state
    if if_match is None:
        raise ApplicationError(
            "修改已有检查须携带 If-Match（所编辑的版本号）",
            code="if_match_required",
            status=428,
            details={"current_version": inspection.version},
        )
    if if_match != inspection.version:
        raise Conflict(
            "检查记录已被其他设备修改",
            code="version_conflict",
            details={"current_version": inspection.version},
        )
    if inspection.status in _LOCKED:
        raise Conflict(
            "已提交的检查不能修改", code="inspection_locked", details={"status": inspection.status}
        )
    if (draft.template_key, draft.template_version) != (inspection.template.key, inspection.template.version):
        raise Conflict(
            "检查记录已固定模板版本，不能更换",
            code="template_pinned",
            details={"template": f"{inspection.template.key} v{inspection.template.version}"},
        )
    if (draft.subject_kind, draft.subject_id) != (inspection.subject_kind, inspection.subject_id):
        raise Conflict(
            "检查对象不能更换", code="subject_pinned", details={"fields": {"subject": ["不能更换"]}}
        )
    _validate_answers(spec_of(inspection.template), draft.answers)
    before = {
        "status": inspection.status,
        "version": inspection.version,
        "revision": inspection.revision,
        "period": inspection.period,
    }
    if draft.period is not None and draft.period != inspection.period:
        # A draft's period may be corrected (also after a rejection), unless its assignment fixes it.
        required = (
            Assignment.objects.filter(pk=inspection.assignment_id).values_list("period", flat=True).first()
            if inspection.assignment_id
            else None
        )
        if required is not None:
            raise _mismatch(PeriodMismatch(required))
        inspection.period = _checked_period(inspection.template.key, PeriodChoice(draft.period, "client"))
    if inspection.status == InspectionStatus.REJECTED:
        # An amendment after rejection is a new revision; the rejected one stays in InspectionRevision.
        inspection.revision += 1
        inspection.status = InspectionStatus.DRAFT
        inspection.score, inspection.percent, inspection.vetoed = None, None, False
        inspection.item_comments, inspection.review_reason = {}, ""
        inspection.reviewed_by, inspection.reviewed_at = None, None
    inspection.answers = draft.answers
    inspection.device_started_at = draft.device_started_at or inspection.device_started_at
    for name, value in _location_fields(draft.device_location).items():
        if draft.device_location is not None:
            setattr(inspection, name, value)
    inspection.version += 1
    inspection.last_request_digest = digest
    inspection.save()
    _audit("checklists.inspection.update", inspection, before)
    return inspection


def _photo_counts(inspection: Inspection, spec: TemplateSpec) -> dict[str, int]:
    if not uses_photos(spec):
        return {}  # nothing in this template asks for photos: no need to count them
    rows = (
        InspectionPhoto.objects.filter(inspection=inspection, revision__lte=inspection.revision)
        .values("item_key")
        .annotate(n=Count("id"))
    )
    return {r["item_key"]: r["n"] for r in rows}


def score_json(result: ScoreResult) -> dict[str, Any]:
    def d(x: Decimal) -> str:
        # Whole points without decimals ("100", not "100.00" — nor "1E+2", which normalize() gives).
        return decimal_text(x.to_integral_value() if x == x.to_integral_value() else x)

    return {
        "percent": decimal_text(result.percent),
        "base_earned": d(result.base_earned),
        "base_maximum": d(result.base_maximum),
        "bonus": d(result.bonus),
        "penalty": d(result.penalty),
        "vetoed": result.vetoed,
        "veto_items": list(result.veto_items),
        "sections": [
            {"key": s.key, "earned": d(s.earned), "maximum": d(s.maximum), "capped": s.capped}
            for s in result.sections
        ],
        "items": [
            {"key": r.key, "earned": d(r.earned), "maximum": d(r.maximum), "lost": d(r.lost),
             "applicable": r.applicable, "failed": r.failed, "reason": r.reason}
            for r in result.items
        ],
    }  # fmt: skip


@transaction.atomic
def inspection_submit(
    *,
    principal: Principal,
    client_uuid: uuid.UUID,
    if_match: int | None,
    device_submitted_at: datetime | None,
) -> tuple[Inspection, list[Finding]]:
    """Validate against the pinned template, score, keep the revision, turn lost points into findings."""
    inspection = own_inspection(principal, client_uuid)
    if inspection.status in _LOCKED:  # submitting twice (a retry) changes nothing
        return inspection, list(Finding.objects.filter(inspection=inspection, revision=inspection.revision))
    if inspection.status != InspectionStatus.DRAFT:
        raise Conflict(
            "已退回的检查须先修改再提交", code="amend_first", details={"status": inspection.status}
        )
    if if_match is not None and if_match != inspection.version:
        raise Conflict(
            "检查记录已被其他设备修改",
            code="version_conflict",
            details={"current_version": inspection.version},
        )
    spec = spec_of(inspection.template)
    result = _score_complete(spec, to_domain_answers(inspection.answers, _photo_counts(inspection, spec)))
    _mark_submitted(inspection, result, device_submitted_at)
    inspection.save(
        update_fields=[
            "score",
            "percent",
            "vetoed",
            "status",
            "submitted_at",
            "device_submitted_at",
            "version",
            "updated_at",
        ]
    )
    from .evidence import inspection_photos_recheck_times  # evidence imports this module

    inspection_photos_recheck_times(inspection=inspection)  # the phone's span is complete now
    return inspection, _record_submission(principal, inspection, spec, result)


def _score_complete(spec: TemplateSpec, answers: Mapping[str, Answer]) -> ScoreResult:
    problems = missing_answers(spec, answers)
    if problems:
        raise InvalidInput(
            "检查表尚未填写完整",
            code="incomplete",
            details={"fields": {f"answers.{k}": [v] for k, v in problems.items()}},
        )
    return score(spec, answers)


def _mark_submitted(
    inspection: Inspection, result: ScoreResult, device_submitted_at: datetime | None
) -> None:
    inspection.score = score_json(result)
    inspection.percent = result.percent.quantize(Decimal("0.0001"))
    inspection.vetoed = result.vetoed
    inspection.status = InspectionStatus.SUBMITTED
    inspection.submitted_at = timezone.now()
    inspection.device_submitted_at = device_submitted_at
    inspection.version += 1


def _record_submission(
    principal: Principal, inspection: Inspection, spec: TemplateSpec, result: ScoreResult
) -> list[Finding]:
    """Keep the submitted revision, turn lost points into findings, tell the subject's kind, audit."""
    InspectionRevision.objects.create(
        inspection=inspection,
        revision=inspection.revision,
        period=inspection.period,
        answers=inspection.answers,
        score=inspection.score,
        percent=inspection.percent,
        vetoed=inspection.vetoed,
        submitted_at=inspection.submitted_at,
        device_submitted_at=inspection.device_submitted_at,
    )
    findings = findings_create(inspection, spec, result)
    hooks_for(inspection.subject_kind).on_submitted(principal=principal, inspection=inspection)
    _audit(
        "checklists.inspection.submit",
        inspection,
        percent=str(inspection.percent),
        vetoed=inspection.vetoed,
        findings=len(result.findings),
    )
    return findings


def findings_create(inspection: Inspection, spec: TemplateSpec, result: ScoreResult) -> list[Finding]:
    """The findings of the inspection's current revision: every item that lost points or failed."""
    items = spec.items()
    return Finding.objects.bulk_create(
        Finding(
            inspection=inspection,
            revision=inspection.revision,
            item_key=r.key,
            item_title=items[r.key].title[:300],
            kind=r.kind,
            category=items[r.key].category or ("veto" if r.kind == "veto" else ""),
            points_lost=r.lost.quantize(Decimal("0.001")),
            reason=r.reason[:300],
            responsible_hint=items[r.key].responsible,
        )
        for r in result.findings
    )


@transaction.atomic
def inspection_review(
    *,
    principal: Principal,
    client_uuid: uuid.UUID,
    approve: bool,
    reason: str,
    item_comments: dict[str, str],
    rules: DeadlineRules | None = None,
) -> Inspection:
    """Approve (findings become rectifications with deadlines) or reject (back to the inspector)."""
    inspection = (
        _inspections().select_for_update(of=("self",))
        .filter(client_uuid=client_uuid).first()
    )  # fmt: skip
    if inspection is None or not principal.covers(inspection.subject_region.path, REVIEWING_ROLES):
        raise NotFound("检查记录不存在或不在您的管辖范围内", details={"client_uuid": str(client_uuid)})
    if not principal.has_any(REVIEWING_ROLES):
        raise PermissionDenied("您的角色不能审核检查")
    if inspection.inspector_id == principal.user_id:
        raise PermissionDenied("不能审核自己提交的检查", code="own_inspection")
    if inspection.status != InspectionStatus.SUBMITTED:
        raise Conflict(
            "只有待审核的检查可以审核", code="not_submitted", details={"status": inspection.status}
        )
    if not approve and not reason.strip():
        raise InvalidInput(details={"fields": {"reason": ["退回必须说明理由"]}})
    unknown = [k for k in item_comments if k not in spec_of(inspection.template).items()]
    if unknown:
        raise InvalidInput(
            details={"fields": {f"item_comments.{k}": ["模板中没有这个检查项"] for k in unknown}}
        )
    now = timezone.now()
    decision = InspectionStatus.APPROVED if approve else InspectionStatus.REJECTED
    before = {"status": inspection.status, "version": inspection.version}
    inspection.status = decision
    inspection.reviewed_by_id, inspection.reviewed_at = principal.user_id, now
    inspection.review_reason, inspection.item_comments = reason.strip(), item_comments
    inspection.version += 1
    inspection.save()
    InspectionRevision.objects.filter(inspection=inspection, revision=inspection.revision).update(
        decision=decision,
        decided_by_id=principal.user_id,
        decided_at=now,
        reason=reason.strip(),
        item_comments=item_comments,
    )
    hooks = hooks_for(inspection.subject_kind)
    if approve:
        # The subject's kind first (a facility re-audit settles earlier repairs and sets the condition).
        persisting = hooks.on_approved(principal=principal, inspection=inspection, at=now)
        _rectifications_from_findings(
            inspection,
            rules or DeadlineRules.load(),
            found_on=timezone.localdate(inspection.submitted_at),
            skip_items=persisting,
        )
        if inspection.assignment_id:
            Assignment.objects.filter(pk=inspection.assignment_id).update(
                status=AssignmentStatus.DONE, updated_at=now
            )
    else:
        hooks.on_rejected(principal=principal, inspection=inspection)
    _audit(
        f"checklists.inspection.{'approve' if approve else 'reject'}",
        inspection,
        before,
        reason=reason.strip(),
    )
    _queue_scoreboards(inspection)
    return inspection


def _queue_scoreboards(inspection: Inspection) -> None:
    """The scoreboards that use this inspection's template are recomputed after commit (through the
    outbox: a broker down at the commit delays the recompute, never loses it)."""
    from ..tasks import assessment_recompute

    for key in schemes_counting(inspection):
        outbox_enqueue(steps=[assessment_recompute.si(key)])


def schemes_counting(inspection: Inspection) -> list[str]:
    """The assessment schemes whose scoreboards this inspection counts in (its template, its year)."""
    from .assessment import schemes_using

    return schemes_using(inspection.template.key, inspection.period)


def _rectifications_from_findings(
    inspection: Inspection,
    rules: DeadlineRules,
    *,
    found_on: Any,
    skip_items: frozenset[str] | set[str] = frozenset(),
) -> list[Rectification]:
    """Every finding becomes a rectification, except problems already being rectified (``skip_items``)."""
    findings = Finding.objects.filter(inspection=inspection, revision=inspection.revision).exclude(
        item_key__in=skip_items
    )
    rows = []
    for f in findings:
        deadline = rules.deadline(f.category, found_on)
        rows.append(
            Rectification(
                finding=f,
                subject_kind=inspection.subject_kind,
                subject_id=inspection.subject_id,
                subject_name=inspection.subject_name,
                subject_region=inspection.subject_region,
                subject_town_id=inspection.subject_town_id,
                category=f.category,
                responsible_unit=f.responsible_hint,
                deadline=deadline.due,
                deadline_rule=deadline.rule,
                requires_approval=deadline.requires_approval,
                status=RectificationStatus.AWAITING_APPROVAL
                if deadline.requires_approval
                else RectificationStatus.OPEN,
                history=[
                    {"at": timezone.now().isoformat(), "to": "created", "by": None, "note": deadline.rule}
                ],
            )
        )
    return Rectification.objects.bulk_create(rows)
