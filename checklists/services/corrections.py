"""Written corrections of approved inspections by the district (区级更正): amend or withdraw.

An approved inspection is otherwise final, so a wrong one — a 一票否决 ticked for an accident that
happened elsewhere, an audit of the wrong facility — would count for the whole year, and an appeal
upheld against it could not take effect. The district corrects it in writing:

- **amend**: corrected answers become a new revision, re-scored with the pure engine against the
  pinned template, with its own findings; the inspection stays approved (by the corrector, with the
  reason). Rectifications of problems the corrected revision no longer finds are cancelled with a note;
  new problems get rectifications; the rest keep theirs.
- **withdraw**: the inspection stops counting anywhere (scoreboards and their vetoes, spot-check
  comparisons, a facility's condition and the sewage rates); its open rectifications are cancelled,
  repairs a withdrawn re-audit closed are reopened, its assignment is open again.

Either may name the upheld appeal it answers (``appeal_id``): the appeal records it, which is what
lets the scheme be noticed again and published. Scoreboards are recomputed after commit: a board under
notice or published is never touched, the recomputation is a new draft.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from geo.services.map_layers import RECTIFICATIONS, map_layers_bump
from kernel.access import DISTRICT_ROLES, REVIEWING_ROLES, Principal
from kernel.audit.services import audit_record
from kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from scoring.assessment.services import appeal_for_correction, appeal_record_correction, scheme_owner_check
from scoring.engine.checklist import missing_answers, score

from ..deadlines import DeadlineRules
from ..models import (
    RECTIFICATION_DONE,
    Assignment,
    AssignmentStatus,
    CorrectionAction,
    Finding,
    Inspection,
    InspectionCorrection,
    InspectionRevision,
    InspectionStatus,
    Rectification,
    RectificationStatus,
)
from ..subjects import hooks_for
from .inspection_review import _rectifications_from_findings
from .inspection_shared import (
    _audit,
    _inspections,
    _photo_counts,
    _queue_scoreboards,
    _validate_answers,
    schemes_counting,
    to_domain_answers,
)
from .inspection_submit import findings_create, score_json
from .templates import spec_of

_SEEING = REVIEWING_ROLES | DISTRICT_ROLES


@transaction.atomic
def inspection_amend(
    *,
    principal: Principal,
    client_uuid: uuid.UUID,
    answers: dict[str, dict[str, Any]],
    reason: str,
    appeal_id: int | None = None,
    if_match: int | None = None,
    rules: DeadlineRules | None = None,
) -> Inspection:
    """Correct an approved inspection's answers (only the items given change): a new, re-scored revision."""
    inspection = _correctable(principal, client_uuid, if_match, reason)
    spec = spec_of(inspection.template)
    _validate_answers(spec, answers)
    corrected = {**inspection.answers, **answers}
    if corrected == inspection.answers:
        raise InvalidInput(
            "更正后的答案与当前答案相同",
            code="no_change",
            details={"fields": {"answers": ["没有需要更正的答案"]}},
        )
    # A correction is a written decision, not a field visit: every required item must be answered,
    # but the photo rules an inspector meets on site are not asked of it (the visit's photos stay).
    photos_met = {key: item.min_photos for key, item in spec.items().items()}
    unanswered = missing_answers(spec, to_domain_answers(corrected, photos_met))
    if unanswered:
        raise InvalidInput(
            "更正后的检查表不完整",
            code="incomplete",
            details={"fields": {f"answers.{k}": [v] for k, v in unanswered.items()}},
        )
    result = score(spec, to_domain_answers(corrected, _photo_counts(inspection, spec)))
    appeal_id = _appeal(principal, appeal_id, inspection)
    before = _state(inspection)
    now = timezone.now()
    inspection.revision += 1
    inspection.revision_photos = 0  # a correction attaches no photos to its revision
    inspection.answers = corrected
    inspection.score = score_json(result)
    inspection.percent = result.percent.quantize(Decimal("0.0001"))
    inspection.vetoed = result.vetoed
    inspection.reviewed_by_id, inspection.reviewed_at = principal.user_id, now
    inspection.review_reason, inspection.item_comments = f"区级更正：{reason.strip()}", {}
    inspection.version += 1
    inspection.save()
    InspectionRevision.objects.create(
        inspection=inspection,
        revision=inspection.revision,
        answers=corrected,
        score=inspection.score,
        percent=inspection.percent,
        vetoed=inspection.vetoed,
        period=inspection.period,  # a correction fixes answers, never the year assessed
        submitted_at=now,  # when this revision was recorded; the inspection's own date is unchanged
        decision=InspectionStatus.APPROVED,
        decided_by_id=principal.user_id,
        decided_at=now,
        reason=inspection.review_reason,
    )
    findings_create(inspection, spec, result)
    rectifications = _rectifications_after_amend(
        principal, inspection, rules or DeadlineRules.load(), reason, approved_at=before["reviewed_at"] or now
    )
    return _record(principal, inspection, CorrectionAction.AMEND, reason, appeal_id, before, rectifications)


@transaction.atomic
def inspection_withdraw(
    *,
    principal: Principal,
    client_uuid: uuid.UUID,
    reason: str,
    appeal_id: int | None = None,
    if_match: int | None = None,
) -> Inspection:
    """Withdraw an approved inspection: it stops counting anywhere; its revisions stay readable."""
    inspection = _correctable(principal, client_uuid, if_match, reason)
    appeal_id = _appeal(principal, appeal_id, inspection)
    before = _state(inspection)
    inspection.status = InspectionStatus.WITHDRAWN
    inspection.version += 1
    inspection.save(update_fields=["status", "version", "updated_at"])
    note = f"检查已由区级撤销：{reason.strip()}"
    own = (
        Rectification.objects.select_for_update(of=("self",)).select_related("subject_region")
        .filter(finding__inspection=inspection).exclude(status__in=RECTIFICATION_DONE)
    )  # fmt: skip
    rectifications = {"cancelled": [_cancel(r, principal, inspection, note) for r in own]}
    # What else the withdrawal undoes is the subject kind's (a facility re-audit's closures, its condition).
    rectifications |= hooks_for(inspection.subject_kind).on_withdrawn(
        principal=principal, inspection=inspection, reason=reason.strip(), note=note
    )
    if inspection.assignment_id:  # the task is not done after all: the subject may be inspected anew
        Assignment.objects.filter(pk=inspection.assignment_id, status=AssignmentStatus.DONE).update(
            status=AssignmentStatus.OPEN, updated_at=timezone.now()
        )
    return _record(
        principal, inspection, CorrectionAction.WITHDRAW, reason, appeal_id, before, rectifications
    )


def _correctable(
    principal: Principal, client_uuid: uuid.UUID, if_match: int | None, reason: str
) -> Inspection:
    """The approved inspection, locked; scope, role, version, state and reason checked before any change."""
    inspection = _inspections().select_for_update(of=("self",)).filter(client_uuid=client_uuid).first()
    path = inspection.subject_region.path if inspection is not None else ""
    # Who may see it (its inspector, reviewers in scope) learns it exists; everyone else gets a 404.
    if inspection is None or not (
        inspection.inspector_id == principal.user_id or principal.covers(path, _SEEING)
    ):
        raise NotFound("检查记录不存在或不在您的管辖范围内", details={"client_uuid": str(client_uuid)})
    if not principal.covers(path, DISTRICT_ROLES):
        raise PermissionDenied("只有区级部门可以更正或撤销已通过的检查")
    # An inspection an assessment scheme counts is corrected only by the roles owning that scheme (the
    # 区安委办 for 安全生产 / 消防); others (sewage audits, section inspections) by any district role.
    for scheme_key in schemes_counting(inspection):
        scheme_owner_check(principal=principal, scheme_key=scheme_key, region_path=path)
    if inspection.inspector_id == principal.user_id:
        raise PermissionDenied("不能更正或撤销自己填写的检查", code="own_inspection")
    if if_match is not None and if_match != inspection.version:
        raise Conflict(
            "检查记录已被修改，请刷新后再更正",
            code="version_conflict",
            details={"current_version": inspection.version},
        )
    if inspection.status != InspectionStatus.APPROVED:
        raise Conflict(
            "只有已通过的检查可以更正或撤销", code="not_approved", details={"status": inspection.status}
        )
    if not reason.strip():
        raise InvalidInput(details={"fields": {"reason": ["必须书面说明更正理由"]}})
    return inspection


def _appeal(principal: Principal, appeal_id: int | None, inspection: Inspection) -> int | None:
    """The id of the upheld appeal the correction answers (checked and locked), if it names one."""
    if appeal_id is None:
        return None
    return appeal_for_correction(
        principal=principal,
        appeal_id=appeal_id,
        scheme_keys=schemes_counting(inspection),
        subject_kind=inspection.subject_kind,
        subject_id=inspection.subject_id,
    )


def _state(inspection: Inspection) -> dict[str, Any]:
    return {
        "status": inspection.status,
        "version": inspection.version,
        "revision": inspection.revision,
        "percent": None if inspection.percent is None else str(inspection.percent),
        "vetoed": inspection.vetoed,
        "reviewed_at": inspection.reviewed_at,
    }


def _record(
    principal: Principal,
    inspection: Inspection,
    action: str,
    reason: str,
    appeal_id: int | None,
    before: dict[str, Any],
    rectifications: dict[str, list[int]],
) -> Inspection:
    """Keep the correction, tell the appeal, audit, queue the recomputation; the inspection as it is now."""
    from ..selectors import inspection_result

    before.pop("reviewed_at")
    after = _state(inspection)
    after.pop("reviewed_at")
    correction = InspectionCorrection.objects.create(
        inspection=inspection,
        action=action,
        reason=reason.strip(),
        appeal_id=appeal_id,
        revision_before=before["revision"],
        revision_after=inspection.revision,
        before=before,
        after=after,
        rectifications=rectifications,
        corrected_by_id=principal.user_id,
    )
    if appeal_id is not None:
        appeal_record_correction(
            appeal_id=appeal_id,
            correction={
                "id": correction.pk,
                "inspection": str(inspection.client_uuid),
                "action": action,
                "reason": correction.reason,
                "by": principal.username,
                "at": timezone.localtime(correction.corrected_at).isoformat(),
            },
        )
    _audit(
        f"checklists.inspection.{action}",
        inspection,
        before,
        reason=correction.reason,
        percent=after["percent"],
        vetoed=after["vetoed"],
        appeal_id=appeal_id,
        rectifications=rectifications,
    )
    _queue_scoreboards(inspection)
    # Read under the row lock still held: the answer is exactly the state this correction produced.
    return inspection_result(inspection, principal=principal)


def _rectifications_after_amend(
    principal: Principal, inspection: Inspection, rules: DeadlineRules, reason: str, *, approved_at: datetime
) -> dict[str, list[int]]:
    """Problems the corrected revision no longer finds: their open rectifications are cancelled (closed
    ones stay closed). Problems it still finds keep theirs. New problems get new ones, dated from the
    inspection's own submission. In between, the subject's kind hears of the amendment (as a re-audit
    does, a facility's earlier problems are settled too; the problems it says are being rectified
    elsewhere get no new one)."""
    found = set(
        Finding.objects.filter(inspection=inspection, revision=inspection.revision).values_list(
            "item_key", flat=True
        )
    )
    own = (
        Rectification.objects.select_for_update(of=("self",)).select_related("finding", "subject_region")
        .filter(finding__inspection=inspection).exclude(status=RectificationStatus.CANCELLED)
    )  # fmt: skip
    kept: set[str] = set()
    cancelled = []
    note = f"检查经区级更正，不再有该问题：{reason.strip()}"
    for rect in own:
        if rect.finding.item_key in found:
            kept.add(rect.finding.item_key)
        elif rect.status not in RECTIFICATION_DONE:
            cancelled.append(_cancel(rect, principal, inspection, note))
    persisting = hooks_for(inspection.subject_kind).on_amended(
        principal=principal, inspection=inspection, approved_at=approved_at
    )
    created = _rectifications_from_findings(
        inspection,
        rules,
        found_on=timezone.localdate(inspection.submitted_at),
        skip_items=kept | persisting,
    )
    return {"cancelled": cancelled, "created": [r.pk for r in created]}


def _cancel(rect: Rectification, principal: Principal, inspection: Inspection, note: str) -> int:
    before = rect.status
    rect.status = RectificationStatus.CANCELLED
    rect.history = [*rect.history, {"at": timezone.now().isoformat(), "from": before, "to": rect.status,
                                    "action": "cancel", "by": principal.username, "note": note,
                                    "inspection": str(inspection.client_uuid)}]  # fmt: skip
    rect.save(update_fields=["status", "history", "updated_at"])
    map_layers_bump(RECTIFICATIONS)
    audit_record(action="checklists.rectification.cancel", obj=rect, region_path=rect.subject_region.path,
                 before={"status": before}, after={"status": rect.status, "note": note})  # fmt: skip
    return int(rect.pk)
