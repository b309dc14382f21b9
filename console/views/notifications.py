"""``/console/notifications/``: who hears which event (subscriptions of the district's endpoints, in the
caller's scope) and the delivery log with 重新发送, for the district office and administrators.

Reads are ``kernel.notifications.management.subscriptions_visible`` and ``selectors.deliveries`` (the
API's ``GET /notifications/deliveries``); writes are ``subscription_add`` / ``subscription_remove`` and
``delivery_replay``. Scope, roles and every refusal are theirs. Endpoints themselves (URLs, secrets) are
managed in the admin only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from geo.selectors import region_list
from kernel.errors import ApplicationError
from kernel.notifications import management, selectors
from kernel.notifications.events import EVENT_CHOICES
from kernel.notifications.models import DeliveryStatus
from kernel.notifications.services import delivery_replay

from ..access import ConsoleRequest, console_view

LOG_SIZE = 50


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 19 else None


@console_view
def notifications(request: ConsoleRequest) -> HttpResponse:
    principal = request.principal
    if request.method == "POST":
        try:
            _act(request)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("console:notifications")
    status = request.GET.get("status") or None
    log = selectors.deliveries(
        principal=principal, status=status if status in DeliveryStatus.values else None
    )
    towns = region_list(paths=principal.region_paths(management.MANAGERS), level="town").order_by(
        "code", "pk"
    )
    return render(request, "console/notifications.html", {
        "subscriptions": management.subscriptions_visible(principal=principal),
        "endpoints": management.endpoints_listed(principal=principal),
        "events": EVENT_CHOICES, "towns": towns, "log": log[:LOG_SIZE],
        "statuses": DeliveryStatus.choices, "status": status,
        "replayable": {DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN, DeliveryStatus.DELIVERED},
    })  # fmt: skip


def _act(request: ConsoleRequest) -> None:
    action, principal = request.POST.get("action"), request.principal
    if action == "add":
        endpoint = _number(request.POST.get("endpoint"))
        if endpoint is None:
            raise ApplicationError("请选择端点", code="invalid_endpoint", status=422)
        region = request.POST.get("region") or ""
        management.subscription_add(
            principal=principal, endpoint_id=endpoint, event=request.POST.get("event", ""),
            region_id=None if region == "" else (_number(region) or -1),
        )  # fmt: skip
        messages.success(request, "已添加订阅")
    elif action == "remove":
        management.subscription_remove(
            principal=principal, subscription_id=_number(request.POST.get("id")) or -1
        )
        messages.success(request, "已取消订阅")
    elif action == "replay":
        new = delivery_replay(delivery_id=_number(request.POST.get("id")) or -1, principal=principal)
        messages.success(request, f"已重新发送（投递编号 {new.uid}）")
    else:
        raise ApplicationError("未知的操作", code="invalid_action", status=422)
