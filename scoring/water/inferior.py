"""The 劣Ⅴ list of a key section (65号 item 19): the tributary monitoring points (``RiverSection`` of level
``tributary``) within ``km`` upstream along the river network, their monthly GB 3838 classes, and the
engine's entries, exits (清零) and monthly count (``scoring.engine.water.inferior``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from geo.models import SectionLevel, SiteKind
from geo.rivers.selectors import section_upstream_reach
from geo.selectors import section_list
from kernel.access import Principal
from kernel.errors import InvalidInput, NotFound

from ..engine.water import inferior
from .selectors import evaluate_values, monthly_means

HISTORY_MONTHS = 12  # months read before ``first`` so a point already on the list then is counted
MAX_MONTHS = 60


@dataclass(frozen=True)
class InferiorVPoint:
    id: int
    code: str
    name: str
    river: str
    river_id: str
    distance_m: float
    on_list: bool  # on the list in the last month asked for
    spells: tuple[inferior.Spell, ...]  # the stays overlapping the months asked for
    latest_class: int | None  # its latest measured class up to the last month asked for
    latest_month: date | None


@dataclass(frozen=True)
class SectionInferiorV:
    section_id: int
    section_name: str
    km: float
    first: date
    last: date
    points_monitored: int  # tributary points within reach (in scope)
    points: tuple[InferiorVPoint, ...]  # every point on the list at some month asked for, by distance
    count_by_month: tuple[tuple[date, int], ...]


def _months_back(month: date, n: int) -> date:
    y, m = divmod(month.year * 12 + month.month - 1 - n, 12)
    return date(y, m + 1, 1)


def section_inferior_v(
    *, principal: Principal, section_id: int, first: date, last: date, km: float = 10.0
) -> SectionInferiorV:
    """The list for a section in the caller's scope (404 otherwise), from ``first``'s month to ``last``'s."""
    paths = principal.region_paths()
    section = section_list(paths=paths).filter(pk=section_id).first()
    if section is None:
        raise NotFound("断面不存在或不在您的管辖范围内", details={"section_id": section_id})
    first, last = inferior.month_start(first), inferior.month_start(last)
    months = inferior.months_between(first, last)
    if not months or len(months) > MAX_MONTHS:
        message = f"起止月份应满足 from ≤ to，且不超过 {MAX_MONTHS} 个月"
        raise InvalidInput(message, code="invalid_period", details={"fields": {"from": [message]}})
    reach = section_upstream_reach(
        section=section, max_distance_m=km * 1000.0, kinds=(SiteKind.RIVER_SECTION,)
    )
    reached = {s.site_id: s for s in reach.sites[SiteKind.RIVER_SECTION] if s.site_id != section.pk}
    points = {
        p.pk: p for p in section_list(paths=paths, level=SectionLevel.TRIBUTARY).filter(pk__in=list(reached))
    }
    series: dict[int, dict[date, int | None]] = {pk: {} for pk in points}
    last_day = _months_back(last, -1) - timedelta(days=1)  # the last month's last day (inclusive)
    for pk, by_month in monthly_means(list(points), _months_back(first, HISTORY_MONTHS), last_day).items():
        for (y, m), values in by_month.items():
            month = date(y, m, 1)
            if month <= last:
                series[pk][month] = evaluate_values(points[pk], values).klass
    found = inferior.inferior_v_list(series, months)
    out = []
    for entry in found.points:
        shown = tuple(s for s in entry.spells if s.entered <= last and (s.left is None or s.left > first))
        if not shown:
            continue
        p, site = points[entry.point], reached[entry.point]  # type: ignore[index]
        measured = [m for m, k in series[p.pk].items() if k is not None]
        latest = max(measured, default=None)
        out.append(
            InferiorVPoint(
                p.pk, p.code, p.name, p.river, site.river_id, site.distance_m,
                any(s.covers(last) for s in shown), shown,
                series[p.pk][latest] if latest else None, latest,
            )
        )  # fmt: skip
    return SectionInferiorV(
        section.pk, section.name, km, first, last, len(points),
        tuple(sorted(out, key=lambda p: (p.distance_m, p.id))), found.count_by_month,
    )  # fmt: skip
