"""``/console/bulletins/``: the 通报 — the list (newest first), issuing one of each kind, the Word file.

Everything goes through ``scoring.bulletins.services``, as ``POST /api/v1/bulletins``, ``GET /bulletins``
and ``GET /bulletins/{id}/file`` do: who may issue which kind, the period's checks, which bulletins a
role sees (district roles every one, others the finished ones) are the service's. The body is one htmx
part (:data:`PART`): an issue swaps it in place (a refusal beside the forms, with the service's status
and what was typed kept); while a bulletin is being generated the part reloads itself every few seconds.
Without htmx an issue redirects."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from kernel.access import DISTRICT_ROLES
from kernel.errors import ApplicationError, InvalidInput
from kernel.jobs import JobStatus
from scoring.bulletins import services
from scoring.bulletins.models import BulletinKind
from scoring.engine.water.periods import PeriodKind, period_of

from ..access import ConsoleRequest, console_view, error_context

PART = "bulletins"
LIST_SIZE = 50


def _dekad_key(raw: str) -> str:
    """The 旬 containing the picked day (the form picks a day; the service takes the 旬's key)."""
    try:
        return period_of(date.fromisoformat(raw), PeriodKind.DEKAD).key
    except ValueError as exc:
        raise InvalidInput(
            "请选择该旬内的任一日期", code="bulletin_period_invalid",
            details={"fields": {"period": ["应为日期，如 2026-11-25"]}},
        ) from exc  # fmt: skip


def _context(request: ConsoleRequest, **extra: Any) -> dict[str, Any]:
    rows = list(services.bulletin_list(principal=request.principal)[:LIST_SIZE])
    today = timezone.localdate().isoformat()
    return {
        "bulletins": rows, "kinds": BulletinKind.choices,
        "may_issue": request.principal.has_any(DISTRICT_ROLES),
        "pending": any(b.status in (JobStatus.QUEUED, JobStatus.RUNNING) for b in rows),
        "typed": {"dekad": today, "assessment": "", "sewage_warning": today}, "notice": "", "error": None,
        "error_kind": "", **extra,
    }  # fmt: skip


@require_http_methods(["GET", "POST"])
@console_view
def bulletins(request: ConsoleRequest) -> HttpResponse:
    htmx = request.headers.get("HX-Request") == "true"
    if request.method == "POST":
        return _issue(request, htmx=htmx)
    if htmx and request.headers.get("HX-Target") in (PART, "bulletin-list"):
        return render(request, "console/bulletins/part.html", _context(request))
    return render(request, "console/bulletins/index.html", _context(request))


def _issue(request: ConsoleRequest, *, htmx: bool) -> HttpResponse:
    kind, raw = request.POST.get("kind", ""), request.POST.get("period", "").strip()
    try:
        period = _dekad_key(raw) if kind == BulletinKind.DEKAD else raw
        issued = services.bulletin_issue(principal=request.principal, kind=kind, period=period)
    except ApplicationError as exc:
        if not htmx:
            messages.error(request, exc.message)
            return redirect("console:bulletins")
        beside = kind if kind in BulletinKind.values else ""  # else above the forms
        context = _context(request, error=error_context(exc), error_kind=beside)
        context["typed"] = {**context["typed"], kind: raw}
        return render(request, "console/bulletins/part.html", context, status=exc.status)
    issued.refresh_from_db()  # generated already when Celery runs in-process (the embedded default)
    state = "已生成" if issued.status == JobStatus.DONE else "正在生成"
    notice = f"已出具：{issued.get_kind_display()}（{issued.period}），{state} Word 文件"
    if not htmx:
        messages.success(request, notice)
        return redirect("console:bulletins")
    return render(request, "console/bulletins/part.html", _context(request, notice=notice))


@require_GET
@console_view
def bulletin_file(request: ConsoleRequest, bulletin_id: int) -> HttpResponse:
    format = request.GET.get("format", "docx")
    name, data, content_type = services.bulletin_file(
        principal=request.principal, bulletin_id=bulletin_id, format=format
    )
    response = HttpResponse(data, content_type=content_type)
    ascii_name = f"bulletin-{bulletin_id}.{format}"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response
