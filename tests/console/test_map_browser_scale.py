"""The map page over 100,000 facilities (PostGIS, the production database; the embedded SpatiaLite default
encodes tiles in Python and is not meant for this size): the page carries no feature itself, every request
the map makes is one tile, and each tile holds only that tile's features — at the district view (grid
cells), after panning and zoomed in to single facilities. How fast the first full render is (the page's own
``performance.now()`` when every visible layer is drawn) is measured by ``bench/tiles``, not asserted here."""

from __future__ import annotations

import re
from typing import Any

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection

from geo import mvt
from geo.models import Region, SewageFacility
from tests.console.test_map_browser import READY, settle

FACILITIES = 100_000
WEST, SOUTH, EAST, NORTH = 121.0, 31.8, 121.6, 32.05
TILE = re.compile(r"/console/map/tiles/(\w+)/(\d+)/(\d+)/(\d+)\.pbf")


@pytest.fixture
def crowded(world, console_users):  # type: ignore[no-untyped-def]
    """Two towns side by side, 100,000 facilities at pseudo-random points in them (SQL, a few seconds)."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "100,000 个设施的地图只在 PostGIS 上测试（内嵌 SpatiaLite 用 Python 编码瓦片，不面向此规模）"
        )
    middle = (WEST + EAST) / 2
    for town, (w, e) in ((world.town_a, (WEST, middle)), (world.town_b, (middle, EAST))):
        Region.objects.filter(pk=town.pk).update(
            boundary=MultiPolygon(Polygon.from_bbox((w, SOUTH, e, NORTH)), srid=4326)
        )
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO geo_sewagefacility (location, location_datum, location_quality, code, name,
                capacity_tpd, process, meter_number, operator, status, is_synthetic, created_at,
                updated_at, village_id)
            SELECT ST_SetSRID(ST_MakePoint(
                       %s + %s * (hashint8extended(g, 1) & 65535) / 65536.0 + (g %% 2) * %s,
                       %s + %s * (hashint8extended(g, 2) & 65535) / 65536.0), 4326),
                   'wgs84', 'synthetic', 'SCALE-' || g, '规模测试设施' || g, 10, '', '', '',
                   'in_service', true, now(), now(), CASE WHEN g %% 2 = 0 THEN %s ELSE %s END
            FROM generate_series(1, %s) AS g
            """,
            [WEST, middle - WEST, middle - WEST, SOUTH, NORTH - SOUTH, world.village_a.pk, world.village_b.pk,
             FACILITIES],
        )  # fmt: skip
        cur.execute("ANALYZE geo_sewagefacility")
    assert SewageFacility.objects.count() == FACILITIES + 2
    return world


def check_tile(url: str, body: bytes) -> int:
    """The answer is one tile's features: every geometry inside the tile (with its buffer); below the
    cluster zoom at most one feature per grid cell. Returns the number of features."""
    layer, z, _, _ = TILE.search(url).groups()  # type: ignore[union-attr]
    if not body:
        return 0
    decoded = mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})
    features = decoded.get(layer, {}).get("features", [])
    low, high = -mvt.BUFFER, mvt.EXTENT + mvt.BUFFER
    for f in features:
        for x, y in _points(f["geometry"]["coordinates"]):
            assert low <= x <= high and low <= y <= high, (url, x, y)
    if layer == "facilities" and int(z) < 12:
        assert len(features) <= (mvt.EXTENT // mvt.CELL) ** 2 and all(
            "count" in f["properties"] for f in features
        )
    return len(features)


def _points(coords: Any) -> list[tuple[float, float]]:
    if coords and isinstance(coords[0], (int, float)):
        return [(coords[0], coords[1])]
    return [p for c in coords for p in _points(c)]


def test_100000_facilities_load_tile_by_tile(page, login, screenshot, crowded) -> None:  # type: ignore[no-untyped-def]
    answers: list[tuple[str, str, bytes]] = []
    page.on(
        "response",
        lambda r: answers.append((r.request.resource_type, r.url, r.body() if r.status == 200 else b"")),
    )
    login(page, "guihua")
    answers.clear()
    document = page.goto("/console/map/")
    assert len(document.body()) < 50_000  # the page holds no feature: the map asks for tiles
    page.wait_for_function(READY)
    ready_ms = int(page.evaluate("() => document.getElementById('map').dataset.readyMs"))
    assert ready_ms > 0  # the page's own timing of its first full render (bench/tiles measures it)
    assert page.evaluate("() => window.fieldscoreMap.getZoom()") < 12

    def data_requests() -> list[tuple[str, bytes]]:
        out = [(url, body) for kind, url, body in answers if kind in ("fetch", "xhr")]
        answers.clear()
        return out

    first = data_requests()
    assert first and all(TILE.search(url) for url, _ in first), [u for u, _ in first if not TILE.search(u)]
    cells = sum(check_tile(url, body) for url, body in first if "/facilities/" in url)
    assert 0 < cells < 5_000  # the district's 100,000 facilities as grid cells
    screenshot(page, "map-100k-district")

    settle(page, "map.panBy([250, 120], {duration: 0})")
    panned = data_requests()
    assert all(TILE.search(url) for url, _ in panned)
    for url, body in panned:
        check_tile(url, body)
    settle(page, "map.jumpTo({center: [121.3, 31.92], zoom: 14})")
    zoomed = data_requests()
    assert zoomed and all(TILE.search(url) for url, _ in zoomed)
    singles = sum(check_tile(url, body) for url, body in zoomed if "/facilities/" in url)
    assert 0 < singles < 2_000  # single facilities of the few tiles in view, not the district's
    drawn = page.evaluate("() => window.fieldscoreMap.queryRenderedFeatures({layers: ['facilities']}).length")
    assert 0 < drawn <= singles
    screenshot(page, "map-100k-z14")
