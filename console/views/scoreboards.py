"""``/console/scoreboards/<scheme>/``: a board's ranking, state, chart and exports, and the actions on it.

Everything here calls the API's own selectors and services (``GET /api/v1/scoreboards/{scheme}``,
``…/notice``, ``…/publish``, ``…/appeals``, ``/appeals/{id}/decide``, ``/appeals/{id}/photos``,
``…/awards/{key}/decision``, ``…/export``): no ranking, grading, scope or permission rule is written here.
An action refused by its service shows the service's own message on the page, with its status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from checklists.services.evidence import appeal_photo_add
from kernel.access import DISTRICT_ROLES, Role
from kernel.errors import ApplicationError, InvalidInput, NotFound, PayloadTooLarge
from scoring.assessment import exports, selectors, services
from scoring.assessment.api.boards import XLSX_TYPE

from ..access import ConsoleRequest, console_view, error_context, render_error

STATUSES = ("draft", "notice", "final")


def _status(request: ConsoleRequest) -> str | None:
    status = request.GET.get("status") or None
    return status if status in STATUSES else None


def _reverse(request: ConsoleRequest) -> bool:
    return request.GET.get("reverse") in ("1", "true")


def _chart(board: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The totals as bars in ranking order (a vetoed unit's bar in red), the scheme's band limits as
    marked lines. A long board zooms (slider) rather than squeezing 1,000 labels."""
    bands = [b for b in board.scheme_document.get("bands", []) if b.get("min") is not None]
    many = len(rows) > 40
    option: dict[str, Any] = {
        "grid": {"left": 48, "right": 72, "top": 32, "bottom": 48 if many else 16, "containLabel": True},
        "tooltip": {"trigger": "axis"},
        "xAxis": {
            "type": "category",
            "data": [r["unit_name"] for r in rows],
            "axisLabel": {"rotate": 45, "interval": "auto", "hideOverlap": True},
        },
        "yAxis": {"type": "value", "name": "总分", "min": 0, "max": 100},
        "series": [
            {
                "type": "bar",
                "name": "总分",
                "data": [
                    {"value": float(r["total"]), "itemStyle": {"color": "#a4161a"}}
                    if r["vetoed"]
                    else float(r["total"])
                    for r in rows
                ],
                "itemStyle": {"color": "#0b5394"},
                "markLine": {
                    "symbol": "none",
                    "lineStyle": {"color": "#8a4b00"},
                    "data": [
                        {"yAxis": float(b["min"]), "label": {"formatter": f"{b['label']} {b['min']}"}}
                        for b in bands
                    ],
                },
            }
        ],
    }
    if many:
        option["dataZoom"] = [{"type": "inside"}, {"type": "slider", "height": 18, "bottom": 8}]
    return option


def _board_context(request: ConsoleRequest, scheme_key: str) -> dict[str, Any]:
    principal = request.principal
    status, rev = _status(request), _reverse(request)
    board = selectors.scoreboard_for(principal=principal, scheme_key=scheme_key, status=status)
    entry = next(
        (e for e in selectors.scoreboard_catalogue(principal=principal) if e.scheme_key == scheme_key), None
    )
    if entry is None:
        raise NotFound("没有可查看的考核结果", details={"scheme_key": scheme_key})
    ranked = selectors.ranked_rows(board, reverse=rev)
    components = board.scheme_document["components"]
    district = principal.has_any(DISTRICT_ROLES)
    # The appeal form is the towns' (the service also lets the office file on a town's behalf, as the
    # demo does; the page leaves that to the API).
    appealable = set() if district else selectors.appealable_regions(principal=principal, board=board)
    rows = [
        {
            "rank": r["reverse_rank"] if rev else r["rank"],
            "region_id": r["region_id"],
            "unit": services.row_unit(r),
            "unit_name": r["unit_name"],
            "scores": [r["components"].get(c["key"]) for c in components],
            "total": r["total"],
            "grade": r["grade"],
            "awards": [a for a in (r["award"], *r.get("single_awards", ())) if a],
            "vetoed": r["vetoed"],
            "veto_reasons": r["veto_reasons"],
            "notes": r["notes"],
            "mine": r["region_id"] in appealable,
        }
        for r in ranked
    ]
    appeals = list(selectors.appeals_for(principal=principal, scheme_key=scheme_key).order_by("-filed_at"))
    names = {r["unit"]: r["unit_name"] for r in rows} | {r["region_id"]: r["unit_name"] for r in rows}
    labels = {
        a["key"]: a["label"]
        for a in (*board.scheme_document.get("awards", []), *board.scheme_document.get("single_awards", []))
    }
    ties = [
        {"key": key, "label": labels.get(key, key), "units": [(u, names.get(u, str(u))) for u in tied]}
        for key, tied in board.undecided.items()
        if tied
    ]
    may_act = entry.may_act
    query = ("?status=" + status) if status else ""
    return {
        "board": board,
        "entry": entry,
        "scheme_key": scheme_key,
        "status": status,
        "reversed": rev,
        "components": components,
        "rows": rows,
        "mine": [r for r in rows if r["mine"]],
        "appeals": appeals,
        "ties": ties,
        "waiting_ties": [k for k, t in board.undecided.items() if not t],
        "may_act": may_act,
        "district": district,
        "owner_labels": [Role(o).label for o in entry.owners],
        "unit_label": exports.UNIT_LABELS.get(entry.unit_kind, "单位"),
        "can_notice": may_act and entry.has_draft,
        "can_publish": may_act and entry.public_status == "notice",
        "can_decide": may_act,
        "chart": _chart(board, selectors.ranked_rows(board)),
        "status_query": query,
        "photo_max_mb": settings.PHOTO_MAX_BYTES // (1024 * 1024),
    }


@console_view
def catalogue(request: ConsoleRequest) -> HttpResponse:
    """``/console/scoreboards/``: the schemes this user may see (``GET /api/v1/scoreboards``)."""
    boards = selectors.scoreboard_catalogue(principal=request.principal, year=None, unit_kind=None)
    return render(request, "console/scoreboards.html", {"boards": boards})


@console_view
def board(request: ConsoleRequest, scheme_key: str) -> HttpResponse:
    context = _board_context(request, scheme_key)
    partial = (
        request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "board-table"
    )
    template = "console/scoreboards/table.html" if partial else "console/scoreboards/board.html"
    response = render(request, template, context)
    patch_vary_headers(
        response, ["HX-Request", "HX-Target"]
    )  # one URL, two answers: never cache one for the other
    return response


def _act(request: ConsoleRequest, scheme_key: str, action: Callable[[], object], done: str) -> HttpResponse:
    """Run one service; on success back to the page with a message, on refusal the page with the
    service's own error (its status: 400, 403, 409…). ``NotFound`` stays a 404 (console_view)."""
    try:
        action()
    except NotFound:
        raise
    except ApplicationError as exc:
        try:
            context = _board_context(request, scheme_key)
        except NotFound:  # the board itself is not the caller's to see: the error alone
            return render_error(request, exc)
        context["action_error"] = error_context(exc)
        return render(request, "console/scoreboards/board.html", context, status=exc.status)
    messages.success(request, done)
    return redirect(reverse("console:scoreboard", args=[scheme_key]) + _back(request))


def _back(request: ConsoleRequest) -> str:
    status = request.POST.get("status")
    return f"?status={status}" if status in STATUSES else ""


@require_POST
@console_view
def notice(request: ConsoleRequest, scheme_key: str) -> HttpResponse:
    return _act(
        request,
        scheme_key,
        lambda: services.scoreboard_notice(principal=request.principal, scheme_key=scheme_key),
        "已公示，区镇可在申诉期内申诉",
    )


@require_POST
@console_view
def publish(request: ConsoleRequest, scheme_key: str) -> HttpResponse:
    return _act(
        request,
        scheme_key,
        lambda: services.scoreboard_publish(principal=request.principal, scheme_key=scheme_key),
        "已正式发布",
    )


def _int(value: str | None, field: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise InvalidInput(details={"fields": {field: ["请选择"]}}) from None


@require_POST
@console_view
def award_decision(request: ConsoleRequest, scheme_key: str, award_key: str) -> HttpResponse:
    def act() -> None:
        region_ids = [_int(v, "region_ids") for v in request.POST.getlist("region_ids")]
        services.award_decision_record(
            principal=request.principal,
            scheme_key=scheme_key,
            award_key=award_key,
            region_ids=region_ids,
            reason=request.POST.get("reason", ""),
        )

    return _act(request, scheme_key, act, "并列已决定，草稿已重新计算")


@require_POST
@console_view
def appeal_decide(request: ConsoleRequest, scheme_key: str, appeal_id: int) -> HttpResponse:
    def act() -> None:
        outcome = request.POST.get("outcome")
        if outcome not in ("upheld", "rejected"):
            raise InvalidInput(details={"fields": {"outcome": ["请选择申诉成立或不成立"]}})
        services.appeal_decide(
            principal=request.principal,
            appeal_id=appeal_id,
            upheld=outcome == "upheld",
            decision=request.POST.get("decision", ""),
            rescore=request.POST.get("rescore") == "1",
        )

    return _act(request, scheme_key, act, "申诉已处理")


@require_POST
@console_view
def appeal_file(request: ConsoleRequest, scheme_key: str) -> HttpResponse:
    def act() -> None:
        region_id, _, unit = (request.POST.get("unit") or "").partition(":")
        services.appeal_file(
            principal=request.principal,
            scheme_key=scheme_key,
            region_id=_int(region_id, "unit"),
            unit_id=_int(unit, "unit") if unit else None,
            reason=request.POST.get("reason", ""),
            evidence=[],
        )

    return _act(request, scheme_key, act, "申诉已提交，可继续上传证据照片")


@require_POST
@console_view
def appeal_photo(request: ConsoleRequest, scheme_key: str, appeal_id: int) -> HttpResponse:
    def act() -> None:
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(details={"fields": {"file": ["请选择照片"]}})
        if upload.size is not None and upload.size > settings.PHOTO_MAX_BYTES:
            raise PayloadTooLarge("照片过大", details={"max_bytes": settings.PHOTO_MAX_BYTES})
        appeal_photo_add(principal=request.principal, appeal_id=appeal_id, data=upload.read())

    return _act(request, scheme_key, act, "证据照片已上传")


@console_view
def export(request: ConsoleRequest, scheme_key: str, fmt: str) -> HttpResponse:
    """The API's 通报表 download (``GET /api/v1/scoreboards/{scheme}/export``) for a signed-in browser:
    the same selector and export functions, the same file."""
    status, rev = _status(request), _reverse(request)
    board = selectors.scoreboard_for(principal=request.principal, scheme_key=scheme_key, status=status)
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(board, reverse=rev), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.to_xlsx(board, reverse=rev), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{scheme_key}-{board.status}.{fmt}"'
    return response


urlpatterns = [
    path("", board, name="scoreboard"),
    path("notice/", notice, name="scoreboard_notice"),
    path("publish/", publish, name="scoreboard_publish"),
    path("export.xlsx", export, {"fmt": "xlsx"}, name="scoreboard_xlsx"),
    path("export.csv", export, {"fmt": "csv"}, name="scoreboard_csv"),
    path("awards/<str:award_key>/decision/", award_decision, name="scoreboard_award_decision"),
    path("appeals/", appeal_file, name="scoreboard_appeal_file"),
    path("appeals/<int:appeal_id>/decide/", appeal_decide, name="scoreboard_appeal_decide"),
    path("appeals/<int:appeal_id>/photos/", appeal_photo, name="scoreboard_appeal_photo"),
]
