"""``/console/notifications/`` over the full Haimen demo (read-only): the office sees the demo's disabled
webhook and its district-wide subscriptions (host only, no secret), every demo town to subscribe for, and
an empty delivery log — the demo records its events but sends nothing; town officers have no entry."""

from __future__ import annotations

from geo.models import Region
from kernel.notifications.demo import DEMO_ENDPOINT, DEMO_SUBSCRIPTIONS
from kernel.notifications.events import EVENT_LABELS
from kernel.notifications.models import Delivery, Event


def test_the_office_sees_the_demo_set_up(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    page = demo_page
    assert Event.objects.exists() and not Delivery.objects.exists()  # recorded, never sent
    login(page, "anweiban")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="通知").click()
    page.wait_for_url("**/console/notifications/")
    rows = page.locator("#subscriptions tbody tr[data-subscription]")
    assert rows.count() == len(DEMO_SUBSCRIPTIONS)
    shown = {rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())}
    assert shown == {EVENT_LABELS[e] for e in DEMO_SUBSCRIPTIONS}
    for i in range(rows.count()):
        text = rows.nth(i).inner_text()
        assert DEMO_ENDPOINT in text and "全区" in text and "端点已停用" in text
    html = page.content()
    assert "example.invalid/…" in html and "fieldscore-webhook" not in html and "demo-only" not in html
    towns = page.get_by_label("区域").locator("option")
    assert towns.count() == 1 + Region.objects.filter(level="town").count()  # 全区 and every town
    assert "暂无投递记录" in page.locator("#deliveries").inner_text()
    screenshot(page, "notifications-demo-anweiban")


def test_a_town_officer_has_no_entry(demo_page, login) -> None:  # type: ignore[no-untyped-def]
    login(demo_page, "changle")
    nav = demo_page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="逆序排名").wait_for()
    assert nav.get_by_role("link", name="通知").count() == 0
