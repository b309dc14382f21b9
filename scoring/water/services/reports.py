"""The bureau's monthly table."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from geo.models import SectionLevel
from kernel.access import Principal
from kernel.errors import InvalidInput

from ...engine import water
from .. import selectors
from ..readouts import (
    section_row,
)
from .evaluations import _sections


def monthly_report(*, principal: Principal, year: int, month: int) -> dict[str, Any]:
    """The bureau's monthly section table: this month's class, the same month last year, main pollutants
    with their exceedance multiples, CWQI."""
    if not 1 <= month <= 12:
        raise InvalidInput(details={"fields": {"month": ["应为 1 到 12"]}})
    sections = _sections(principal)
    ids = [s.pk for s in sections]
    this = selectors.period_means(ids, *_month_range(year, month))
    last = selectors.period_means(ids, *_month_range(year - 1, month))
    rows = []
    for s in sections:
        now = selectors.evaluate_values(s, this[s.pk]) if this.get(s.pk) else None
        before = selectors.evaluate_values(s, last[s.pk]) if last.get(s.pk) else None
        rows.append(
            {
                "section": asdict(section_row(s)),
                "level_label": SectionLevel(s.level).label,
                "now": now,
                "before": before,
            }
        )
    return {"year": year, "month": month, "rows": rows}


def _month_range(year: int, month: int) -> tuple[date, date]:
    p = water.period_of(date(year, month, 1), water.PeriodKind.MONTH)
    return p.start, p.end
