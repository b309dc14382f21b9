"""The ``outfalls`` layer on ``/console/map/`` in Chromium: its checkbox switches it, its legend is there,
and an outfall's popup says its type, decision, state and last inspection in Chinese."""

from __future__ import annotations

from typing import Any

import pytest

from geo.demo import SYSTEM
from geo.outfalls.services import outfall_create
from geo.services import LocationInput
from tests.console.test_map import mapped  # noqa: F401 - the fixture
from tests.console.test_map_browser import READY, open_map, rendered

pytestmark = pytest.mark.usefixtures("mapped")


@pytest.fixture
def outfall(mapped):  # type: ignore[no-untyped-def]  # noqa: F811
    return outfall_create(principal=SYSTEM, code="PWK-M", name="常乐排口", kind="agricultural",
                          town_id=mapped.town_a.pk, location=LocationInput(121.145, 31.893),
                          decision="ban", state="rectifying")  # fmt: skip


def test_an_outfall_shows_switches_and_explains_itself(page: Any, login: Any, outfall: Any) -> None:
    open_map(page, login, "guihua")
    assert rendered(page, "outfalls") == {outfall.pk}
    assert page.locator(".map-legend").get_by_text("已清理合并").is_visible()
    page.get_by_role("checkbox", name="区镇边界").uncheck()
    x, y = page.evaluate(
        "() => { const p = window.fieldscoreMap.project([121.145, 31.893]); return [p.x, p.y]; }"
    )
    page.locator("#map canvas").click(position={"x": x, "y": y})
    popup = page.locator(".maplibregl-popup")
    popup.wait_for()
    text = popup.inner_text()
    assert all(s in text for s in ("常乐排口", "PWK-M", "农业排口", "取缔", "整治中", "尚未检查")), text
    box = page.get_by_role("checkbox", name="排污口（按整治状态；粗黑边为未检查）")
    box.uncheck()
    page.wait_for_function(READY)
    assert rendered(page, "outfalls") == set()
