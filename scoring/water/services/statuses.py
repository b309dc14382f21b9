"""A section's year: months meeting the target, 稳Ⅲ / 提Ⅲ, DO alerts, trend."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from geo.models import RiverSection
from kernel.access import Principal
from kernel.errors import InvalidInput, NotFound

from ...engine import water
from .. import selectors
from ..readouts import (
    SectionStatus,
    SectionStatuses,
    TownRef,
    evaluation_row,
    section_row,
)
from .evaluations import _sections


@dataclass(frozen=True)
class _Year:
    months: dict[int, dict[int, water.Evaluation]]  # section → month → evaluation
    last_year: dict[int, dict[int, water.Evaluation]]
    values: dict[int, dict[int, dict[str, Decimal]]]  # section → month → means


def _year(sections: list[RiverSection], year: int, through: int) -> _Year:
    last_day = water.period_of(date(year, through, 1), water.PeriodKind.MONTH).end
    means = selectors.monthly_means([s.pk for s in sections], date(year - 1, 1, 1), last_day)
    months: dict[int, dict[int, water.Evaluation]] = defaultdict(dict)
    last: dict[int, dict[int, water.Evaluation]] = defaultdict(dict)
    values: dict[int, dict[int, dict[str, Decimal]]] = defaultdict(dict)
    by_id = {s.pk: s for s in sections}
    for section_id, per_month in means.items():
        for (y, m), vals in per_month.items():
            ev = selectors.evaluate_values(by_id[section_id], vals)
            if y == year:
                months[section_id][m] = ev
                values[section_id][m] = vals
            elif m <= through:
                last[section_id][m] = ev
    return _Year(months, last, values)


def _through(year: int) -> int:
    today = timezone.localdate()
    return 12 if year < today.year else today.month if year == today.year else 0


def section_statuses(*, principal: Principal, year: int, section_id: int | None = None) -> SectionStatuses:
    """Per section and year: months meeting the target, 稳Ⅲ, 提Ⅲ (CWQI above the average of all the
    district's sections, flagged, or a DO alert), DO alert months, trend against last year's months."""
    through = _through(year)
    if through == 0:
        raise InvalidInput(details={"fields": {"year": ["不能查询未来年份"]}})
    everyone = _sections(principal)  # the average is over all sections the caller can see
    data = _year(everyone, year, through)
    annual = {
        s.pk: water.group_cwqi(list(data.values[s.pk].values()), s.water_body)
        if data.values.get(s.pk)
        else None
        for s in everyone
    }
    known = [v for v in annual.values() if v is not None]
    average = water.round_half_up(sum(known, Decimal(0)) / len(known), 4) if known else None
    rows = []
    for s in everyone:
        if section_id is not None and s.pk != section_id:
            continue
        status = water.section_status(
            data.months.get(s.pk, {}),
            target_class=s.target_class,
            average_cwqi=average,
            cwqi=annual[s.pk],
            do_alert=Decimal(str(settings.WATER_DO_ALERT)),
            flagged=s.watch_flag,
            last_year=data.last_year.get(s.pk, {}),
            through=through,
        )
        rows.append(
            SectionStatus(
                section=section_row(s),
                responsible_towns=tuple(TownRef(t.pk, t.name) for t in s.responsible_towns.all()),
                months_evaluated=tuple(status.months_evaluated),
                months_meeting=tuple(status.months_meeting),
                months_missing=tuple(status.months_missing),
                steady_iii=status.steady_iii,
                raise_iii=status.raise_iii,
                raise_reasons=tuple(water.RAISE_REASON_LABELS[r] for r in status.raise_reasons),
                do_alert_months=tuple(status.do_alert_months),
                cwqi=None if status.cwqi is None else float(status.cwqi),
                trend={str(m): t for m, t in status.trend.items()},
                monthly={str(m): evaluation_row(ev) for m, ev in sorted(data.months.get(s.pk, {}).items())},
            )
        )
    if section_id is not None and not rows:
        raise NotFound("断面不存在或不在您的管辖范围内", details={"section_id": section_id})
    return SectionStatuses(
        year=year,
        through_month=through,
        average_cwqi=None if average is None else float(average),
        do_alert_threshold=float(settings.WATER_DO_ALERT),
        sections=tuple(rows),
    )
