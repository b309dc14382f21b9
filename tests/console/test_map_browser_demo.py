"""``/console/map/`` over the full Haimen demo (read-only): the demo's facilities, sections, overdue
rectifications and towns are drawn; 常乐镇's officer sees only 常乐镇's; screenshots."""

from __future__ import annotations

from typing import Any

import pytest

from geo.models import SewageFacility
from tests.console.test_map_browser import READY


def features(page: Any, layer: str) -> list[dict[str, Any]]:
    return list(
        page.evaluate(
            "(layer) => window.fieldscoreMap.queryRenderedFeatures({layers: [layer]})"
            ".map((f) => ({id: f.id, properties: f.properties}))",
            layer,
        )
    )


@pytest.mark.parametrize("username", ["guihua", "changle"])
def test_map_over_the_demo(demo_page, login, screenshot, username) -> None:  # type: ignore[no-untyped-def]
    # Read the database before the page opens (once, on the in-memory test database of the past, a read
    # here while the map's tile requests ran hung the run; see tests/settings.py).
    located = SewageFacility.objects.filter(location__isnull=False)
    all_ids = set(located.values_list("pk", flat=True))
    changle = located.filter(village__parent__name="常乐镇").count()
    login(demo_page, username)
    demo_page.goto("/console/map/")
    demo_page.wait_for_function(READY)
    drawn = features(demo_page, "facilities")
    if demo_page.evaluate("() => window.fieldscoreMap.getZoom()") < 12:
        # Below the cluster zoom facilities come as cells; every point is counted in one tile's cell, and
        # cell ids are unique across tiles (no cell merged with another by id): exact counts.
        assert drawn and all("count" in f["properties"] and "name" not in f["properties"] for f in drawn)
        shown = sum(f["properties"]["count"] for f in drawn)
    else:
        assert {f["id"] for f in drawn} <= all_ids
        shown = len(drawn)
    towns = {f["properties"]["name"] for f in features(demo_page, "towns-fill")}
    if username == "changle":
        assert shown == changle
        assert towns == {"常乐镇"}
    else:
        assert len(towns) > 5
        assert shown == len(all_ids)
        sections = features(demo_page, "sections")
        assert any("class" in s["properties"] for s in sections), "this month's classes colour the sections"
        overdue = [r for r in features(demo_page, "rectifications") if r["properties"].get("overdue", 0) > 0]
        assert overdue, "the demo's overdue rectifications stand out"
    screenshot(demo_page, f"map-{username}")
