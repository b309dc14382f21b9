"""``/console/rankings/dekad/``: the 每旬 逆序排名 of towns (65号 item 38) — the 旬's table (rank, score,
each indicator's value, 靠后), a bar chart of the scores (worst on top), and the towns at the bottom for
the scheme's N 旬 in a row over the last :data:`HISTORY_DAYS` days (约谈 candidates).

Every figure comes from :mod:`scoring.rankings.selectors`, called as ``GET /rankings/dekad`` and
``GET /rankings/dekad/history`` call them; the view only shapes the chart. An htmx request naming
:data:`PART` gets that part alone; a full load with the same query renders the whole page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kernel.errors import InvalidInput
from scoring.rankings import selectors as rankings

from ..access import ConsoleRequest, console_view
from .water import _day, _part

PART = "dekad-ranking"
HISTORY_DAYS = 90  # about nine 旬: enough to see a run of the scheme's N


@dataclass(frozen=True)
class Line:
    row: rankings.DekadRow
    cells: tuple[Decimal | None, ...]  # the counted indicators' values, in the scheme's order


def chart_option(ranking: rankings.DekadRanking) -> dict[str, Any]:
    """ECharts option: one bar per ranked town, its score (0–100), the worst on top as in the table."""
    ranked = [r for r in ranking.ranking if r.rank is not None]
    return {
        "animation": False,
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 96, "right": 32, "top": 16, "bottom": 32},
        "xAxis": {"type": "value", "min": 0, "max": 100},
        "yAxis": {"type": "category", "inverse": True, "data": [f"{r.rank}. {r.town.name}" for r in ranked]},
        "series": [
            {
                "name": "综合得分",
                "type": "bar",
                "data": [
                    {
                        "value": float(r.score or 0),
                        "itemStyle": {"color": "#a4161a" if r.at_bottom else "#0b5394"},
                    }
                    for r in ranked
                ],
                "label": {"show": True, "position": "right"},
            }
        ],
    }


def _context(request: ConsoleRequest, on: date) -> dict[str, Any]:
    ranking = rankings.dekad_ranking(principal=request.principal, on=on)
    history = rankings.dekad_history(
        principal=request.principal, first=on - timedelta(days=HISTORY_DAYS), last=on
    )
    counted = [i for i in ranking.indicators if i.counted]
    labels = {d.period.key: d.period.label for d in history.dekads}
    return {
        "ranking": ranking,
        "counted": counted,
        "left_out": [i for i in ranking.indicators if not i.counted],
        "lines": [Line(r, tuple(r.values.get(i.key) for i in counted)) for r in ranking.ranking],
        "history": history,
        "streaks": [(s, labels[s.first], labels[s.last]) for s in history.persistent_bottom],
        "chart": chart_option(ranking),
        "ranked": sum(1 for r in ranking.ranking if r.rank is not None),
        "on_value": on.isoformat(),
        "previous_dekad": (ranking.period.start - timedelta(days=1)).isoformat(),
        "next_dekad": (ranking.period.end + timedelta(days=1)).isoformat(),
    }


def _on(raw: str | None) -> date:
    on = _day(raw)
    if not 1900 <= on.year <= 2999:  # the API's day range (and the history's look-back stays a date)
        raise InvalidInput(details={"fields": {"on": ["应为 1900–2999 年间的日期，如 2026-05-12"]}})
    return on


@require_GET
@console_view
def dekad_page(request: ConsoleRequest) -> HttpResponse:
    on = _on(request.GET.get("on"))
    if request.headers.get("HX-Target") == PART:
        return _part(request, "console/rankings/dekad_part.html", lambda: _context(request, on))
    return render(request, "console/rankings/dekad.html", _context(request, on))
