"""区镇总览 in Chromium over the test's own data: the navigation entry, the table, the year picker swapping
the table (and the URL), a town's link to its own page, and phone width."""

from __future__ import annotations

import pytest

from tests.checklists.test_town_overview import YEAR, _publish
from tests.console.scoreboard_data import store_board
from tests.console.test_towns import _repairs_and_inspections


def test_overview_table_year_picker_and_town_links(page, login, screenshot, console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, n=2)
    _publish(console_users)
    _repairs_and_inspections(world, console_users["jiancha1"], 4)
    login(page, "anweiban")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="区镇").click()
    page.wait_for_url("**/console/towns/")
    page.get_by_label("年度").select_option(str(YEAR))
    page.wait_for_url(f"**year={YEAR}**")
    table = page.locator("#towns-overview table")
    table.locator("caption", has_text=f"{YEAR}年区镇总览").wait_for()
    assert "正式发布" in page.locator("#towns-overview [data-field=board]").inner_text()
    changle = table.locator('tr[data-town="常乐镇"]')
    assert changle.locator("[data-field=overdue]").inner_text().strip() == "2"
    assert changle.locator("[data-field=total]").inner_text().strip() != "—"
    screenshot(page, "towns-overview-anweiban")
    page.reload()  # the URL reproduces the view
    assert page.get_by_label("年度").input_value() == str(YEAR)
    page.locator("#towns-overview").get_by_role("link", name="四甲镇").click()
    page.wait_for_url(f"**/console/towns/{world.town_b.pk}/")
    assert page.locator("h1").inner_text() == "四甲镇"


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_overview_at_phone_width(page, login, screenshot, console_users, world) -> None:  # type: ignore[no-untyped-def]
    login(page, "guihua")
    page.goto(f"/console/towns/?year={YEAR}")
    page.locator("#towns-overview table").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, "the table scrolls in its own box"
    screenshot(page, "towns-overview-guihua-phone")
