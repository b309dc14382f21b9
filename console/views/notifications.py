"""``/console/notifications/``: who hears which event (subscriptions of the district's endpoints, in the
caller's scope) and the delivery log with 重新发送, for the district office and administrators.

Reads are ``kernel.notifications.management.subscriptions_visible`` and ``selectors.deliveries`` (the
API's ``GET /notifications/deliveries``); writes are ``subscription_add`` / ``subscription_remove`` and
``delivery_replay``. Scope, roles and every refusal are theirs. Endpoints themselves (URLs, secrets) are
managed in the admin only.

The page's body is one htmx part (:data:`PART`): its forms post with htmx and get the part back — the
tables as they now are, the outcome beside them, a refusal with the service's status and the form's
choices kept; the log's filter swaps the part and keeps the URL. Without htmx a post redirects (message)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from geo.selectors import region_list
from kernel.errors import ApplicationError, InvalidInput
from kernel.notifications import management, selectors
from kernel.notifications.events import EVENT_CHOICES
from kernel.notifications.models import DeliveryStatus
from kernel.notifications.services import delivery_replay

from ..access import ConsoleRequest, console_view, error_context

LOG_SIZE = 50
PART = "notifications"


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 19 else None


def _status(raw: str | None) -> str | None:
    return raw if raw in DeliveryStatus.values else None


def _context(request: ConsoleRequest, status: str | None, **extra: Any) -> dict[str, Any]:
    principal = request.principal
    log = selectors.deliveries(principal=principal, status=status)
    towns = region_list(paths=principal.region_paths(management.MANAGERS), level="town").order_by(
        "code", "pk"
    )
    return {
        "subscriptions": management.subscriptions_visible(principal=principal),
        "endpoints": management.endpoints_listed(principal=principal),
        "events": EVENT_CHOICES, "towns": towns, "log": log[:LOG_SIZE],
        "statuses": DeliveryStatus.choices, "status": status or "",
        "replayable": {DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN, DeliveryStatus.DELIVERED},
        "chosen": {}, "notice": "", "error": None, **extra,
    }  # fmt: skip


@require_http_methods(["GET", "POST"])
@console_view
def notifications(request: ConsoleRequest) -> HttpResponse:
    htmx = request.headers.get("HX-Request") == "true"
    if request.method == "POST":
        return _post(request, htmx=htmx)
    context = _context(request, _status(request.GET.get("status")))
    if htmx and request.headers.get("HX-Target") == PART:
        return render(request, "console/notifications/part.html", context)
    return render(request, "console/notifications/index.html", context)


def _post(request: ConsoleRequest, *, htmx: bool) -> HttpResponse:
    status = _status(request.POST.get("status"))
    try:
        notice = _act(request)
    except ApplicationError as exc:
        if not htmx:
            messages.error(request, exc.message)
            return redirect("console:notifications")
        chosen = {k: request.POST.get(k, "") for k in ("endpoint", "event", "region")}
        context = _context(request, status, error=error_context(exc), chosen=chosen)
        return render(request, "console/notifications/part.html", context, status=exc.status)
    if not htmx:
        messages.success(request, notice)
        return redirect("console:notifications")
    return render(request, "console/notifications/part.html", _context(request, status, notice=notice))


def _act(request: ConsoleRequest) -> str:
    """Do what the form asks through the services; what to tell the user."""
    action, principal = request.POST.get("action"), request.principal
    if action == "add":
        endpoint = _number(request.POST.get("endpoint"))
        if endpoint is None:
            raise InvalidInput("请选择端点", code="invalid_endpoint", details={"fields": ["endpoint"]})
        region = request.POST.get("region") or ""
        management.subscription_add(
            principal=principal, endpoint_id=endpoint, event=request.POST.get("event", ""),
            region_id=None if region == "" else (_number(region) or -1),
        )  # fmt: skip
        return "已添加订阅"
    if action == "remove":
        management.subscription_remove(
            principal=principal, subscription_id=_number(request.POST.get("id")) or -1
        )
        return "已取消订阅"
    if action == "replay":
        new = delivery_replay(delivery_id=_number(request.POST.get("id")) or -1, principal=principal)
        return f"已重新发送（投递编号 {new.uid}）"
    raise InvalidInput("未知的操作", code="invalid_action", details={"fields": ["action"]})
