"""``/console/water/`` in Chromium over the full Haimen demo (read-only): this month's 提Ⅲ section and DO
alert, one chart per section drawn under the CSP, the pickers swapping their part, phone width."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.models import User
from console.services import principal_for
from scoring.water import services


def _this_month() -> tuple[object, list[str], list[str]]:
    today = timezone.localdate()
    status = services.section_statuses(
        principal=principal_for(User.objects.get(username="huanjing")), year=today.year
    )
    raised = [s.section.name for s in status.sections if s.raise_iii]
    alerts = [s.section.name for s in status.sections if today.month in s.do_alert_months]
    return status, raised, alerts


@pytest.mark.parametrize("username", ["huanjing", "guihua"])
def test_water_page_over_the_demo(demo_page, login, screenshot, username) -> None:  # type: ignore[no-untyped-def]
    status, raised, alerts = _this_month()
    assert raised and alerts, "the demo has a 提Ⅲ section and a DO alert this month"
    login(demo_page, username)
    demo_page.get_by_role("navigation", name="主导航").get_by_role("link", name="水质").click()
    demo_page.wait_for_url("**/console/water/")
    table = demo_page.locator("#water-sections table").first
    for name in raised:
        assert "提Ⅲ" in table.get_by_role("row").filter(has_text=name).first.inner_text()
    for name in alerts:
        assert "本月预警" in table.get_by_role("row").filter(has_text=name).first.inner_text()
    demo_page.locator(".water-chart canvas").nth(len(status.sections) - 1).wait_for()
    assert demo_page.locator("#water-dekad tbody tr").count() >= 1
    screenshot(demo_page, f"water-{username}")
    table.get_by_role("link", name=alerts[0]).click()  # one section: its months and a larger chart
    demo_page.wait_for_url("**/console/water/sections/**")
    month = timezone.localdate().month
    assert "溶解氧预警" in demo_page.locator(f'tr[data-month="{month}"]').inner_text()
    demo_page.locator(".water-chart canvas").first.wait_for()
    screenshot(demo_page, f"water-section-{username}")


def test_month_picker_swaps_the_sections_and_keeps_the_url(demo_page, login) -> None:  # type: ignore[no-untyped-def]
    login(demo_page, "huanjing")
    demo_page.goto("/console/water/")
    last_year = timezone.localdate().year - 1
    demo_page.get_by_label("月份").fill(f"{last_year}-07")
    demo_page.get_by_label("月份").dispatch_event("change")
    demo_page.wait_for_url(f"**month={last_year}-07**")
    demo_page.locator("#water-sections caption", has_text=f"{last_year}年7月").wait_for()
    demo_page.locator(".water-chart canvas").first.wait_for()  # drawn again after the swap
    demo_page.get_by_label("按哪一级断面").select_option("municipal")
    demo_page.wait_for_url("**level=municipal**")
    demo_page.locator("#water-dekad p", has_text="按市考断面").wait_for()
    label = demo_page.locator("#water-dekad caption").inner_text()
    demo_page.get_by_role("link", name="上一旬").click()
    demo_page.locator("#water-dekad caption", has_not_text=label).wait_for()
    assert "level=municipal" in demo_page.url and f"month={last_year}-07" in demo_page.url
    demo_page.reload()  # the URL reproduces the view
    assert demo_page.get_by_label("月份").input_value() == f"{last_year}-07"


@pytest.mark.parametrize("demo_page", ["phone"], indirect=True)
def test_water_page_at_phone_width(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    login(demo_page, "guihua")
    demo_page.goto("/console/water/")
    demo_page.locator(".water-chart canvas").first.wait_for()
    width = demo_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, "the tables scroll inside their own box, not the page"
    screenshot(demo_page, "water-guihua-phone")
