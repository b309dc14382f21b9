"""``/console/sewage/``: the two sewage rates per town against the targets, the facilities (the API's
facility list with its filters and scope), a facility's dossier, and the 问题清单 / 整改清单 with their
downloads. Every number comes from the services the API calls; nothing here decides a rate or a scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_safe

from kernel.errors import ApplicationError, InvalidInput
from kernel.kit import page_of

from .. import services
from ..access import ConsoleRequest, console_view, error_context

SUBJECT_KIND = "sewage_facility"  # the lists and their downloads show sewage facilities only
PAGE_SIZE = 20
MAX_ID = 2**63 - 1  # ids are 64-bit, as in the API
LIST_ROWS = 200  # rows shown per list on the page; the download has them all
RATES = (("treatment", "治理率（双60）"), ("operation", "设施正常运行率"))
MET, MISSED, NO_DATA = "#1d6f42", "#b42318", "#8a94a6"


@dataclass(frozen=True)
class Filters:
    town_id: int | None
    status: str
    on: date | None
    page: int

    def query(self, *, page: int) -> str:
        """The query string of these filters on another page, for links that keep them."""
        values = {"town_id": self.town_id, "status": self.status, "on": self.on, "page": page}
        return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _positive(request: ConsoleRequest, name: str, label: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 19) or not 1 <= int(raw) <= MAX_ID:
        raise InvalidInput(details={"fields": {name: [f"{label}须为正整数"]}})
    return int(raw)


def _filters(request: ConsoleRequest) -> Filters:
    raw_on = request.GET.get("on", "").strip()
    try:
        on = date.fromisoformat(raw_on) if raw_on else None
    except ValueError:
        raise InvalidInput(details={"fields": {"on": ["日期格式应为 YYYY-MM-DD"]}}) from None
    return Filters(
        town_id=_positive(request, "town_id", "区镇"),
        status=request.GET.get("status", "").strip(),
        on=on,
        page=_positive(request, "page", "页码") or 1,
    )


def _chart(rates: Any, key: str, label: str) -> dict[str, Any]:
    """An ECharts bar chart of one rate per town, each bar coloured by the service's target check, and
    the target as a line."""
    target = next((c.target for c in rates.towns[0].targets if c.key == key), None) if rates.towns else None
    bars = []
    for town in rates.towns:
        check = next(c for c in town.targets if c.key == key)
        colour = NO_DATA if check.met is None else MET if check.met else MISSED
        bars.append({"value": check.rate.percent, "itemStyle": {"color": colour}})
    series: dict[str, Any] = {"type": "bar", "name": label, "data": bars, "barMaxWidth": 28}
    if target is not None:
        series["markLine"] = {
            "symbol": "none",
            "data": [{"yAxis": target, "name": "目标"}],
            "label": {"formatter": f"目标 {target:g}%", "position": "insideEndTop"},
            "lineStyle": {"color": "#b54708", "type": "dashed", "width": 2},
        }
    return {
        "title": {"text": label, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 16, "bottom": 90, "top": 40},
        "xAxis": {
            "type": "category",
            "data": [t.town.name for t in rates.towns],
            "axisLabel": {"rotate": 45, "interval": 0},
        },
        "yAxis": {"type": "value", "max": 100, "name": "%"},
        "series": [series],
    }


def _rates_context(request: ConsoleRequest, filters: Filters) -> dict[str, Any]:
    try:
        rates = services.sewage_rates(principal=request.principal, on=filters.on)
    except ApplicationError as exc:
        return {"rates_error": error_context(exc)}
    rows = [
        {"town": t.town, "checks": [next(c for c in t.targets if c.key == key) for key, _ in RATES]}
        for t in rates.towns
    ]
    district = None
    if rates.district is not None:
        district = [next(c for c in rates.district.targets if c.key == key) for key, _ in RATES]
    return {
        "rates": rates,
        "rate_rows": rows,
        "district_checks": district,
        "charts": [(f"sewage-chart-{key}", label, _chart(rates, key, label)) for key, label in RATES],
    }


def _facilities_context(request: ConsoleRequest, filters: Filters) -> dict[str, Any]:
    qs = services.facility_list(
        paths=request.principal.region_paths(), town_id=filters.town_id, status=filters.status or None
    )
    items, count = page_of(qs, page=filters.page, page_size=PAGE_SIZE)
    pages = max(1, -(-count // PAGE_SIZE))
    return {
        "facilities": items,
        "facility_count": count,
        "pages": pages,
        "previous_query": filters.query(page=filters.page - 1) if filters.page > 1 else None,
        "next_query": filters.query(page=filters.page + 1) if filters.page < pages else None,
    }


def _lists_context(request: ConsoleRequest, filters: Filters) -> dict[str, Any]:
    """The 问题清单 and 整改清单 rows exactly as the downloads write them (one read for both)."""
    items = services.rectification_items(
        principal=request.principal, town_id=filters.town_id, subject_kind=SUBJECT_KIND
    )
    lists = []
    for sheet, problems in (("problems", True), ("rectifications", False)):
        title, header, rows = services.rectification_sheet(items, problems=problems, one_town=filters.town_id)
        # The 整改清单 has a row per rectification, in order: mark the overdue ones.
        overdue = [r.overdue for r in items] if not problems else [False] * len(rows)
        lists.append(
            {
                "sheet": sheet,
                "title": title,
                "header": header,
                "rows": list(zip(rows[:LIST_ROWS], overdue[:LIST_ROWS], strict=True)),
                "count": len(rows),
            }
        )
    return {"lists": lists, "overdue_count": sum(1 for r in items if r.overdue), "list_rows": LIST_ROWS}


@console_view
@require_safe  # read-only: a POST is refused (405)
def sewage(request: ConsoleRequest) -> HttpResponse:
    towns = services.region_list(paths=request.principal.region_paths(), level="town")
    context: dict[str, Any] = {"towns": towns, "statuses": services.FacilityStatus.choices}
    status = 200
    try:
        filters = _filters(request)
    except InvalidInput as exc:
        filters, status = Filters(None, "", None, 1), exc.status
        context["filter_error"] = error_context(exc)
    context["filters"] = filters
    context.update(_rates_context(request, filters))
    if "rates_error" in context:
        status = 422
    context.update(_facilities_context(request, filters))
    context.update(_lists_context(request, filters))
    context["export_query"] = f"?town_id={filters.town_id}" if filters.town_id else ""
    template = (
        "console/sewage/body.html" if request.headers.get("HX-Request") else "console/sewage/index.html"
    )
    return render(request, template, context, status=status)


@console_view
@require_safe  # read-only: a POST is refused (405)
def facility(request: ConsoleRequest, facility_id: int) -> HttpResponse:
    if facility_id > MAX_ID:
        raise Http404("设施不存在或不在您的管辖范围内")
    dossier = services.facility_dossier(principal=request.principal, facility_id=facility_id)
    conditions = [
        {
            "row": c,
            "labels": [services.CONDITION_LABELS.get(k, k) for k in c.conditions],
            "status": services.STATUS_LABELS.get(c.status, c.status),
        }
        for c in dossier.conditions
    ]
    return render(request, "console/sewage/facility.html", {"dossier": dossier, "conditions": conditions})


@console_view
@require_safe  # read-only: a POST is refused (405)
def export(request: ConsoleRequest, sheet: str, fmt: str) -> HttpResponse:
    """A 问题清单 / 整改清单 download for a signed-in browser: the API's own export function and scope."""
    result = services.rectification_export(
        principal=request.principal,
        sheet=sheet,
        town_id=_positive(request, "town_id", "区镇"),
        subject_kind=SUBJECT_KIND,
        fmt=fmt,
    )
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


urls = [
    path("", sewage, name="sewage"),
    path("facilities/<int:facility_id>/", facility, name="sewage_facility"),
    path("exports/<str:sheet>.<str:fmt>", export, name="sewage_export"),  # problems|rectifications . xlsx|csv
]
