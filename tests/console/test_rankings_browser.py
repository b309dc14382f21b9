"""``/console/rankings/dekad/`` in Chromium (own data: two provincial sections, two towns): the town
officer reaches it from the navigation, the chart draws under the CSP, the date picker and the dekad links
swap the part and keep the URL, 持续靠后 shows the town at the bottom."""

from __future__ import annotations

from tests.console.test_rankings import measured

__all__ = ["measured"]


def test_dekad_ranking_page(page, login, screenshot, measured) -> None:  # type: ignore[no-untyped-def]
    login(page, "changle")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="逆序排名").click()
    page.wait_for_url("**/console/rankings/dekad/")
    page.get_by_label("旬（选择该旬内任一日期）").fill("2022-09-15")
    page.get_by_label("旬（选择该旬内任一日期）").dispatch_event("change")
    page.wait_for_url("**on=2022-09-15**")
    page.locator("#dekad-ranking caption", has_text="2022年9月中旬").wait_for()
    rows = page.locator(".dekad-table tbody tr")
    assert rows.count() == 2 and "四甲镇" in rows.first.inner_text() and "靠后" in rows.first.inner_text()
    page.locator("#dekad-ranking .chart canvas").first.wait_for()  # drawn after the htmx swap
    page.get_by_role("link", name="下一旬").click()
    page.locator("#dekad-ranking caption", has_text="2022年9月下旬").wait_for()
    assert "on=2022-09-21" in page.url
    streak = page.locator('.persistent-table tr[data-town="四甲镇"]')
    assert "3" in streak.inner_text() and "仍在靠后" in streak.inner_text()
    page.reload()  # the URL reproduces the view
    page.locator("#dekad-ranking caption", has_text="2022年9月下旬").wait_for()
    page.locator("#dekad-ranking .chart canvas").first.wait_for()
    screenshot(page, "rankings-dekad-changle")
