"""Idempotent drafts: create or update an inspection, or save and submit it in one round trip."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from geo.selectors import subject_get
from kernel.access import REVIEWING_ROLES, Principal
from kernel.audit.services import audit_inserted
from kernel.errors import ApplicationError, Conflict, InvalidInput, NotFound
from kernel.queries import insert_now

from ..models import (
    Assignment,
    AssignmentStatus,
    Finding,
    Inspection,
    InspectionStatus,
)
from ..periods import PeriodChoice, PeriodMismatch, choose_period
from .inspection_shared import (
    _LOCKED,
    DraftInput,
    _audit,
    _audit_event,
    _checked_period,
    _inspections,
    _location_fields,
    _may_inspect,
    _mismatch,
    _raise_if_retired,
    _template_for,
    _validate_answers,
    _wall_clock,
    to_domain_answers,
)
from .inspection_submit import _mark_submitted, _record_submission, _score_complete, inspection_submit
from .templates import spec_of


def inspection_put_and_submit(
    *, principal: Principal, client_uuid: uuid.UUID, draft: DraftInput, if_match: int | None, digest: str
) -> tuple[Inspection, bool, list[Finding]]:
    """A finished offline inspection in one round trip: save it and submit it, or neither.

    The common case — a phone sending a new, finished inspection — is tried first, in a transaction of
    its own: validated, inserted already submitted, with its revision, findings and audit, and
    committed. The unique client UUID is the existence check: if the UUID is taken (a replay, an edit,
    a retry racing its original) that transaction is rolled back whole and the usual path — save, then
    submit — runs in a second one. So does any refusal of the first attempt when the UUID exists, so
    that an existing inspection is answered as before (its owner's replay, 404 for others…). With
    If-Match (an edit) the usual path runs at once."""
    if if_match is None:  # an edit of an existing draft carries If-Match: no point trying an insert
        try:
            with transaction.atomic():
                return _inspection_new_submitted(
                    principal=principal, client_uuid=client_uuid, draft=draft, digest=digest
                )
        except IntegrityError as exc:
            _raise_if_retired(exc, draft.template_key, draft.template_version)
        except ApplicationError:
            if not Inspection.objects.filter(client_uuid=client_uuid).exists():
                raise
    with transaction.atomic():
        inspection, created = _inspection_put_locked(
            principal=principal, client_uuid=client_uuid, draft=draft, if_match=if_match, digest=digest
        )
        inspection, findings = inspection_submit(
            principal=principal,
            client_uuid=client_uuid,
            if_match=None,
            device_submitted_at=draft.device_submitted_at,
        )
        return inspection, created, findings


def _inspection_new_submitted(
    *, principal: Principal, client_uuid: uuid.UUID, draft: DraftInput, digest: str
) -> tuple[Inspection, bool, list[Finding]]:
    # Written once, already submitted, instead of inserted as a draft and then re-read and updated.
    inspection = _inspection_new(principal=principal, client_uuid=client_uuid, draft=draft, digest=digest)
    spec = spec_of(inspection.template)
    result = _score_complete(spec, to_domain_answers(inspection.answers, {}))
    _mark_submitted(inspection, result, draft.device_submitted_at)
    insert_now(inspection)
    template = inspection.template
    created = _audit_event(
        "checklists.inspection.create", inspection, template=f"{template.key} v{template.version}"
    )
    return inspection, True, _record_submission(principal, inspection, spec, result, earlier=(created,))


def inspection_put(
    *, principal: Principal, client_uuid: uuid.UUID, draft: DraftInput, if_match: int | None, digest: str
) -> tuple[Inspection, bool]:
    """Create or update a draft; returns (inspection, created).

    Without If-Match the request is most likely a new draft (an edit must carry it): the insert is tried
    first, in a transaction of its own, the unique client UUID being the existence check. If the UUID is
    taken (a replay, a retry racing its original), or the attempt is refused while it exists, that
    transaction is rolled back whole and the usual path answers, as it always did."""
    if if_match is None:
        try:
            with transaction.atomic():
                created = _inspection_create(
                    principal=principal, client_uuid=client_uuid, draft=draft, digest=digest
                )
                return created, True
        except IntegrityError as exc:
            _raise_if_retired(exc, draft.template_key, draft.template_version)
        except ApplicationError:
            if not Inspection.objects.filter(client_uuid=client_uuid).exists():
                raise
    return _inspection_put_locked(
        principal=principal, client_uuid=client_uuid, draft=draft, if_match=if_match, digest=digest
    )


@transaction.atomic
def _inspection_put_locked(
    *, principal: Principal, client_uuid: uuid.UUID, draft: DraftInput, if_match: int | None, digest: str
) -> tuple[Inspection, bool]:
    existing = _inspections().select_for_update(of=("self",)).filter(client_uuid=client_uuid).first()
    if existing is None:
        try:
            with transaction.atomic():
                return _inspection_create(
                    principal=principal, client_uuid=client_uuid, draft=draft, digest=digest
                ), True
        except IntegrityError as exc:  # the same UUID created concurrently (a retry racing its original)
            _raise_if_retired(exc, draft.template_key, draft.template_version)
            existing = _inspections().select_for_update(of=("self",)).get(client_uuid=client_uuid)
    return _inspection_update(
        principal=principal, inspection=existing, draft=draft, if_match=if_match, digest=digest
    ), False


def _inspection_create(
    *, principal: Principal, client_uuid: uuid.UUID, draft: DraftInput, digest: str
) -> Inspection:
    inspection = _inspection_new(principal=principal, client_uuid=client_uuid, draft=draft, digest=digest)
    template = inspection.template
    event = _audit_event(
        "checklists.inspection.create", inspection, template=f"{template.key} v{template.version}"
    )
    audit_inserted(inspection, event)  # one statement on PostgreSQL, the event keyed by the new row
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
        revision_photos=0,
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
        inspection.revision_photos = 0  # the rejected revision keeps its photos
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
