"""Subscriptions managed by the district office (the console's 通知 page; the admin does the same for
administrators): scope is checked before anything changes, and a region outside it answers 404."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from kernel.access import Principal
from kernel.audit.services import audit_record
from kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kernel.scope import scope_q

from .events import EVENT_LABELS
from .models import Endpoint, Subscription
from .selectors import DELIVERY_READERS

MANAGERS = DELIVERY_READERS


def _district_wide(principal: Principal) -> bool:
    """Whether the principal speaks for the whole district (admin, or a grant on a top-level region)."""
    paths = principal.region_paths(MANAGERS)
    return paths is None or any(p.count("/") == 2 for p in paths)


def _require_manager(principal: Principal) -> None:
    if not principal.has_any(MANAGERS):
        raise PermissionDenied("无权管理消息通知订阅")


def subscriptions_visible(*, principal: Principal) -> QuerySet[Subscription]:
    _require_manager(principal)
    visible = scope_q(principal.region_paths(MANAGERS), "region__path")
    if _district_wide(principal):
        visible |= Q(region__isnull=True)
    return Subscription.objects.filter(visible).select_related("endpoint", "region").order_by("event", "pk")


def endpoints_listed(*, principal: Principal) -> list[Endpoint]:
    """Endpoints by name (URL host only, never the secret): the district's configuration."""
    _require_manager(principal)
    return list(Endpoint.objects.order_by("name"))


@transaction.atomic
def subscription_add(
    *, principal: Principal, endpoint_id: int, event: str, region_id: int | None
) -> Subscription:
    _require_manager(principal)
    if event not in EVENT_LABELS:
        raise InvalidInput("未知的事件", code="invalid_event", details={"fields": ["event"]})
    endpoint = Endpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound("通知端点不存在", details={"fields": ["endpoint"]})
    if region_id is None:
        if not _district_wide(principal):
            raise PermissionDenied("只有区级可以订阅全区事件", code="district_only")
        path = None
    else:
        region_model = Subscription._meta.get_field("region").related_model
        path = region_model._default_manager.filter(pk=region_id).values_list("path", flat=True).first()  # type: ignore[union-attr]
        if path is None or not principal.covers(path, MANAGERS):
            raise NotFound("区域不存在或不在您的管辖范围内", details={"fields": ["region"]})
    same = Subscription.objects.filter(endpoint=endpoint, event=event)
    if same.filter(Q(region__isnull=True) if region_id is None else Q(region_id=region_id)).exists():
        raise Conflict("该订阅已存在", code="subscription_exists")
    try:
        with transaction.atomic():
            row = Subscription.objects.create(endpoint=endpoint, event=event, region_id=region_id)
    except IntegrityError as exc:  # the same subscription added meanwhile
        raise Conflict("该订阅已存在", code="subscription_exists") from exc
    audit_record(action="notifications.subscription.add", obj=row, region_path=path or "",
                 after={"endpoint": endpoint.name, "event": event, "region_id": region_id})  # fmt: skip
    return row


@transaction.atomic
def subscription_remove(*, principal: Principal, subscription_id: int) -> None:
    row = (
        subscriptions_visible(principal=principal)
        .select_for_update(of=("self",))
        .filter(pk=subscription_id)
        .first()
    )
    if row is None:
        raise NotFound("订阅不存在或不在您的管辖范围内")
    before = {"endpoint": row.endpoint.name, "event": row.event, "region_id": row.region_id}
    path = row.region.path if row.region is not None else ""
    audit_record(action="notifications.subscription.remove", obj=row, region_path=path, before=before)
    row.delete()
