"""Point lookups: the regions at a point (any datum); the nearest facilities and sections, in metres."""

import math

import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import coords
from geo.models import LocationQuality, Region, RegionLevel, RiverSection, SewageFacility
from tests.conftest import assert_error
from tests.factories import FacilityFactory, RegionFactory

AT = "/api/v1/geo/regions/at"


def _box(region: Region, bbox: tuple[float, float, float, float], **fields: object) -> None:
    Region.objects.filter(pk=region.pk).update(
        boundary=MultiPolygon(Polygon.from_bbox(bbox), srid=4326), **fields
    )


@pytest.fixture
def mapped(world):  # type: ignore[no-untyped-def]
    """海门区 (121.10–121.50, 31.80–32.10); 常乐镇 (121.15–121.30, 31.85–31.95, synthetic boundary) with 甲村
    (west of 121.20) and 丙村 (east of it), 甲村's 一组 its southern half (below 31.90); 四甲镇 next to it
    (121.30–121.45, surveyed) with 乙村 covering it."""
    _box(world.district, (121.10, 31.80, 121.50, 32.10))
    _box(world.town_a, (121.15, 31.85, 121.30, 31.95))
    _box(world.town_b, (121.30, 31.85, 121.45, 31.95), geometry_quality=LocationQuality.SURVEYED)
    _box(world.village_a, (121.15, 31.85, 121.20, 31.95))
    village_c = RegionFactory(
        level=RegionLevel.VILLAGE, name="丙村", parent=world.town_a, code="320614103202"
    )
    _box(village_c, (121.20, 31.85, 121.30, 31.95))
    _box(world.village_b, (121.30, 31.85, 121.45, 31.95))
    _box(world.natural_a, (121.15, 31.85, 121.20, 31.90))
    world.village_c = village_c
    return world


def names(body: dict) -> tuple:  # type: ignore[type-arg]
    return tuple(
        body[level]["name"] if body[level] else None for level in ("town", "village", "natural_village")
    )


def test_the_town_village_and_natural_village_at_a_point(mapped, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("district_office", mapped.district)
    response = api.get(AT, lon=121.17, lat=31.87)
    assert response.status_code == 200, response.content
    body = response.json()
    assert names(body) == ("常乐镇", "甲村", "一组")
    assert body["district"]["name"] == "海门区"
    assert body["town"] == {
        "id": mapped.town_a.pk, "name": "常乐镇", "code": "320614103000", "level": "town",
        "is_synthetic": False, "geometry_quality": "synthetic", "boundary_synthetic": True, "in_scope": True,
    }  # fmt: skip
    assert (body["lon"], body["lat"], body["datum"]) == (121.17, 31.87, "wgs84")
    # north of 一组: the village, no natural village; 四甲镇's boundary is surveyed
    assert names(api.get(AT, lon=121.17, lat=31.93).json()) == ("常乐镇", "甲村", None)
    other = api.get(AT, lon=121.4, lat=31.9).json()
    assert names(other) == ("四甲镇", "乙村", None) and other["town"]["boundary_synthetic"] is False


def test_a_gcj02_or_bd09_point_gives_the_villages_of_its_wgs84_point(mapped, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("district_office", mapped.district)
    wgs = coords.LonLat(121.198, 31.88)  # 200 m west of the 甲村 / 丙村 line
    gcj = coords.from_wgs84(wgs, "gcj02")
    assert gcj.lon > 121.20  # read as WGS-84, the GCJ-02 numbers would fall in 丙村
    assert names(api.get(AT, lon=gcj.lon, lat=gcj.lat).json())[1] == "丙村"
    as_gcj = api.get(AT, lon=gcj.lon, lat=gcj.lat, datum="gcj02").json()
    assert names(as_gcj) == names(api.get(AT, lon=wgs.lon, lat=wgs.lat).json()) == ("常乐镇", "甲村", "一组")
    assert as_gcj["datum"] == "gcj02" and (as_gcj["raw_lon"], as_gcj["raw_lat"]) == (gcj.lon, gcj.lat)
    assert coords.distance_m(coords.LonLat(as_gcj["lon"], as_gcj["lat"]), wgs) < 1.0
    bd = coords.from_wgs84(wgs, "bd09")
    assert names(api.get(AT, lon=bd.lon, lat=bd.lat, datum="bd09").json()) == ("常乐镇", "甲村", "一组")


def test_points_a_few_metres_either_side_of_a_town_boundary(mapped, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("district_office", mapped.district)
    # 121.30 is the 常乐镇 / 四甲镇 line; 0.0001° of longitude is about 9.5 m here
    assert names(api.get(AT, lon=121.2999, lat=31.9).json())[:2] == ("常乐镇", "丙村")
    assert names(api.get(AT, lon=121.3001, lat=31.9).json())[:2] == ("四甲镇", "乙村")
    on_line = api.get(AT, lon=121.3, lat=31.9)
    assert on_line.status_code == 200 and names(on_line.json())[0] in ("常乐镇", "四甲镇")


def test_outside_the_district_is_404_with_a_stable_code(mapped, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("district_office", mapped.district)
    body = assert_error(api.get(AT, lon=120.9, lat=31.5), 404, "outside_district")
    assert "海门区" in body["message"]
    assert body["details"]["fields"] == {"lon": [body["message"]], "lat": [body["message"]]}
    # inside the district but in no town (a gap in the drawn towns): the district alone, not a 404
    inside = api.get(AT, lon=121.12, lat=32.05).json()
    assert inside["district"]["name"] == "海门区" and names(inside) == (None, None, None)


def test_without_any_boundary_the_lookup_says_so(world, api_as) -> None:  # type: ignore[no-untyped-def]
    body = assert_error(api_as("district_office", world.district).get(AT, lon=121.2, lat=31.9), 404)
    assert body["code"] == "boundaries_missing"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lon": 200, "lat": 31.9}, "lon"),
        ({"lon": 121.2, "lat": "北纬"}, "lat"),
        ({"lat": 31.9}, "lon"),
        ({"lon": 121.2, "lat": -91}, "lat"),
        ({"lon": 121.2, "lat": 31.9, "datum": "beijing54"}, "datum"),
        ({"lon": "nan", "lat": 31.9}, "lon"),
    ],
)
def test_bad_coordinates_are_422_naming_the_field(mapped, api_as, params, field) -> None:  # type: ignore[no-untyped-def]
    body = assert_error(api_as("district_office", mapped.district).get(AT, **params), 422)
    assert field in body["details"]["fields"], body


def test_a_town_officer_may_look_up_any_point_of_the_district_but_learns_only_region_names(
    mapped, api_as
) -> None:  # type: ignore[no-untyped-def]
    officer = api_as("town_officer", mapped.town_a)
    own = officer.get(AT, lon=121.17, lat=31.87).json()
    assert own["town"]["in_scope"] and own["village"]["in_scope"]
    other = officer.get(AT, lon=121.4, lat=31.9).json()
    assert names(other) == ("四甲镇", "乙村", None)
    assert other["town"]["in_scope"] is False and other["village"]["in_scope"] is False
    assert other["district"]["in_scope"] is False  # the officer's grant is the town, not the district
    assert set(other) == {"lon", "lat", "datum", "raw_lon", "raw_lat", "district", "town", "village",
                          "natural_village"}  # fmt: skip
    assert set(other["town"]) == {"id", "name", "code", "level", "is_synthetic", "geometry_quality",
                                  "boundary_synthetic", "in_scope"}  # fmt: skip


def test_the_lookup_needs_a_login(mapped, client) -> None:  # type: ignore[no-untyped-def]
    assert_error(client.get(AT, {"lon": 121.17, "lat": 31.87}), 401)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lon=st.floats(121.1501, 121.2999),
    lat=st.floats(31.8501, 31.9499),
    datum=st.sampled_from(["wgs84", "gcj02", "bd09"]),
)
def test_any_point_inside_a_town_resolves_to_that_town_in_any_datum(mapped, api_as, lon, lat, datum) -> None:  # type: ignore[no-untyped-def]
    raw = coords.from_wgs84(coords.LonLat(lon, lat), datum)
    body = api_as("planner", mapped.district).get(AT, lon=raw.lon, lat=raw.lat, datum=datum).json()
    assert body["town"]["id"] == mapped.town_a.pk
    assert body["village"]["id"] == (mapped.village_a.pk if lon < 121.1999 else mapped.village_c.pk) or (
        abs(lon - 121.2) < 0.0002
    )


# --- nearest facilities and sections ----------------------------------------------------------------


def vincenty_m(a: coords.LonLat, b: coords.LonLat) -> float:
    """The geodesic on the WGS-84 ellipsoid (Vincenty's inverse formula): the reference both databases'
    distances are held to."""
    f = 1 / 298.257223563
    semi_a, semi_b = 6378137.0, 6378137.0 * (1 - 1 / 298.257223563)
    big_l = math.radians(b.lon - a.lon)
    u1, u2 = (
        math.atan((1 - f) * math.tan(math.radians(a.lat))),
        math.atan((1 - f) * math.tan(math.radians(b.lat))),
    )
    lam = big_l
    for _ in range(200):
        sin_l, cos_l = math.sin(lam), math.cos(lam)
        sin_s = math.hypot(
            math.cos(u2) * sin_l, math.cos(u1) * math.sin(u2) - math.sin(u1) * math.cos(u2) * cos_l
        )
        cos_s = math.sin(u1) * math.sin(u2) + math.cos(u1) * math.cos(u2) * cos_l
        sigma = math.atan2(sin_s, cos_s)
        sin_alpha = math.cos(u1) * math.cos(u2) * sin_l / sin_s
        cos2_alpha = 1 - sin_alpha**2
        cos_2sm = cos_s - 2 * math.sin(u1) * math.sin(u2) / cos2_alpha
        c = f / 16 * cos2_alpha * (4 + f * (4 - 3 * cos2_alpha))
        prev = lam
        lam = big_l + (1 - c) * f * sin_alpha * (
            sigma + c * sin_s * (cos_2sm + c * cos_s * (-1 + 2 * cos_2sm**2))
        )
        if abs(lam - prev) < 1e-12:
            break
    u_sq = cos2_alpha * (semi_a**2 - semi_b**2) / semi_b**2
    k_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    k_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    d_sigma = k_b * sin_s * (cos_2sm + k_b / 4 * (cos_s * (-1 + 2 * cos_2sm**2)
              - k_b / 6 * cos_2sm * (-3 + 4 * sin_s**2) * (-3 + 4 * cos_2sm**2)))  # fmt: skip
    return semi_b * k_a * (sigma - d_sigma)


@pytest.fixture
def placed(world):  # type: ignore[no-untyped-def]
    """常乐镇: WS-A at (121.2, 31.9), WS-A2 at (121.25, 31.9), WS-A3 without a point; 四甲镇: WS-B at
    (121.4, 31.9). Sections: S-A (常乐镇) at (121.2, 31.9), S-B (四甲镇) at (121.21, 31.9), S-AB (both) at
    (121.3, 31.95)."""
    SewageFacility.objects.filter(pk=world.facility_a.pk).update(location=Point(121.2, 31.9, srid=4326))
    SewageFacility.objects.filter(pk=world.facility_b.pk).update(location=Point(121.4, 31.9, srid=4326))
    FacilityFactory(village=world.village_a, code="WS-A2", location=Point(121.25, 31.9, srid=4326))
    FacilityFactory(village=world.village_a, code="WS-A3", location=None)
    RiverSection.objects.filter(pk=world.section_b.pk).update(location=Point(121.21, 31.9, srid=4326))
    RiverSection.objects.filter(pk=world.section_ab.pk).update(location=Point(121.3, 31.95, srid=4326))
    return world


def test_nearest_facilities_by_geodesic_metres(placed, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("district_office", placed.district)
    response = api.get("/api/v1/geo/facilities/nearest", lon=121.21, lat=31.9)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [f["code"] for f in body["items"]] == ["WS-A", "WS-A2", "WS-B"]  # WS-A3 has no point
    here = coords.LonLat(121.21, 31.9)
    for item in body["items"]:
        there = coords.LonLat(item["location"]["lon"], item["location"]["lat"])
        # metres on the ellipsoid, on SpatiaLite and PostGIS alike (a sphere would be off by ~0.2 %)
        assert abs(item["distance_m"] - vincenty_m(here, there)) < 1.0, item
    assert 940 < body["items"][0]["distance_m"] < 950
    assert body["items"][0]["town"]["name"] == "常乐镇" and body["items"][0]["village"]["name"] == "甲村"
    assert [f["code"] for f in api.get("/api/v1/geo/facilities/nearest", lon=121.21, lat=31.9, limit=1)
            .json()["items"]] == ["WS-A"]  # fmt: skip


def test_nearest_in_gcj02_measures_from_the_wgs84_point(placed, api_as) -> None:  # type: ignore[no-untyped-def]
    gcj = coords.from_wgs84(coords.LonLat(121.2, 31.9), "gcj02")
    body = (
        api_as("planner", placed.district)
        .get("/api/v1/geo/facilities/nearest", lon=gcj.lon, lat=gcj.lat, datum="gcj02", limit=1)
        .json()
    )
    assert body["items"][0]["code"] == "WS-A" and body["items"][0]["distance_m"] < 1.0


def test_nearest_is_scoped_like_the_lists(placed, api_as) -> None:  # type: ignore[no-untyped-def]
    officer_b = api_as("town_officer", placed.town_b)
    facilities = officer_b.get("/api/v1/geo/facilities/nearest", lon=121.21, lat=31.9).json()["items"]
    assert [f["code"] for f in facilities] == ["WS-B"]
    sections = officer_b.get("/api/v1/geo/sections/nearest", lon=121.2, lat=31.9).json()["items"]
    assert [s["code"] for s in sections] == ["S-B", "S-AB"]  # not 常乐镇's S-A, at the very point
    officer_a = api_as("town_officer", placed.town_a)
    sections = officer_a.get("/api/v1/geo/sections/nearest", lon=121.2, lat=31.9).json()["items"]
    assert [s["code"] for s in sections] == ["S-A", "S-AB"]
    assert sections[0]["distance_m"] == 0
    district = api_as("district_office", placed.district)
    body = district.get("/api/v1/geo/sections/nearest", lon=121.2, lat=31.9).json()
    assert [s["code"] for s in body["items"]] == ["S-A", "S-B", "S-AB"]
    assert [t["name"] for t in body["items"][2]["responsible_towns"]] == ["常乐镇", "四甲镇"]
    ab = coords.LonLat(121.3, 31.95)
    assert abs(body["items"][2]["distance_m"] - vincenty_m(coords.LonLat(121.2, 31.9), ab)) < 1.0


@pytest.mark.parametrize("limit", [0, 51, "many"])
def test_the_limit_is_bounded(placed, api_as, limit) -> None:  # type: ignore[no-untyped-def]
    api = api_as("district_office", placed.district)
    for layer in ("facilities", "sections"):
        body = assert_error(api.get(f"/api/v1/geo/{layer}/nearest", lon=121.2, lat=31.9, limit=limit), 422)
        assert "limit" in body["details"]["fields"]


def test_nearest_with_bad_coordinates_is_422_naming_the_field(placed, api_as) -> None:  # type: ignore[no-untyped-def]
    body = assert_error(
        api_as("district_office", placed.district).get("/api/v1/geo/sections/nearest", lon=121.2, lat=95), 422
    )
    assert "lat" in body["details"]["fields"]
