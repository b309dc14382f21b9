"""Spot checks: the list, one, and its comparison with the towns' own scores."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from kernel.access import DISTRICT_ROLES, Principal
from kernel.errors import NotFound

from ..models import Assignment, Inspection, InspectionStatus, Purpose, SpotCheck


def spot_check_list(*, principal: Principal) -> QuerySet[SpotCheck]:
    qs = SpotCheck.objects.order_by("-created_at")
    return qs if principal.has_any(DISTRICT_ROLES) else qs.filter(published_at__isnull=False)


def spot_check_get(*, principal: Principal, spot_check_id: int) -> SpotCheck:
    spot = spot_check_list(principal=principal).filter(pk=spot_check_id).first()
    if spot is None:
        raise NotFound("抽查不存在或尚未公开", details={"spot_check_id": spot_check_id})
    return spot


@dataclass(frozen=True)
class SpotComparison:
    assignment: Assignment
    spot_percent: Decimal | None
    own_percent: Decimal | None
    gap: Decimal | None
    flagged: bool


def spot_check_comparison(spot: SpotCheck) -> list[SpotComparison]:
    """Each sampled subject: the spot-check score, the town's own latest approved score, the gap — both
    assessing the draw's year."""
    assignments = list(spot.assignments.order_by("subject_town_id", "subject_id"))
    subject_ids = [a.subject_id for a in assignments]
    approved = Inspection.objects.filter(
        status=InspectionStatus.APPROVED,
        subject_kind=spot.subject_kind,
        subject_id__in=subject_ids,
        template__key=spot.template_key,
        period=spot.year,
    ).values("assignment_id", "subject_id", "purpose", "percent", "submitted_at")
    spot_scores: dict[int, Decimal] = {}
    own_scores: dict[int, tuple[Any, Decimal]] = {}
    for row in approved:
        if row["purpose"] == Purpose.SPOT_CHECK:
            if row["assignment_id"] is not None:
                spot_scores[row["assignment_id"]] = row["percent"]
        elif row["subject_id"] not in own_scores or own_scores[row["subject_id"]][0] < row["submitted_at"]:
            own_scores[row["subject_id"]] = (row["submitted_at"], row["percent"])
    result = []
    for a in assignments:
        s = spot_scores.get(a.pk)
        o = own_scores.get(a.subject_id, (None, None))[1]
        gap = (s - o) if s is not None and o is not None else None
        result.append(SpotComparison(a, s, o, gap, gap is not None and abs(gap) > spot.gap_threshold))
    return result
