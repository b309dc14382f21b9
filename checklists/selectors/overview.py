"""The town overview (区镇总览, issue 19): one row per town across the programme — the year's assessment
result, the water sections meeting their target, the sewage rates against the targets, the overdue
rectifications and the latest 每旬 rank.

Here, in the checklists room, because the rectifications are this app's; every other figure is what the
owning app's service answers for the same caller (the assessment's ``scoreboard_for``, water's
``town_indicators``, sewage's ``rates``), so the overview never disagrees with the page it summarises, and
its scope is theirs: the towns of the caller's regions (``region_list``), each figure as that service
scopes it. A fixed number of queries whatever the number of towns, sections or rectifications.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone

from geo.models import Region, RegionLevel
from geo.selectors import region_list
from kernel.access import DISTRICT_ROLES, REVIEWING_ROLES, Principal
from kernel.errors import InvalidInput, NotFound
from scoring.assessment.selectors import scoreboard_catalogue, scoreboard_for
from scoring.engine.water.periods import Period, PeriodKind, period_of
from scoring.rankings.selectors import town_ranks
from scoring.sewage.services import RateRow, TargetRow, TownRates, rates
from scoring.water.services import town_indicators

from ..models import RECTIFICATION_DONE
from .rectifications import rectification_list

# The status a board is read in, best first: a published board is the result; else the one under notice;
# else (district roles only) the draft, marked as such. (The assessment's statuses, by value: this room
# may not import its models.)
_PREFERENCE = ("final", "notice", "draft")


@dataclass(frozen=True)
class OverviewBoard:
    """The scoreboard the assessment columns come from."""

    scheme_key: str
    title: str
    status: str  # final / notice / draft
    status_label: str
    final: bool  # False: not (yet) the published result


@dataclass(frozen=True)
class AssessmentCell:
    total: str  # as the board stores it (two decimals, text: no float rounding)
    grade: str
    rank: int
    vetoed: bool
    award: str


@dataclass(frozen=True)
class WaterCell:
    sections: int  # the active sections the town is responsible for (tributary points excluded)
    evaluated: int  # of which have data in the year to date
    meeting_target: int  # of which the year-to-date means meet the section's target class


@dataclass(frozen=True)
class RateCell:
    numerator: int
    denominator: int
    percent: float | None
    target: float
    met: bool | None  # None: no denominator (nothing to measure)


@dataclass(frozen=True)
class SewageCell:
    treatment: RateCell
    operation: RateCell


@dataclass(frozen=True)
class TownRef:
    id: int
    name: str
    code: str | None


@dataclass(frozen=True)
class TownOverviewRow:
    town: TownRef
    assessment: AssessmentCell | None
    water: WaterCell
    sewage: SewageCell | None
    overdue_rectifications: int | None  # None: the caller may not read this town's rectifications
    dekad_rank: int | None


@dataclass(frozen=True)
class TownOverview:
    year: int
    on: date  # the figures as of this day (today for the current year, 31 December for a past one)
    board: OverviewBoard | None
    dekad: str | None  # the 旬 of ``dekad_rank`` ("2026年11月下旬"): the last one ended by ``on``
    rows: tuple[TownOverviewRow, ...]


def _board(principal: Principal, year: int) -> tuple[OverviewBoard, dict[int, AssessmentCell]] | None:
    """The year's town assessment board the caller may read, published first (see ``_PREFERENCE``)."""
    for entry in scoreboard_catalogue(principal=principal, year=year, unit_kind=RegionLevel.TOWN):
        for status in _PREFERENCE:
            try:
                board = scoreboard_for(principal=principal, scheme_key=entry.scheme_key, status=status)
            except NotFound:
                continue
            cells = {
                r["region_id"]: AssessmentCell(r["total"], r["grade"], r["rank"], r["vetoed"], r["award"])
                for r in board.rows
            }
            label = board.get_status_display()
            meta = OverviewBoard(entry.scheme_key, board.title, board.status, label, status == "final")
            return meta, cells
    return None


def _rate(row: RateRow, target: TargetRow | None) -> RateCell:
    return RateCell(
        row.numerator,
        row.denominator,
        row.percent,
        target.target if target else 0.0,
        target.met if target else None,
    )


def _sewage(town: TownRates) -> SewageCell:
    targets = {t.key: t for t in town.targets}
    return SewageCell(
        treatment=_rate(town.treatment, targets.get("treatment")),
        operation=_rate(town.operation, targets.get("operation")),
    )


def _overdue(principal: Principal, towns: list[Region]) -> dict[int, int | None]:
    """Open overdue rectifications per town, in the rectification list's scope (one grouped count)."""
    roles = REVIEWING_ROLES | DISTRICT_ROLES
    counts = dict(
        rectification_list(principal=principal, overdue=True)
        .exclude(status__in=RECTIFICATION_DONE)
        .order_by()
        .values_list("subject_town_id")
        .annotate(n=Count("id"))
    )
    return {t.pk: counts.get(t.pk, 0) if principal.covers(t.path, roles) else None for t in towns}


def overview_on(year: int | None) -> tuple[int, date]:
    """The year asked for (default: this one) and the day its figures are read as of."""
    today = timezone.localdate()
    year = today.year if year is None else year
    if year > today.year:
        raise InvalidInput(details={"fields": {"year": ["不能查询未来年份"]}})
    return year, today if year == today.year else date(year, 12, 31)


def last_dekad(on: date) -> Period:
    """The last 旬 ended by ``on``: its own when ``on`` is its last day, else the one before (the current
    旬's data are still coming in)."""
    current = period_of(on, PeriodKind.DEKAD)
    return current if current.end == on else period_of(current.start - timedelta(days=1), PeriodKind.DEKAD)


def town_overview(*, principal: Principal, year: int | None = None) -> TownOverview:
    """One row per town in the caller's scope (region order) for ``year`` (default this year)."""
    year, on = overview_on(year)
    towns = list(region_list(paths=principal.region_paths(), level=RegionLevel.TOWN))
    found = _board(principal, year)
    board, cells = found if found else (None, {})
    water = {t.town.id: t for t in town_indicators(principal=principal, kind="ytd", on=on).towns}
    sewage = {t.town.id: _sewage(t) for t in rates(principal=principal, on=on).towns}
    overdue = _overdue(principal, towns)
    dekad = last_dekad(on)
    dekad_ranks = town_ranks(on=dekad.end)
    rows = []
    for town in towns:
        w = water.get(town.pk)
        rows.append(
            TownOverviewRow(
                town=TownRef(town.pk, town.name, town.code),
                assessment=cells.get(town.pk),
                water=WaterCell(
                    sections=len(w.sections) if w else 0,
                    evaluated=sum(1 for s in w.sections if s.meets_target is not None) if w else 0,
                    meeting_target=w.sections_meeting_target if w else 0,
                ),
                sewage=sewage.get(town.pk),
                overdue_rectifications=overdue[town.pk],
                dekad_rank=dekad_ranks.get(town.pk),
            )
        )
    return TownOverview(year=year, on=on, board=board, dekad=dekad.label, rows=tuple(rows))
