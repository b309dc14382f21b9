"""The demo's notification set-up: one webhook endpoint, **disabled** (the demo calls no real URL), with
subscriptions, so the admin shows how it is done; the demo's own events (inspections rejected, 公示, a
section below target…) are recorded as events with no delivery."""

from __future__ import annotations

from . import events
from .models import Endpoint, Subscription
from .services import endpoint_save

DEMO_ENDPOINT = "演示 Webhook（已停用，不发送）"
DEMO_URL = "https://example.invalid/fieldscore-webhook"  # .invalid never resolves
DEMO_SUBSCRIPTIONS = (
    events.INSPECTION_REJECTED, events.RECTIFICATION_OVERDUE, events.SCOREBOARD_NOTICE,
    events.SCOREBOARD_PUBLISHED, events.WATER_SECTION_BELOW_TARGET, events.WATER_DO_ALERT,
    events.BULLETIN_ISSUED,
)  # fmt: skip


def load_notifications() -> Endpoint:
    """Idempotent: the endpoint by name, its whole-district subscriptions."""
    endpoint = Endpoint.objects.filter(name=DEMO_ENDPOINT).first()
    if endpoint is None:
        endpoint = endpoint_save(
            endpoint=Endpoint(kind="webhook", name=DEMO_ENDPOINT, enabled=False),
            url=DEMO_URL,
            secret="demo-only-signing-secret",  # noqa: S106 - a demo value, stored encrypted like any
        )
    for event in DEMO_SUBSCRIPTIONS:
        Subscription.objects.get_or_create(endpoint=endpoint, event=event, region=None)
    return endpoint
