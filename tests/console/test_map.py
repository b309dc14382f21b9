"""The planners' map page (/console/map/) through the test client: the console's tiles are the API's
tiles (same scope, ETag, 304, Cache-Control), GCJ-02 tiles are shifted, search is scoped."""

from __future__ import annotations

import math
from typing import Any

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from checklists.maps.sources import LAYERS
from geo import coords, mvt
from geo.models import Region, RiverSection, SewageFacility
from tests.browser import PASSWORD
from tests.conftest import ApiClient
from tests.factories import FacilityFactory

Z = 12


def tile_of(lon: float, lat: float, z: int = Z) -> tuple[int, int, int]:
    n = 1 << z
    r = math.radians(lat)
    return z, int((lon + 180) / 360 * n), int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n)


TILE = tile_of(121.15, 31.9)


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/console/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def square(lon: float, lat: float, d: float = 0.02) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((lon - d, lat - d, lon + d, lat + d)), srid=4326)


@pytest.fixture
def mapped(world, console_users):  # type: ignore[no-untyped-def]
    """Both towns' facilities, sections and boundaries inside one z12 tile."""
    SewageFacility.objects.filter(pk=world.facility_a.pk).update(location=Point(121.15, 31.90, srid=4326))
    SewageFacility.objects.filter(pk=world.facility_b.pk).update(location=Point(121.16, 31.905, srid=4326))
    RiverSection.objects.filter(pk=world.section_b.pk).update(location=Point(121.155, 31.895, srid=4326))
    Region.objects.filter(pk=world.town_a.pk).update(
        boundary=square(121.14, 31.9), centroid=Point(121.14, 31.9)
    )
    Region.objects.filter(pk=world.town_b.pk).update(
        boundary=square(121.18, 31.9), centroid=Point(121.18, 31.9)
    )
    return world


def decoded(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.content[:300]
    return mapbox_vector_tile.decode(response.content) if response.content else {}


def ids(tile: dict[str, Any], layer: str) -> set[int]:
    return {f["id"] for f in tile.get(layer, {}).get("features", [])}


@pytest.mark.parametrize("username", ["guihua", "changle"])
def test_console_tiles_are_the_api_tiles(mapped, console_users, username) -> None:  # type: ignore[no-untyped-def]
    console, api = signed_in(username), ApiClient(console_users[username])
    z, x, y = TILE
    for layer in LAYERS:
        path = f"/{layer}/{z}/{x}/{y}.pbf"
        ours, theirs = console.get("/console/map/tiles" + path), api.get("/api/v1/geo/tiles" + path)
        assert decoded(ours) == decoded(theirs), layer
        for header in ("ETag", "Cache-Control", "Content-Type"):
            assert ours[header] == theirs[header], (layer, header)
    facilities = ids(decoded(console.get(f"/console/map/tiles/facilities/{z}/{x}/{y}.pbf")), "facilities")
    towns = ids(decoded(console.get(f"/console/map/tiles/towns/{z}/{x}/{y}.pbf")), "towns")
    if username == "changle":  # 常乐镇 sees its own facility and boundary only
        assert facilities == {mapped.facility_a.pk} and towns == {mapped.town_a.pk}
    else:
        assert facilities == {mapped.facility_a.pk, mapped.facility_b.pk}
        assert towns == {mapped.town_a.pk, mapped.town_b.pk}


def test_console_tile_answers_304_and_month_changes_the_etag(mapped) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("guihua")
    z, x, y = TILE
    first = client.get(f"/console/map/tiles/facilities/{z}/{x}/{y}.pbf")
    again = client.get(
        f"/console/map/tiles/facilities/{z}/{x}/{y}.pbf", headers={"If-None-Match": first["ETag"]}
    )
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
    may = client.get(f"/console/map/tiles/sections/{z}/{x}/{y}.pbf?month=2026-05")
    june = client.get(f"/console/map/tiles/sections/{z}/{x}/{y}.pbf?month=2026-06")
    assert may.status_code == june.status_code == 200 and may["ETag"] != june["ETag"]
    bad = client.get(f"/console/map/tiles/sections/{z}/{x}/{y}.pbf?month=May")
    assert bad.status_code == 422
    assert client.get(f"/console/map/tiles/nope/{z}/{x}/{y}.pbf").status_code == 404


def test_console_tiles_need_a_session(mapped) -> None:  # type: ignore[no-untyped-def]
    z, x, y = TILE
    response = Client().get(f"/console/map/tiles/facilities/{z}/{x}/{y}.pbf")
    assert response.status_code == 302 and "/console/login/" in response["Location"]


def test_gcj02_tiles_are_shifted_by_the_server(mapped) -> None:  # type: ignore[no-untyped-def]
    """Over a 高德 / 腾讯 base map the features sit where GCJ-02 puts them (~500 m off WGS-84)."""
    client = signed_in("guihua")
    z, x, y = TILE
    tile = mvt.Tile(z, x, y)
    path = f"/console/map/tiles/facilities/{z}/{x}/{y}.pbf"

    def where(response: Any) -> tuple[float, float]:
        (feature,) = [
            f for f in decoded(response)["facilities"]["features"] if f["id"] == mapped.facility_a.pk
        ]
        px, py = feature["geometry"]["coordinates"]
        minx, miny, maxx, maxy = tile.bounds_3857()
        mx, my = minx + px / mvt.EXTENT * (maxx - minx), miny + py / mvt.EXTENT * (maxy - miny)  # y up
        return mvt.mercator_to_lonlat(mx, my)

    plain, shifted = client.get(path), client.get(path + "?datum=gcj02")
    assert plain["ETag"] != shifted["ETag"]
    expected = coords.wgs84_to_gcj02(coords.LonLat(121.15, 31.90))
    assert coords.distance_m(coords.LonLat(*where(plain)), coords.LonLat(121.15, 31.90)) < 15
    assert coords.distance_m(coords.LonLat(*where(shifted)), expected) < 15
    assert client.get(path + "?datum=bd09").status_code == 422


def test_map_page_has_its_config_and_nav_entry(mapped) -> None:  # type: ignore[no-untyped-def]
    response = signed_in("changle").get("/console/map/?month=2026-05")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="map-config"' in html and "maplibre-gl-csp.js" in html and 'aria-label="海门区地图' in html
    config = response.context["config"]
    assert config["month"] == "2026-05" and config["base"] is None and config["datum"] == "wgs84"
    # 常乐镇's officer opens the map on 常乐镇
    assert config["bounds"] == [121.14, 31.9, 121.14, 31.9]
    assert '<a href="/console/map/"' in html  # the 地图 entry is a link now
    bad = signed_in("changle").get("/console/map/?month=2026-13")
    assert bad.status_code == 422 and "月份格式应为 YYYY-MM" in bad.content.decode()


def test_map_page_with_a_gcj02_base_map(mapped, settings) -> None:  # type: ignore[no-untyped-def]
    settings.FIELDSCORE_MAP_BASE_URL = "https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}&style=8"
    settings.FIELDSCORE_MAP_BASE_DATUM = "gcj02"
    config = signed_in("changle").get("/console/map/").context["config"]
    assert config["base"] == {"url": settings.FIELDSCORE_MAP_BASE_URL} and config["datum"] == "gcj02"
    lon, lat = config["bounds"][:2]
    shifted = coords.wgs84_to_gcj02(coords.LonLat(121.14, 31.9))
    assert (lon, lat) == (round(shifted.lon, 6), round(shifted.lat, 6))


def test_search_is_scoped(mapped) -> None:  # type: ignore[no-untyped-def]
    def found(username: str, q: str) -> set[tuple[str, int]]:
        response = signed_in(username).get("/console/map/search/", {"q": q})
        assert response.status_code == 200
        return {(r["kind"], r["id"]) for r in response.json()["results"]}

    assert found("changle", "WS-") == {("facility", mapped.facility_a.pk)}
    assert found("guihua", "WS-") == {("facility", mapped.facility_a.pk), ("facility", mapped.facility_b.pk)}
    assert found("changle", "S-B") == set()  # 四甲镇's section
    assert ("section", mapped.section_b.pk) in found("guihua", "S-B")
    assert found("changle", "四甲") == set() and found("guihua", "四甲") == {("town", mapped.town_b.pk)}
    hit = signed_in("changle").get("/console/map/search/", {"q": "WS-A"}).json()["results"][0]
    assert hit["at"] == [121.15, 31.9] and hit["name"] == mapped.facility_a.name
    assert signed_in("changle").get("/console/map/search/").json() == {"results": []}


def test_search_queries_do_not_grow_with_matches(mapped) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("guihua")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/console/map/search/", {"q": "WS-"}).status_code == 200
        return len(ctx.captured_queries)

    FacilityFactory(village=mapped.village_a, code="WS-N1")
    few = count()
    for i in range(6):
        FacilityFactory(village=mapped.village_b, code=f"WS-N{i + 2}")
    assert count() == few


def test_a_base_map_adds_its_host_to_the_csp_and_nothing_else() -> None:
    """The CSP names the base map's host only when one is configured (settings are read at start)."""
    import json
    import os
    import subprocess
    import sys

    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES']; "
        "print(json.dumps({k: d[k] for k in ('img-src', 'connect-src', 'worker-src')}))"
    )

    def directives(**extra: str) -> dict[str, list[str]]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FIELDSCORE_MAP_")}
        env.update(extra, DJANGO_SETTINGS_MODULE="backend.settings")
        out = subprocess.run(  # noqa: S603 (our own interpreter and script)
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    assert directives() == {
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
    }
    tianditu = directives(
        FIELDSCORE_MAP_BASE_URL="https://t0.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk=k"
    )
    assert tianditu["img-src"][-1] == tianditu["connect-src"][-1] == "https://t0.tianditu.gov.cn"
