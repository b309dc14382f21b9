"""``/console/rankings/dekad/`` over the full Haimen demo (read-only): today's 旬 ranks the towns of the
provincial sections on water (air quality and dust fall have no source yet) and draws its chart."""

from __future__ import annotations


def test_dekad_ranking_over_the_demo(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    login(demo_page, "changle")
    demo_page.goto("/console/rankings/dekad/")
    ranked = demo_page.locator(".dekad-table tbody tr")
    assert {ranked.nth(i).get_attribute("data-town") for i in range(ranked.count())} == {
        "四甲镇",
        "海门港新区",
        "悦来镇",
    }
    assert "暂无数据来源" in demo_page.locator("[data-left-out]").inner_text()
    demo_page.locator("#dekad-ranking .chart canvas").first.wait_for()
    screenshot(demo_page, "rankings-dekad-demo-changle")
