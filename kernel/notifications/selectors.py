from django.db.models import Q, QuerySet

from kernel.access import Principal, Role
from kernel.errors import InvalidInput, PermissionDenied
from kernel.scope import scope_q

from .events import EVENT_LABELS
from .models import Delivery, DeliveryStatus

# Who reads the delivery log: the district office (its regions) and administrators (everything).
DELIVERY_READERS = frozenset({Role.DISTRICT_OFFICE, Role.ADMIN})


def deliveries(
    *, principal: Principal, status: str | None = None, event: str | None = None
) -> QuerySet[Delivery]:
    """The delivery log the principal may read, newest first. Events of a region are in scope when the
    region is; district-wide events (no region) for readers whose grant is on a top-level region."""
    if not principal.has_any(DELIVERY_READERS):
        raise PermissionDenied("无权查看通知投递记录")
    if status is not None and status not in DeliveryStatus.values:
        raise InvalidInput("未知的投递状态", code="invalid_status", details={"fields": ["status"]})
    if event is not None and event not in EVENT_LABELS:
        raise InvalidInput("未知的事件", code="invalid_event", details={"fields": ["event"]})
    paths = principal.region_paths(DELIVERY_READERS)
    visible = scope_q(paths, "event__region__path")
    if paths is not None and any(p.count("/") == 2 for p in paths):  # "/<id>/": the district itself
        visible |= Q(event__region__isnull=True)
    qs = Delivery.objects.filter(visible).select_related("event", "endpoint")
    if status:
        qs = qs.filter(status=status)
    if event:
        qs = qs.filter(event__event=event)
    return qs.order_by("-created_at", "-id")
