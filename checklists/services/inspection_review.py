"""Reviewing an inspection: approve (findings become rectifications with deadlines) or reject."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from geo.services.map_layers import RECTIFICATIONS, map_layers_bump
from kernel.access import REVIEWING_ROLES, Principal
from kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied

from .. import notices
from ..deadlines import DeadlineRules
from ..models import (
    Assignment,
    AssignmentStatus,
    Finding,
    Inspection,
    InspectionRevision,
    InspectionStatus,
    Rectification,
    RectificationStatus,
)
from ..subjects import hooks_for
from .inspection_shared import _audit, _inspections, _queue_scoreboards
from .templates import spec_of


@transaction.atomic
def inspection_review(
    *,
    principal: Principal,
    client_uuid: uuid.UUID,
    approve: bool,
    reason: str,
    item_comments: dict[str, str],
    rules: DeadlineRules | None = None,
    if_match: int | None = None,
) -> Inspection:
    """Approve (findings become rectifications with deadlines) or reject (back to the inspector).

    ``if_match``: the version the reviewer read (the API's ``If-Match``, the console's form); a review of
    a version changed since is refused (``version_conflict``)."""
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
    if if_match is not None and if_match != inspection.version:
        raise Conflict(
            "检查记录已被修改，请刷新后再审核",
            code="version_conflict",
            details={"current_version": inspection.version},
        )
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
        notices.inspection_rejected(inspection)
    _audit(
        f"checklists.inspection.{'approve' if approve else 'reject'}",
        inspection,
        before,
        reason=reason.strip(),
    )
    _queue_scoreboards(inspection)
    return inspection


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
    map_layers_bump(RECTIFICATIONS)
    return Rectification.objects.bulk_create(rows)
