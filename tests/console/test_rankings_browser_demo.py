"""``/console/rankings/dekad/`` over the full Haimen demo (read-only): today's 旬 ranks the district's 14
towns on air quality, dust fall and (the provincial sections' towns) water, and draws its chart."""

from __future__ import annotations


def test_dekad_ranking_over_the_demo(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    from geo.models import Region

    towns = set(Region.objects.filter(level="town").values_list("name", flat=True))
    login(demo_page, "changle")
    demo_page.goto("/console/rankings/dekad/")
    ranked = demo_page.locator(".dekad-table tbody tr")
    assert len(towns) == 14  # a town officer sees the whole district's ranking
    assert {ranked.nth(i).get_attribute("data-town") for i in range(ranked.count())} == towns
    assert demo_page.locator("[data-left-out]").count() == 0  # every indicator has its source
    demo_page.locator("#dekad-ranking .chart canvas").first.wait_for()
    screenshot(demo_page, "rankings-dekad-demo-changle")
