"""``/console/notifications/`` in Chromium (own data: an enabled webhook to a local receiver, a disabled
robot): the district office reaches it from the navigation, adds and removes subscriptions and replays a
failed delivery through the page's own forms — htmx, in place, under the CSP, a refusal shown beside the
form — and the receiver gets the replay, signed; town officers and planners have no entry and a 403."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from kernel.notifications import events
from kernel.notifications.models import Delivery, DeliveryStatus, Endpoint, Subscription
from kernel.notifications.services import endpoint_save, notify
from tests.kernel.receiver import Receiver, receiver

SECRET = "hook-signing-secret"


@pytest.fixture
def hook() -> Iterator[Receiver]:
    # the first message is refused (400: failed, not retried), the replay accepted
    with receiver(script=[(400, b"bad request"), (200, b"ok")]) as r:
        yield r


def _endpoints(hook: Receiver) -> tuple[Endpoint, Endpoint]:
    webhook = endpoint_save(
        endpoint=Endpoint(kind="webhook", name="区安委办 Webhook"), url=f"{hook.url}/in", secret=SECRET
    )
    robot = endpoint_save(
        endpoint=Endpoint(kind="dingtalk", name="四甲镇工作群", enabled=False),
        url="https://oapi.dingtalk.com/robot/send?access_token=robot-token-55",
        secret="SECrobot",
    )
    return webhook, robot


def _rejected(world: Any) -> None:
    title = "检查被退回：甲村"
    notify(events.INSPECTION_REJECTED, region_id=world.village_a.pk, title=title, text="照片不清")


def _choose(page: Any, endpoint: Endpoint, event: str, region: str) -> None:
    page.get_by_label("端点").select_option(value=str(endpoint.pk))
    page.get_by_label("事件").select_option(label=event)
    page.get_by_label("区域").select_option(label=region)


def _kept(page: Any) -> None:
    """Mark the document: a full reload (a plain form post) would lose the mark, an htmx swap keeps it."""
    page.evaluate("window.keptDocument = true")


def _still_the_same_document(page: Any) -> bool:
    return bool(page.evaluate("window.keptDocument === true"))


@pytest.mark.allow_console_errors("status of 409")  # the repeated subscription, refused in place
def test_the_office_manages_subscriptions_and_replays(  # type: ignore[no-untyped-def]
    page, login, screenshot, console_users, world, hook
) -> None:
    webhook, robot = _endpoints(hook)
    Subscription.objects.create(endpoint=webhook, event=events.INSPECTION_REJECTED, region=None)
    b_sub = Subscription.objects.create(endpoint=robot, event=events.APPEAL_FILED, region=world.town_b)
    _rejected(world)
    failed = Delivery.objects.get()
    assert failed.status == DeliveryStatus.FAILED and len(hook.requests) == 1  # sent once, refused

    login(page, "anweiban")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="通知").click()
    page.wait_for_url("**/console/notifications/")
    subs, log = page.locator("#subscriptions"), page.locator("#deliveries")
    assert "区安委办 Webhook" in subs.inner_text() and "四甲镇工作群" in subs.inner_text()
    assert "robot-token-55" not in page.content() and SECRET not in page.content()
    row = log.locator(f'tr[data-delivery="{failed.uid}"]')
    assert "检查被退回：甲村" in row.inner_text() and "失败" in row.inner_text()
    assert "HTTP 400" in row.inner_text()
    _kept(page)

    # add: in place, the new row and the message in the part
    _choose(page, webhook, "收到考核申诉", "常乐镇")
    page.get_by_role("button", name="添加订阅").click()
    page.locator("#notifications [data-notice]", has_text="已添加订阅").wait_for()
    added = Subscription.objects.get(endpoint=webhook, event=events.APPEAL_FILED)
    assert added.region_id == world.town_a.pk
    new_row = subs.locator(f'tr[data-subscription="{added.pk}"]')
    assert "收到考核申诉" in new_row.inner_text() and "常乐镇" in new_row.inner_text()
    assert _still_the_same_document(page)

    # the same again: refused (409) beside the form, nothing added, what was chosen still chosen
    _choose(page, webhook, "收到考核申诉", "常乐镇")
    page.get_by_role("button", name="添加订阅").click()
    page.locator("#notifications [role=alert]", has_text="该订阅已存在").wait_for()
    assert Subscription.objects.filter(endpoint=webhook, event=events.APPEAL_FILED).count() == 1
    assert page.get_by_label("区域").locator("option:checked").inner_text() == "常乐镇"
    assert page.get_by_label("事件").locator("option:checked").inner_text() == "收到考核申诉"
    assert _still_the_same_document(page)

    # remove 四甲镇's subscription
    subs.locator(f'tr[data-subscription="{b_sub.pk}"]').get_by_role("button", name="取消订阅").click()
    page.locator("#notifications [data-notice]", has_text="已取消订阅").wait_for()
    assert subs.locator(f'tr[data-subscription="{b_sub.pk}"]').count() == 0
    assert not Subscription.objects.filter(pk=b_sub.pk).exists()

    # replay the failed delivery: a new delivery, sent to the receiver and accepted
    log.locator(f'tr[data-delivery="{failed.uid}"]').get_by_role("button", name="重新发送").click()
    page.locator("#notifications [data-notice]", has_text="已重新发送").wait_for()
    replay = Delivery.objects.exclude(pk=failed.pk).get()
    assert replay.status == DeliveryStatus.DELIVERED
    assert "已送达" in log.locator(f'tr[data-delivery="{replay.uid}"]').inner_text()
    assert len(hook.requests) == 2 and hook.requests[1].signature_ok(SECRET)
    assert hook.requests[1].json()["title"] == "检查被退回：甲村"
    assert hook.requests[1].headers["x-fieldscore-delivery"] == str(replay.uid)

    # the log's filter: in place too, and the URL says what is shown
    page.get_by_label("状态").select_option(label="失败")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**status=failed**")
    shown = log.locator("tbody tr[data-delivery]")
    expect(shown).to_have_count(1)  # not wait_for_function: CSP, no eval
    assert shown.first.get_attribute("data-delivery") == str(failed.uid)
    assert _still_the_same_document(page)
    screenshot(page, "notifications-anweiban")


@pytest.mark.allow_console_errors("status of 403")
@pytest.mark.parametrize("username", ["changle", "guihua"])
def test_town_officers_and_planners_cannot_reach_it(page, login, console_users, username) -> None:  # type: ignore[no-untyped-def]
    login(page, username)
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="逆序排名").wait_for()  # the navigation is there, without 通知
    assert nav.get_by_role("link", name="通知").count() == 0
    response = page.goto("/console/notifications/")
    assert response is not None and response.status == 403
    assert "无权查看通知投递记录" in page.locator("main").inner_text()


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_the_page_fits_a_phone(page, login, screenshot, console_users, world, hook) -> None:  # type: ignore[no-untyped-def]
    webhook, _robot = _endpoints(hook)
    Subscription.objects.create(endpoint=webhook, event=events.INSPECTION_REJECTED, region=None)
    _rejected(world)
    login(page, "anweiban")
    page.goto("/console/notifications/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # wide tables scroll in their box
    # not squeezed to a word per line: the table keeps its width and scrolls inside its box
    assert page.locator("#deliveries").evaluate("e => e.offsetWidth") >= 600
    page.get_by_label("事件").select_option(label="收到考核申诉")
    page.get_by_role("button", name="添加订阅").click()
    page.locator("#notifications [data-notice]", has_text="已添加订阅").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "notifications-anweiban-phone")
