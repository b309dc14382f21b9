"""A town's dashboard (``/console/towns/<region_id>/``), the list of towns the user may open, and the
console's door to evidence photos (``/console/photos/<sha256>/``).

Everything shown comes from the selectors and services the API calls for the same user: the scoreboard
rows and scorecards, appeals, spot-check comparisons, rectifications, inspections, sewage rates and river
sections. Scope is theirs too: a town outside the user's regions, or a region that is not a town,
answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from checklists.models import RECTIFICATION_DONE, Purpose, Rectification
from checklists.selectors import (
    inspection_list,
    overdue_by_town,
    rectification_list,
    spot_check_comparison,
    spot_check_list,
    template_catalogue,
)
from geo.models import Region, RegionLevel
from geo.selectors import region_get, region_list
from kernel.access import Principal
from kernel.errors import ApplicationError, InvalidInput, NotFound
from scoring.assessment.models import ScoreboardStatus
from scoring.assessment.scorecards import Scorecard, ScorecardComponent, scorecard
from scoring.assessment.selectors import appeals_for, scoreboard_catalogue, scoreboard_for
from scoring.engine import sewage as sewage_engine
from scoring.engine import water
from scoring.sewage import rules as sewage_rules
from scoring.sewage.services import RateRow, town_detail
from scoring.water.services import section_statuses

from ..access import ConsoleRequest, console_view, error_context
from ..services import town_overview, town_overview_export

API_PHOTO_PREFIX = "/api/v1/photos/"
PURPOSE_LABELS = dict(Purpose.choices)
TREND_ARROWS = {"better": ("↑", "好转"), "same": ("→", "持平"), "worse": ("↓", "变差")}


def _town(principal: Principal, region_id: int) -> Region:
    """The town, if the user's regions cover it (the API's region scope); else 404."""
    region = region_get(paths=principal.region_paths(), region_id=region_id)
    if region.level != RegionLevel.TOWN:
        raise NotFound("区镇不存在或不在您的管辖范围内", details={"region_id": region_id})
    return region


def console_photo_url(api_url: str) -> str:
    """The console's address of a photo the API names as ``/api/v1/photos/{sha256}``."""
    return "/console/photos/" + api_url.removeprefix(API_PHOTO_PREFIX).strip("/") + "/"


@dataclass(frozen=True)
class AssessmentRow:
    scheme_key: str
    title: str
    status: str
    status_label: str
    row: dict[str, Any]
    public: dict[str, Any] | None  # district roles: the row under notice / published beside the draft
    card: Scorecard | None  # None: the user may see the row, not what is behind it (e.g. planners)
    components: list[dict[str, Any]]
    appeals: list[Any]


def _public_row(
    principal: Principal, scheme_key: str, public_status: str | None, shown: str, town: Region
) -> dict[str, Any] | None:
    """Beside a draft (district roles), the town's row on the board the towns see (公示中 / 正式发布)."""
    if shown != ScoreboardStatus.DRAFT or not public_status:
        return None
    board = scoreboard_for(principal=principal, scheme_key=scheme_key, status=public_status)
    row = next((r for r in board.rows if r["region_id"] == town.pk), None)
    return None if row is None else {"label": ScoreboardStatus(board.status).label, "row": row}


def _component(component: ScorecardComponent, section_titles: dict[str, str]) -> dict[str, Any]:
    """A scorecard component as the drill-down shows it: section titles, console photo addresses."""
    inspections = [
        {
            "inspection": i,
            "purpose_label": PURPOSE_LABELS.get(i.purpose, i.purpose),
            "sections": [{**sec, "title": section_titles.get(sec["key"], sec["key"])} for sec in i.sections],
            "deductions": [
                {"deduction": d, "photos": [console_photo_url(u) for u in d.photos]} for d in i.deductions
            ],
        }
        for i in component.inspections
    ]
    return {
        "key": component.key,
        "title": component.title,
        "weight": component.weight,
        "score": component.score,
        "inspections": inspections,
    }


def _section_titles() -> dict[str, dict[str, str]]:
    """Per template key, its sections' titles (the published versions' documents), for the drill-down."""
    titles: dict[str, dict[str, str]] = {}
    for template in template_catalogue().only("key", "document"):
        for section in template.document.get("sections", []):
            titles.setdefault(template.key, {})[section["key"]] = section.get("title", section["key"])
    return titles


def _assessments(principal: Principal, town: Region) -> list[AssessmentRow]:
    result = []
    titles = _section_titles()
    for entry in scoreboard_catalogue(principal=principal, unit_kind=RegionLevel.TOWN):
        try:
            board = scoreboard_for(principal=principal, scheme_key=entry.scheme_key)
        except NotFound:
            continue
        row = next((r for r in board.rows if r["region_id"] == town.pk), None)
        if row is None:
            continue
        try:
            card: Scorecard | None = scorecard(
                principal=principal, scheme_key=entry.scheme_key, region_id=town.pk
            )
        except NotFound:
            card = None
        templates = {c["key"]: c["template"] for c in board.scheme_document["components"]}
        components = [
            _component(c, titles.get(templates.get(c.key, ""), {})) for c in (card.components if card else ())
        ]
        appeals = list(
            appeals_for(principal=principal, scheme_key=entry.scheme_key).filter(region_id=town.pk)
        )
        result.append(
            AssessmentRow(
                scheme_key=entry.scheme_key,
                title=entry.title,
                status=board.status,
                status_label=ScoreboardStatus(board.status).label,
                row=row,
                public=_public_row(principal, entry.scheme_key, entry.public_status, board.status, town),
                card=card,
                components=components,
                appeals=list(appeals),
            )
        )
    return result


def _spot_checks(principal: Principal, town: Region) -> list[dict[str, Any]]:
    found = []
    for spot in spot_check_list(principal=principal):
        rows = [c for c in spot_check_comparison(spot) if c.assignment.subject_town_id == town.pk]
        if rows:
            found.append({"spot": spot, "rows": rows})
    return found


def _rectifications(principal: Principal, town: Region) -> tuple[QuerySet[Rectification], int]:
    open_ = rectification_list(principal=principal, town_id=town.pk).exclude(status__in=RECTIFICATION_DONE)
    overdue = next((g.count for g in overdue_by_town(principal=principal) if g.town_id == town.pk), 0)
    return open_, overdue


def _rate(label: str, rate: RateRow, target: Any) -> dict[str, Any]:
    met = sewage_engine.meets(
        sewage_engine.Rate(rate.numerator, rate.denominator, None), target
    )  # the engine's own comparison (exact fraction)
    return {"label": label, "rate": rate, "target": float(target), "met": met}


def _sewage(principal: Principal, town: Region) -> dict[str, Any]:
    detail = town_detail(principal=principal, town_id=town.pk)
    rules = sewage_rules.load().rates
    rates = [
        _rate("农村生活污水治理率（双60）", detail.treatment, rules.treatment_target),
        _rate("设施正常运行率", detail.operation, rules.operation_target),
    ]
    chart = {
        "grid": {"left": 48, "right": 16, "top": 24, "bottom": 32},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": ["治理率", "正常运行率"]},
        "yAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {
                "type": "bar",
                "name": "本镇",
                "barMaxWidth": 48,
                "data": [r["rate"].percent for r in rates],
                "label": {"show": True, "position": "top", "formatter": "{c}%"},
                "markLine": {
                    "symbol": "none",
                    "lineStyle": {"type": "dashed", "color": "#b42318"},
                    "label": {"formatter": "{b}", "position": "insideEndTop"},
                    "data": [
                        {"name": f"治理率目标 {r0['target']:g}%", "yAxis": r0["target"]} for r0 in rates[:1]
                    ]
                    + [{"name": f"运行率目标 {r1['target']:g}%", "yAxis": r1["target"]} for r1 in rates[1:]],
                },
            }
        ],
    }
    return {"on": detail.on, "rates": rates, "chart": chart}


def _class_index(evaluation: Any) -> int | None:
    klass = getattr(evaluation, "class_", None)
    return None if klass is None else sorted(water.CLASS_LABELS).index(klass)


def _sections(principal: Principal, town: Region, today: date) -> dict[str, Any]:
    statuses = section_statuses(principal=principal, year=today.year)
    rows = []
    series = []
    months = list(range(1, statuses.through_month + 1))
    for s in statuses.sections:
        if town.pk not in {t.id for t in s.responsible_towns}:
            continue
        latest = max((int(m) for m in s.monthly), default=None)
        current = s.monthly.get(str(today.month))
        cells = []
        for m in months:
            ev = s.monthly.get(str(m))
            arrow = TREND_ARROWS.get(s.trend.get(str(m), ""))
            cells.append({"month": m, "evaluation": ev, "arrow": arrow})
        rows.append(
            {
                "status": s,
                "current": current,
                "latest_month": latest,
                "latest": s.monthly.get(str(latest)) if latest else None,
                "cells": cells,
            }
        )
        series.append(
            {
                "type": "line",
                "name": s.section.name,
                "connectNulls": False,
                "data": [_class_index(s.monthly.get(str(m))) for m in months],  # 0 = Ⅰ类 (axis order)
            }
        )
    classes = [water.CLASS_LABELS[k] for k in sorted(water.CLASS_LABELS)]  # Ⅰ (best, on top) … 劣Ⅴ
    chart = {
        "grid": {"left": 56, "right": 16, "top": 40, "bottom": 32},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "xAxis": {"type": "category", "data": [f"{m}月" for m in months]},
        "yAxis": {"type": "category", "inverse": True, "data": [f"{label}类" for label in classes]},
        "series": series,
    }
    return {"year": statuses.year, "through_month": statuses.through_month, "rows": rows, "chart": chart}


OVERVIEW_PART = "towns-overview"
FIRST_YEAR = 2022  # the 81号 / 65号 rules the programme starts from


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise InvalidInput(details={"fields": {"year": ["应为 2000–2100 年间的年份，如 2026"]}})
    return int(raw)


def _overview(request: ConsoleRequest) -> dict[str, Any]:
    """The 区镇总览 of ``GET /towns/overview`` for this user and the year asked for."""
    overview = town_overview(principal=request.principal, year=_year(request.GET.get("year")))
    today = timezone.localdate()
    years = list(range(today.year, min(FIRST_YEAR, overview.year) - 1, -1))
    return {"overview": overview, "years": years}


@require_safe
@console_view
def town_index(request: ConsoleRequest) -> HttpResponse:
    """区镇总览: one row per town the user may see (a town officer lands on their own town's page);
    ``?format=xlsx`` downloads it as the API's ``?format=xlsx`` writes it (same service, same scope)."""
    if request.GET.get("format") == "xlsx":
        file = town_overview_export(principal=request.principal, year=_year(request.GET.get("year")))
        response = HttpResponse(file.content, content_type=file.content_type)
        response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
        return response
    if request.headers.get("HX-Target") == OVERVIEW_PART:
        try:
            return render(request, "console/towns/overview.html", _overview(request))
        except ApplicationError as exc:
            context = {"error": error_context(exc)}
            return render(request, "console/partials/error.html", context, status=exc.status)
    towns = list(region_list(paths=request.principal.region_paths(), level=RegionLevel.TOWN))
    if len(towns) == 1 and not request.GET:
        return redirect("console:town", region_id=towns[0].pk)
    return render(request, "console/towns/index.html", _overview(request))


@require_safe
@console_view
def town_dashboard(request: ConsoleRequest, region_id: int) -> HttpResponse:
    principal = request.principal
    town = _town(principal, region_id)
    today = timezone.localdate()
    rectifications, overdue_count = _rectifications(principal, town)
    context = {
        "town": town,
        "today": today,
        "assessments": _assessments(principal, town),
        "spot_checks": _spot_checks(principal, town),
        "rectifications": rectifications,
        "overdue_count": overdue_count,
        "waiting": inspection_list(principal=principal, status="submitted", town_id=town.pk),
        "sewage": _sewage(principal, town),
        "water": _sections(principal, town, today),
    }
    return render(request, "console/towns/dashboard.html", context)
