"""``/console/rankings/dekad/`` over the full Haimen demo (read-only): the 旬 of yesterday (the demo's
air data ends yesterday) ranks every demo town on air quality, dust fall and the provincial sections'
water, as ``GET /rankings/dekad`` does; the worse air of the port and the industrial parks puts one of
them at the bottom; the chart draws under the CSP."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from geo.models import Region, RegionLevel
from scoring.air.demo import WORSE
from scoring.rankings.selectors import ranking_of


def test_dekad_ranking_over_the_demo(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    yesterday = timezone.localdate() - timedelta(days=1)
    expected = ranking_of(on=yesterday)
    assert all(i.counted for i in expected.indicators), "every indicator has a source in the demo"
    towns = set(Region.objects.filter(level=RegionLevel.TOWN).values_list("name", flat=True))
    assert {r.town.name for r in expected.ranking if r.rank is not None} == towns
    bottom = {r.town.name for r in expected.ranking if r.at_bottom}
    assert bottom & set(WORSE), "the demo's story: the port or a park among the 靠后"

    login(demo_page, "changle")
    demo_page.goto(f"/console/rankings/dekad/?on={yesterday}")
    demo_page.locator("#dekad-ranking caption", has_text=expected.period.label).first.wait_for()
    rows = demo_page.locator(".dekad-table tbody tr")
    shown = [
        (rows.nth(i).get_attribute("data-town"), rows.nth(i).locator("td").first.inner_text().strip())
        for i in range(rows.count())
    ]
    assert shown == [(r.town.name, str(r.rank)) for r in expected.ranking]
    tags = [rows.nth(i).locator("td").last.inner_text() for i in range(rows.count())]
    tagged = {name for (name, _), tag in zip(shown, tags, strict=True) if "靠后" in tag}
    assert tagged == bottom
    assert demo_page.locator("[data-left-out]").count() == 0
    demo_page.locator("#dekad-ranking .chart canvas").first.wait_for()
    screenshot(demo_page, "rankings-dekad-demo-changle")
