"""``/console/map/`` over the full Haimen demo (read-only): the demo's facilities, sections, overdue
rectifications and towns are drawn; 常乐镇's officer sees only 常乐镇's; screenshots."""

from __future__ import annotations

from typing import Any

import pytest

from geo.models import SewageFacility
from tests.console.test_map_browser import READY, rendered


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
    login(demo_page, username)
    demo_page.goto("/console/map/")
    demo_page.wait_for_function(READY)
    facilities = rendered(demo_page, "facilities")
    assert facilities, "the demo's facilities are on the map"
    towns = {f["properties"]["name"] for f in features(demo_page, "towns-fill")}
    if username == "changle":
        own = set(SewageFacility.objects.filter(village__parent__name="常乐镇").values_list("pk", flat=True))
        assert facilities <= own
        assert towns == {"常乐镇"}
    else:
        assert len(towns) > 5
        sections = features(demo_page, "sections")
        assert any("class" in s["properties"] for s in sections), "this month's classes colour the sections"
        overdue = [r for r in features(demo_page, "rectifications") if r["properties"].get("overdue")]
        assert overdue, "the demo's overdue rectifications stand out"
    screenshot(demo_page, f"map-{username}")
