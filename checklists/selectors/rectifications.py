"""Rectifications in scope, one in full, and the overdue ones per town."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from kernel.access import DISTRICT_ROLES, REVIEWING_ROLES, Principal
from kernel.scope import scope_q

from ..models import RECTIFICATION_DONE, Rectification, RectificationPhoto
from .photos import _photos_for


def rectification_list(
    *,
    principal: Principal,
    status: str | None = None,
    overdue: bool | None = None,
    town_id: int | None = None,
) -> QuerySet[Rectification]:
    qs = Rectification.objects.filter(
        scope_q(principal.region_paths(REVIEWING_ROLES | DISTRICT_ROLES), "subject_region__path")
    )
    if status:
        qs = qs.filter(status=status)
    if overdue is not None:
        qs = qs.filter(overdue=overdue)
    if town_id is not None:
        qs = qs.filter(subject_town_id=town_id)
    return _rectification_detail(qs, principal).order_by("deadline", "id")


def _rectification_detail(
    qs: QuerySet[Rectification], principal: Principal | None = None
) -> QuerySet[Rectification]:
    return qs.select_related("finding", "subject_town").prefetch_related(
        Prefetch("photos", queryset=_photos_for(RectificationPhoto, principal))
    )


def rectification_result(
    rectification: Rectification, *, principal: Principal | None = None
) -> Rectification:
    """A rectification a service has just changed (see :func:`inspection_result`)."""
    return _rectification_detail(Rectification.objects.all(), principal).get(pk=rectification.pk)


@dataclass(frozen=True)
class TownOverdue:
    town_id: int | None
    town_name: str
    count: int
    items: list[Rectification]


def overdue_by_town(*, principal: Principal) -> list[TownOverdue]:
    """The overdue list per town (逾期清单): what each town must be warned about."""
    groups: dict[int | None, list[Rectification]] = {}
    names: dict[int | None, str] = {}
    for r in rectification_list(principal=principal, overdue=True).exclude(status__in=RECTIFICATION_DONE):
        groups.setdefault(r.subject_town_id, []).append(r)
        names[r.subject_town_id] = r.subject_town.name if r.subject_town else "区直"
    return sorted(
        (TownOverdue(t, names[t], len(items), items) for t, items in groups.items()),
        key=lambda g: (-g.count, g.town_name),
    )
