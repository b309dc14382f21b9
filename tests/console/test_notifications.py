"""The console's 通知 page through the test client: subscriptions in scope added and removed through the
service (its refusals shown as messages), the delivery log with 重新发送; never a URL token or a secret."""

from __future__ import annotations

from typing import Any

from django.test import Client

from kernel.audit.models import AuditEvent
from kernel.notifications import events
from kernel.notifications.models import Delivery, DeliveryStatus, Endpoint, Subscription
from kernel.notifications.services import endpoint_save, notify
from tests.browser import PASSWORD
from tests.conftest import make_user
from tests.console.test_console import signed_in

TOKEN = "robot-token-9876"


def _robot() -> Endpoint:
    url = f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}"
    return endpoint_save(
        endpoint=Endpoint(kind="dingtalk", name="区安委办工作群"), url=url, secret="SECsecret"
    )


def test_the_office_manages_subscriptions_and_replays(world, console_users: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    robot = _robot()
    office = signed_in("anweiban")
    page = office.get("/console/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "区安委办工作群" in html and "https://oapi.dingtalk.com/…" in html
    assert TOKEN not in html and "SECsecret" not in html and 'href="/console/notifications/"' in html
    add = {
        "action": "add",
        "endpoint": robot.pk,
        "event": events.INSPECTION_REJECTED,
        "region": world.town_a.pk,
    }
    assert office.post("/console/notifications/", add).status_code == 302
    assert office.post("/console/notifications/", {**add, "region": ""}).status_code == 302
    subs = {(s.event, s.region_id) for s in Subscription.objects.all()}
    assert subs == {(events.INSPECTION_REJECTED, world.town_a.pk), (events.INSPECTION_REJECTED, None)}
    again = office.post("/console/notifications/", add, follow=True).content.decode()
    assert "该订阅已存在" in again and Subscription.objects.count() == 2
    assert AuditEvent.objects.filter(action="notifications.subscription.add").count() == 2

    notify(
        events.INSPECTION_REJECTED,
        region_id=world.village_a.pk,
        title="检查被退回：甲村",
        text="理由",
        data={},
    )
    Delivery.objects.update(status=DeliveryStatus.FAILED, last_status_code=400, last_error="HTTP 400")
    log = office.get("/console/notifications/", {"status": "failed"}).content.decode()
    assert "检查被退回：甲村" in log and "HTTP 400" in log and "重新发送" in log
    failed = Delivery.objects.first()
    assert office.post("/console/notifications/", {"action": "replay", "id": failed.pk}).status_code == 302
    # one delivery per endpoint however many of its subscriptions match, and the copy
    assert Delivery.objects.count() == 2

    town_sub = Subscription.objects.get(region=world.town_a)
    assert office.post("/console/notifications/", {"action": "remove", "id": town_sub.pk}).status_code == 302
    assert not Subscription.objects.filter(pk=town_sub.pk).exists()


def test_scope_and_roles(world, console_users: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    robot = _robot()
    district_sub = Subscription.objects.create(endpoint=robot, event=events.APPEAL_FILED, region=None)
    b_sub = Subscription.objects.create(endpoint=robot, event=events.APPEAL_FILED, region=world.town_b)
    assert signed_in("changle").get("/console/notifications/").status_code == 403  # a town officer
    make_user("district_office", world.town_a, username="town_office_a", password=PASSWORD)
    town_office = Client()
    town_office.post("/console/login/", {"username": "town_office_a", "password": PASSWORD})
    html = town_office.get("/console/notifications/").content.decode()
    assert (
        f'data-subscription="{b_sub.pk}"' not in html and f'data-subscription="{district_sub.pk}"' not in html
    )
    add = {"action": "add", "endpoint": robot.pk, "event": events.APPEAL_FILED}
    refused = town_office.post("/console/notifications/", {**add, "region": world.town_b.pk}, follow=True)
    assert "不在您的管辖范围内" in refused.content.decode()
    district_wide = town_office.post("/console/notifications/", {**add, "region": ""}, follow=True)
    assert "只有区级可以订阅全区事件" in district_wide.content.decode()
    removed = town_office.post("/console/notifications/", {"action": "remove", "id": b_sub.pk}, follow=True)
    assert "不在您的管辖范围内" in removed.content.decode()
    assert Subscription.objects.count() == 2  # nothing changed
