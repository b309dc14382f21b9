"""``/console/water/``: the sections with the month's class, 稳Ⅲ / 提Ⅲ and DO alerts, a chart per section
(monthly class and CWQI over the year against last year) and the 每旬 reverse ranking of towns.

Every figure comes from :mod:`scoring.water.services`, called as the API's routes call them
(``GET /water/evaluations?period=month``, ``GET /water/status?year=``, ``GET /water/rankings/dekad``);
the view only joins their rows by section and shapes the chart options. An htmx request names its target
(``HX-Target``) and gets that part alone; a full load with the same query renders the whole page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from geo.models import SectionLevel
from kernel.errors import ApplicationError, InvalidInput
from scoring.engine.water import CLASS_LABELS, name_of
from scoring.water import services as water
from scoring.water.readouts import EvaluationRow, SectionRow, SectionStatus, SectionStatuses, TownRef

from ..access import ConsoleRequest, console_view, error_context
from .water_plan import plan_year, work_plan_context

SECTIONS_PART = "water-sections"
DEKAD_PART = "water-dekad"
TRENDS = {"better": "好转", "same": "持平", "worse": "变差"}  # the status's trend words, in zh-Hans
CLASS_AXIS = list(CLASS_LABELS.values())  # Ⅰ … 劣Ⅴ; the chart's axis is inverted (Ⅰ on top)


@dataclass(frozen=True)
class SectionLine:
    """One section on the page: the month's evaluation and the year's status, as the services answer."""

    section: SectionRow
    level_label: str
    towns: tuple[TownRef, ...]
    evaluation: EvaluationRow | None
    deciding: str  # the class-deciding indicators, named
    status: SectionStatus | None
    do_alert: bool  # the month is one of the status's DO alert months
    do_alert_months: str
    trend: str  # against the same month last year, as the status says ("" without one)
    chart_id: str
    chart: dict[str, Any]


def _month(raw: str | None) -> date:
    if not raw:
        return timezone.localdate().replace(day=1)
    m = re.fullmatch(r"(\d{4})-(\d{2})", raw)
    if not m or not 1 <= int(m[2]) <= 12 or not 2000 <= int(m[1]) <= 2100:
        raise InvalidInput(details={"fields": {"month": ["应为 2000–2100 年间的月份，如 2026-05"]}})
    return date(int(m[1]), int(m[2]), 1)


def _day(raw: str | None) -> date:
    if not raw:
        return timezone.localdate()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(details={"fields": {"on": ["应为日期，如 2026-05-12"]}}) from None


def _level(raw: str | None) -> str:
    if not raw:
        return str(SectionLevel.PROVINCIAL)
    if raw not in SectionLevel.values:
        raise InvalidInput(details={"fields": {"level": [f"应为 {'、'.join(SectionLevel.values)} 之一"]}})
    return raw


def _series(status: SectionStatus | None, field: str) -> list[Any]:
    monthly = status.monthly if status else {}
    return [getattr(monthly[str(m)], field) if str(m) in monthly else None for m in range(1, 13)]


def chart_option(
    section: SectionRow, year: int, now: SectionStatus | None, before: SectionStatus | None
) -> dict[str, Any]:
    """ECharts option: the class of each month (category axis, Ⅰ on top) with the target line, and the
    CWQI (right axis), this year against last year — the services' monthly evaluations, unchanged."""
    this, last = f"{year}年", f"{year - 1}年"
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "data": [f"{this}类别", f"{last}类别", f"{this}CWQI", f"{last}CWQI"]},
        "grid": {"left": 48, "right": 48, "top": 36, "bottom": 64},
        "xAxis": {"type": "category", "data": [f"{m}月" for m in range(1, 13)]},
        "yAxis": [
            {
                "type": "category",
                "name": "水质类别",
                "nameLocation": "start",
                "data": CLASS_AXIS,
                "inverse": True,
                "boundaryGap": False,
            },
            {"type": "value", "name": "CWQI", "min": 0, "splitLine": {"show": False}},
        ],
        "series": [
            {
                "name": f"{this}类别",
                "type": "line",
                "z": 3,
                "symbolSize": 8,
                "itemStyle": {"color": "#0b5394"},
                "lineStyle": {"width": 3},
                "data": _series(now, "class_label"),
                "markLine": {
                    "silent": True,
                    "symbol": "none",
                    "lineStyle": {"type": "dashed", "color": "#a4161a"},
                    "label": {"formatter": f"目标 {section.target_label}", "position": "insideEndTop"},
                    "data": [{"yAxis": section.target_label}],
                },
            },
            {
                "name": f"{last}类别",
                "type": "line",
                "z": 3,
                "itemStyle": {"color": "#8a3b00"},
                "lineStyle": {"type": "dashed", "width": 2},
                "data": _series(before, "class_label"),
            },
            {
                "name": f"{this}CWQI",
                "type": "bar",
                "yAxisIndex": 1,
                "itemStyle": {"color": "#9fc2e7"},
                "data": _series(now, "cwqi"),
            },
            {
                "name": f"{last}CWQI",
                "type": "bar",
                "yAxisIndex": 1,
                "itemStyle": {"color": "#d9d9d9"},
                "data": _series(before, "cwqi"),
            },
        ],
    }


def _section_lines(request: ConsoleRequest, month: date, section_id: int | None) -> dict[str, Any]:
    principal = request.principal
    evaluations = water.evaluations(principal=principal, kind="month", on=month, section_id=section_id)
    now = water.section_statuses(principal=principal, year=month.year, section_id=section_id)
    before: SectionStatuses = water.section_statuses(
        principal=principal, year=month.year - 1, section_id=section_id
    )
    statuses = {s.section.id: s for s in now.sections}
    last_year = {s.section.id: s for s in before.sections}
    lines = []
    for row in evaluations.sections:
        status = statuses.get(row.section.id)
        ev = row.evaluation
        alerts = status.do_alert_months if status else ()
        lines.append(
            SectionLine(
                section=row.section,
                level_label=SectionLevel(row.section.level).label,
                towns=status.responsible_towns if status else (),
                evaluation=ev,
                deciding="、".join(name_of(k) for k in ev.deciding) if ev else "",
                status=status,
                do_alert=month.month in alerts,
                do_alert_months="、".join(f"{m}月" for m in alerts),
                trend=TRENDS.get(status.trend.get(str(month.month), ""), "") if status else "",
                chart_id=f"water-chart-{row.section.id}",
                chart=chart_option(row.section, month.year, status, last_year.get(row.section.id)),
            )
        )
    return {
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "period": evaluations.period,
        "status": now,
        "lines": lines,
        "raise_count": sum(1 for line in lines if line.status and line.status.raise_iii),
        "alert_count": sum(1 for line in lines if line.do_alert),
    }


def _dekad(request: ConsoleRequest, on: date, level: str, month: date) -> dict[str, Any]:
    ranking = water.dekad_ranking(principal=request.principal, on=on, level=level)
    return {
        "dekad": ranking,
        "on_value": on.isoformat(),
        "month_value": f"{month:%Y-%m}",
        "level": level,
        "level_label": SectionLevel(level).label,
        "levels": SectionLevel.choices,
        "previous_dekad": (ranking.period.start - timedelta(days=1)).isoformat(),
        "next_dekad": (ranking.period.end + timedelta(days=1)).isoformat(),
    }


def _part(request: ConsoleRequest, template: str, build: Any) -> HttpResponse:
    """An htmx part: its context, or the service's error in its place (with the service's status)."""
    try:
        return render(request, template, build())
    except ApplicationError as exc:
        if exc.status == 404:
            raise
        return render(
            request, "console/partials/error.html", {"error": error_context(exc)}, status=exc.status
        )


@require_GET
@console_view
def water_page(request: ConsoleRequest) -> HttpResponse:
    month = _month(request.GET.get("month"))
    on, level = _day(request.GET.get("on")), _level(request.GET.get("level"))
    target = request.headers.get("HX-Target")
    if target == SECTIONS_PART:
        return _part(request, "console/water/sections.html", lambda: _section_lines(request, month, None))
    if target == DEKAD_PART:
        return _part(request, "console/water/dekad.html", lambda: _dekad(request, on, level, month))
    context = {**_section_lines(request, month, None), **_dekad(request, on, level, month)}
    return render(request, "console/water/page.html", context)


@require_GET
@console_view
def water_section(request: ConsoleRequest, section_id: int) -> HttpResponse:
    month = _month(request.GET.get("month"))
    context = _section_lines(request, month, section_id)
    line = context["lines"][0]
    monthly = line.status.monthly if line.status else {}
    alerts = line.status.do_alert_months if line.status else ()
    context |= {
        "line": line,
        "single": True,
        "months": [
            {"month": m, "evaluation": monthly.get(str(m)), "alert": m in alerts}
            for m in range(1, context["status"].through_month + 1)
        ],
    }
    if request.headers.get("HX-Target") == SECTIONS_PART:
        return render(request, "console/water/sections.html", context)
    # The 工作方案 panel (65号 item 15): the plan of the page month's year (never a future year).
    context |= work_plan_context(request, section_id, plan_year(None, month.year))
    return render(request, "console/water/section.html", context)
