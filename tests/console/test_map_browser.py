"""``/console/map/`` in Chromium: MapLibre loads under the console's CSP (no console error), the layer
switcher works from the keyboard, a facility's popup links to its dossier, and a town officer's map
draws none of another town's facilities."""

from __future__ import annotations

from typing import Any

import pytest

from tests.console.test_map import mapped  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("mapped")

READY = "() => document.getElementById('map').dataset.ready === '1' && window.fieldscoreMap.loaded()"


def open_map(page: Any, login: Any, username: str) -> None:
    login(page, username)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="地图").click()
    page.wait_for_url("**/console/map/")
    page.wait_for_function(READY)


def rendered(page: Any, layer: str) -> set[int]:
    return set(
        page.evaluate(
            "(layer) => window.fieldscoreMap.queryRenderedFeatures({layers: [layer]}).map((f) => f.id)", layer
        )
    )


def test_layers_toggle_from_the_keyboard(page, login, screenshot, mapped) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    open_map(page, login, "guihua")
    assert page.get_by_role("region", name="海门区地图").first.is_visible()
    assert rendered(page, "facilities") == {mapped.facility_a.pk, mapped.facility_b.pk}
    assert rendered(page, "towns-fill") == {mapped.town_a.pk, mapped.town_b.pk}
    box = page.get_by_role("checkbox", name="污水处理设施（按运行状况）")
    box.focus()
    page.keyboard.press("Space")
    assert not box.is_checked()
    visibility = "() => window.fieldscoreMap.getLayoutProperty('facilities', 'visibility')"
    assert page.evaluate(visibility) == "none"
    page.wait_for_function(READY)
    assert rendered(page, "facilities") == set()
    page.keyboard.press("Space")
    assert page.evaluate(visibility) == "visible"
    photos = page.get_by_role("checkbox", name="证据照片（有核验标记为红框）")
    assert not photos.is_checked()
    assert page.evaluate("() => window.fieldscoreMap.getLayoutProperty('photos', 'visibility')") == "none"
    screenshot(page, "map-world-guihua")


def test_a_facility_popup_links_to_its_dossier(page, login, mapped) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    open_map(page, login, "guihua")
    page.get_by_role("checkbox", name="区镇边界").uncheck()  # the point only, not the town under it
    x, y = page.evaluate(
        "() => { const p = window.fieldscoreMap.project([121.15, 31.9]); return [p.x, p.y]; }"
    )
    page.locator("#map canvas").click(position={"x": x, "y": y})
    popup = page.locator(".maplibregl-popup")
    popup.wait_for()
    assert mapped.facility_a.name in popup.inner_text() and "WS-A" in popup.inner_text()
    popup.get_by_role("link", name="打开设施档案").click()
    page.wait_for_url(f"**/console/sewage/facilities/{mapped.facility_a.pk}/")


def test_a_town_officer_sees_only_its_town(page, login, screenshot, mapped) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    open_map(page, login, "changle")
    # 四甲镇's facility lies 1 km east, inside the view: the map has not got it.
    assert page.evaluate(
        "() => { const b = window.fieldscoreMap.getBounds(); return b.contains([121.16, 31.905]); }"
    )
    assert rendered(page, "facilities") == {mapped.facility_a.pk}
    assert rendered(page, "towns-fill") == {mapped.town_a.pk}
    screenshot(page, "map-world-changle")


def test_search_flies_to_the_facility(page, login, mapped) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    open_map(page, login, "changle")
    page.get_by_label("查找设施、断面或区镇").fill("WS-")
    page.get_by_role("button", name="查找").click()
    results = page.locator("#map-search-results")
    results.get_by_role("button").first.wait_for()
    assert results.get_by_role("button").count() == 1  # 四甲镇's WS-B is not found
    results.get_by_role("button").first.click()
    page.wait_for_function("() => window.fieldscoreMap.getZoom() > 14.9 && !window.fieldscoreMap.isMoving()")
    lon, lat = page.evaluate("() => window.fieldscoreMap.getCenter().toArray()")
    assert abs(lon - 121.15) < 1e-4 and abs(lat - 31.9) < 1e-4


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_map_at_phone_width(page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    open_map(page, login, "guihua")
    canvas = page.locator("#map").bounding_box()
    assert canvas["width"] <= 375 and canvas["height"] > 300
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    assert page.get_by_role("checkbox", name="监测断面（按水质类别）").is_visible()
    screenshot(page, "map-phone")


def test_month_picker_reloads_the_sections_and_keeps_the_url(page, login, mapped) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    open_map(page, login, "guihua")
    with page.expect_response(lambda r: "/console/map/tiles/sections/" in r.url and "month=2026-03" in r.url):
        page.get_by_label("断面水质月份").fill("2026-03")
    assert page.url.endswith("/console/map/?month=2026-03")
    tiles = page.evaluate("() => window.fieldscoreMap.getSource('sections').tiles")
    assert all("month=2026-03" in t for t in tiles)
    page.reload()
    page.wait_for_function(READY)
    assert page.get_by_label("断面水质月份").input_value() == "2026-03"


def test_a_town_popup_links_to_its_dashboard(page, login, mapped) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    open_map(page, login, "guihua")
    for name in ("监测断面（按水质类别）", "污水处理设施（按运行状况）", "未销号整改（逾期为红色大圆）"):
        page.get_by_role("checkbox", name=name).uncheck()
    x, y = page.evaluate(
        "() => { const p = window.fieldscoreMap.project([121.185, 31.91]); return [p.x, p.y]; }"
    )
    page.locator("#map canvas").click(position={"x": x, "y": y})
    popup = page.locator(".maplibregl-popup")
    popup.wait_for()
    assert "四甲镇" in popup.inner_text()
    popup.get_by_role("link", name="打开区镇页面").click()
    page.wait_for_url(f"**/console/towns/{mapped.town_b.pk}/")


def settle(page: Any, move: str, arg: Any = None) -> None:
    """Run ``move`` (a JS statement on ``map``, with ``arg``) and wait until the map is idle again: a repaint
    is asked for so that ``idle`` comes even when the move changed nothing, and a stuck map fails the test
    after 15 s instead of hanging it (``evaluate`` has no timeout of its own)."""
    page.evaluate(
        "(arg) => new Promise((done, fail) => { const map = window.fieldscoreMap;"
        " const timer = setTimeout(() => fail(new Error('地图 15 秒内未静止')), 15000);"
        " map.once('idle', () => { clearTimeout(timer); done(); });"
        f" {move}; map.triggerRepaint(); }})",
        arg,
    )


def cells_at(page: Any, center: list[float], zoom: float) -> list[dict[str, Any]]:
    """Jump to ``zoom`` (below the cluster threshold), wait until the map is idle, the facility cells."""
    settle(page, "map.jumpTo({center: arg[0], zoom: arg[1]})", [center, zoom])
    return list(
        page.evaluate(
            "() => window.fieldscoreMap.queryRenderedFeatures({layers: ['facilities']})"
            ".map((f) => ({properties: f.properties, at: f.geometry.coordinates}))"
        )
    )


def test_zoomed_out_facilities_are_counted_cells_that_zoom_in(page, login, mapped) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    open_map(page, login, "guihua")
    page.get_by_role("checkbox", name="区镇边界").uncheck()
    cells = cells_at(page, [121.155, 31.9025], 8)
    assert cells and all("count" in c["properties"] and "name" not in c["properties"] for c in cells)
    assert sum(c["properties"]["count"] for c in cells) == 2
    biggest = max(cells, key=lambda c: c["properties"]["count"])
    x, y = page.evaluate(
        "(at) => { const p = window.fieldscoreMap.project(at); return [p.x, p.y]; }", biggest["at"]
    )
    page.locator("#map canvas").click(position={"x": x, "y": y})
    popup = page.locator(".maplibregl-popup")
    popup.wait_for()
    assert f"此处 {biggest['properties']['count']} 个设施" in popup.inner_text()
    assert "尚未核查" in popup.inner_text() and "打开设施档案" not in popup.inner_text()
    popup.get_by_role("button", name="放大查看").click()
    page.wait_for_function("() => window.fieldscoreMap.getZoom() >= 12 && !window.fieldscoreMap.isMoving()")
    settle(page, "void 0")
    assert rendered(page, "facilities") <= {mapped.facility_a.pk, mapped.facility_b.pk}
    assert rendered(page, "facilities")


def test_a_town_officers_cells_count_only_its_town(page, login, mapped) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    open_map(page, login, "changle")
    cells = cells_at(page, [121.155, 31.9025], 8)
    assert sum(c["properties"]["count"] for c in cells) == 1  # 四甲镇's facility nearby is not counted


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_over_a_gcj02_base_map_the_location_dot_is_shifted_too(page, login, settings, live_server) -> None:  # type: ignore[no-untyped-def]
    """Over a 高德-style base map the browser's WGS-84 fix is drawn where the GCJ-02 map has that place
    (as the tiles are), not ~500 m off; the same shift as the server's ``geo.coords``."""
    import io

    from PIL import Image

    from geo import coords

    blank = io.BytesIO()
    Image.new("RGB", (256, 256), "#eeeeee").save(blank, "PNG")
    settings.FIELDSCORE_MAP_BASE_URL = live_server.url + "/basemap/{z}/{x}/{y}.png"  # same origin: CSP holds
    settings.FIELDSCORE_MAP_BASE_DATUM = "gcj02"
    page.route("**/basemap/**", lambda route: route.fulfill(body=blank.getvalue(), content_type="image/png"))
    fix = coords.LonLat(121.15, 31.9)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"longitude": fix.lon, "latitude": fix.lat, "accuracy": 10})
    open_map(page, login, "guihua")
    page.get_by_role("button", name="我的位置").click()
    dot = page.locator(".maplibregl-user-location-dot")
    dot.wait_for()
    page.wait_for_function("() => !window.fieldscoreMap.isMoving()")
    box, canvas = dot.bounding_box(), page.locator("#map canvas").bounding_box()
    at = (box["x"] + box["width"] / 2 - canvas["x"], box["y"] + box["height"] / 2 - canvas["y"])
    shifted = coords.wgs84_to_gcj02(fix)

    def pixel(p: coords.LonLat) -> tuple[float, float]:
        x, y = page.evaluate(
            "(p) => { const q = window.fieldscoreMap.project(p); return [q.x, q.y]; }", [p.lon, p.lat]
        )
        return x, y

    (sx, sy), (wx, wy) = pixel(shifted), pixel(fix)
    assert abs(at[0] - sx) < 2 and abs(at[1] - sy) < 2, (at, (sx, sy))
    assert abs(at[0] - wx) + abs(at[1] - wy) > 20  # the unshifted fix would sit visibly elsewhere


def test_the_rivers_are_drawn_as_the_base_and_toggle(page, login, mapped, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from geo.demo import SYSTEM
    from geo.rivers import engine
    from geo.rivers.services import river_network_import
    from tests.geo.river_files import river_features, write_geojson

    engine.forget()
    river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "r.geojson", river_features()), dry_run=False
    )
    open_map(page, login, "changle")  # a town's officer: rivers are district-wide, not scoped
    assert len(rendered(page, "rivers")) >= 2
    assert page.get_by_role("heading", name="河网").is_visible()
    box = page.get_by_role("checkbox", name="河网（当前河网的河流、支流）")
    assert box.is_checked()
    box.uncheck()
    assert page.evaluate("() => window.fieldscoreMap.getLayoutProperty('rivers', 'visibility')") == "none"
    page.wait_for_function(READY)
    assert rendered(page, "rivers") == set()


def test_pump_stations_are_drawn_scoped_with_their_sewage_state(page, login, mapped) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from geo.demo import SYSTEM
    from geo.pumps.services import pump_station_create
    from geo.services import LocationInput

    held = pump_station_create(principal=SYSTEM, code="PS-A", name="甲泵站", town_id=mapped.town_a.pk,
                               holds_sewage=True, location=LocationInput(121.152, 31.901))  # fmt: skip
    pump_station_create(principal=SYSTEM, code="PS-B", name="乙泵站", town_id=mapped.town_b.pk,
                        location=LocationInput(121.162, 31.904))  # fmt: skip  # 四甲镇's: not drawn
    open_map(page, login, "changle")  # a town's officer: only its own stations, not 四甲镇's in the same view
    assert rendered(page, "pump_stations") == {held.pk}
    assert page.get_by_role("heading", name="排涝泵站").is_visible()
    box = page.get_by_role("checkbox", name="排涝泵站（拦蓄污水为红色）")
    assert box.is_checked()
    box.uncheck()
    assert (
        page.evaluate("() => window.fieldscoreMap.getLayoutProperty('pump_stations', 'visibility')") == "none"
    )
