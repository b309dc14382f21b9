"""Facilities: registration with datums, validation, conflicts; everything or nothing is written."""

from decimal import Decimal

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.test import override_settings

from geo import coords
from geo.models import Region, RegionLevel, SewageFacility
from tests.conftest import assert_error
from tests.factories import RegionFactory


@pytest.fixture
def officer(world, api_as):  # type: ignore[no-untyped-def]
    return api_as("town_officer", world.town_a)


def new_facility(world, **extra):  # type: ignore[no-untyped-def]
    return {
        "code": "HM-NEW-1",
        "name": "甲村二号站",
        "village_id": world.village_a.pk,
        "capacity_tpd": "25.5",
        **extra,
    }


def test_gcj02_location_is_stored_in_wgs84_with_the_raw_values(world, officer) -> None:  # type: ignore[no-untyped-def]
    gcj = coords.wgs84_to_gcj02(coords.LonLat(121.2, 31.9))
    response = officer.post(
        "/api/v1/geo/facilities",
        new_facility(
            world, location={"lon": gcj.lon, "lat": gcj.lat, "datum": "gcj02"}, meter_number="3206001"
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["town"]["id"] == world.town_a.pk and body["capacity_tpd"] == "25.50"
    loc = body["location"]
    assert loc["datum"] == "gcj02" and (loc["raw_lon"], loc["raw_lat"]) == (gcj.lon, gcj.lat)
    assert coords.distance_m(coords.LonLat(loc["lon"], loc["lat"]), coords.LonLat(121.2, 31.9)) < 1.0
    stored = SewageFacility.objects.get(code="HM-NEW-1")
    assert stored.location.srid == 4326 and stored.capacity_tpd == Decimal("25.50")


def test_duplicate_code_is_409_and_writes_nothing(world, officer) -> None:  # type: ignore[no-untyped-def]
    body = assert_error(
        officer.post("/api/v1/geo/facilities", new_facility(world, code="WS-A")), 409, "duplicate_code"
    )
    assert "code" in body["details"]["fields"]
    assert SewageFacility.objects.filter(code="WS-A").count() == 1


def test_facility_must_sit_in_an_administrative_village(world, officer) -> None:  # type: ignore[no-untyped-def]
    for village_id in (world.town_a.pk, world.natural_a.pk, 99999):
        body = assert_error(
            officer.post("/api/v1/geo/facilities", new_facility(world, village_id=village_id)), 422
        )
        assert "village_id" in body["details"]["fields"]
    assert not SewageFacility.objects.filter(code="HM-NEW-1").exists()


def test_patch_location_and_clear_it(world, officer) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/geo/facilities/{world.facility_a.pk}"
    body = officer.patch(url, {"location": {"lon": 121.3, "lat": 31.95}}).json()
    assert body["location"]["lon"] == 121.3 and body["location"]["datum"] == "wgs84"
    body = officer.patch(url, {"location": None}).json()
    assert body["location"] is None


def test_list_filters(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("district_office", world.district)
    assert [
        f["code"] for f in api.get("/api/v1/geo/facilities", town_id=world.town_b.pk).json()["items"]
    ] == ["WS-B"]
    api_as("town_officer", world.town_a).patch(
        f"/api/v1/geo/facilities/{world.facility_a.pk}", {"status": "stopped"}
    )
    assert [f["code"] for f in api.get("/api/v1/geo/facilities", status="stopped").json()["items"]] == [
        "WS-A"
    ]


# --- the point must lie in the village's town (the ledger's rule); the village is findable -------------


@pytest.fixture
def bounded(world):  # type: ignore[no-untyped-def]
    """Town boundaries: 常乐镇 over (121.15–121.25, 31.85–31.95), 四甲镇 over (121.35–121.45, 31.95–32.05);
    甲村 has the code 320614103201."""
    for town, bbox in (
        (world.town_a, (121.15, 31.85, 121.25, 31.95)),
        (world.town_b, (121.35, 31.95, 121.45, 32.05)),
    ):
        town.boundary = MultiPolygon(Polygon.from_bbox(bbox), srid=4326)
        town.save()
    Region.objects.filter(pk=world.village_a.pk).update(code="320614103201")
    return world


def at(lon: float, lat: float, datum: str = "wgs84") -> dict[str, object]:
    return {"lon": lon, "lat": lat, "datum": datum}


def test_a_point_outside_the_town_is_refused_as_the_ledger_refuses_it(bounded, officer) -> None:  # type: ignore[no-untyped-def]
    # 四甲镇's centre, about 15 km from 常乐镇's boundary: the ledger's outside_town, naming town and distance
    body = assert_error(
        officer.post("/api/v1/geo/facilities", new_facility(bounded, location=at(121.4, 32.0))),
        422,
        "outside_town",
    )
    assert "常乐镇" in body["message"] and "米" in body["message"]
    assert body["details"]["fields"]["location"] == [body["message"]]
    assert body["details"]["town_id"] == bounded.town_a.pk and 14_000 < body["details"]["distance_m"] < 16_000
    assert body["details"]["tolerance_m"] == 500
    assert not SewageFacility.objects.filter(code="HM-NEW-1").exists()
    # within LEDGER_TOWN_TOLERANCE_M of the boundary (about 290 m east of it) is accepted, as in the ledger
    ok = officer.post("/api/v1/geo/facilities", new_facility(bounded, location=at(121.253, 31.9)))
    assert ok.status_code == 201, ok.content


@override_settings(LEDGER_TOWN_TOLERANCE_M=100)
def test_the_town_check_uses_the_point_in_wgs84_and_the_ledgers_tolerance(bounded, officer) -> None:  # type: ignore[no-untyped-def]
    # 50 m inside 常乐镇's western boundary as written; as GCJ-02 that is about 380 m west of it in WGS-84
    raw = at(121.1505, 31.9, "gcj02")
    body = assert_error(
        officer.post("/api/v1/geo/facilities", new_facility(bounded, location=raw)), 422, "outside_town"
    )
    assert 300 < body["details"]["distance_m"] < 450 and body["details"]["tolerance_m"] == 100
    created = officer.post("/api/v1/geo/facilities", new_facility(bounded, location=raw | {"datum": "wgs84"}))
    assert created.status_code == 201, created.content


def test_patching_the_point_or_the_village_is_checked_too(bounded, officer, api_as) -> None:  # type: ignore[no-untyped-def]
    url = f"/api/v1/geo/facilities/{bounded.facility_a.pk}"
    assert officer.patch(url, {"location": at(121.2, 31.9)}).status_code == 200
    body = assert_error(officer.patch(url, {"location": at(121.4, 32.0)}), 422, "outside_town")
    assert "location" in body["details"]["fields"]
    # moving the facility to 四甲镇's 乙村 while its point stays in 常乐镇
    office = api_as("district_office", bounded.district)
    body = assert_error(office.patch(url, {"village_id": bounded.village_b.pk}), 422, "outside_town")
    assert "四甲镇" in body["message"] and "location" in body["details"]["fields"]
    bounded.facility_a.refresh_from_db()
    assert bounded.facility_a.village_id == bounded.village_a.pk
    assert (bounded.facility_a.location.x, bounded.facility_a.location.y) == (121.2, 31.9)
    # both together, consistent: accepted
    moved = office.patch(url, {"village_id": bounded.village_b.pk, "location": at(121.4, 32.0)})
    assert moved.status_code == 200, moved.content
    # a change of name alone does not re-check an old point
    assert office.patch(url, {"name": "改名"}).status_code == 200


def test_a_village_with_a_boundary_checks_the_point_against_it(bounded, officer) -> None:  # type: ignore[no-untyped-def]
    village = Region.objects.get(pk=bounded.village_a.pk)
    village.boundary = MultiPolygon(Polygon.from_bbox((121.15, 31.85, 121.2, 31.9)), srid=4326)
    village.save()
    body = assert_error(
        officer.post("/api/v1/geo/facilities", new_facility(bounded, location=at(121.24, 31.94))),
        422,
        "outside_village",
    )
    assert "甲村" in body["message"] and "location" in body["details"]["fields"]
    assert (
        officer.post("/api/v1/geo/facilities", new_facility(bounded, location=at(121.19, 31.89))).status_code
        == 201
    )


def without_id(world, **ref):  # type: ignore[no-untyped-def]
    body = new_facility(world, **ref)
    del body["village_id"]
    return body


def test_the_village_by_its_division_code_or_its_name(bounded, officer) -> None:  # type: ignore[no-untyped-def]
    by_code = officer.post("/api/v1/geo/facilities", without_id(bounded, village_code="320614103201"))
    assert by_code.status_code == 201, by_code.content
    assert by_code.json()["village"] == {"id": bounded.village_a.pk, "name": "甲村", "code": "320614103201"}
    by_name = officer.post(
        "/api/v1/geo/facilities",
        without_id(bounded, code="HM-NEW-2", town_id=bounded.town_a.pk, village_name="甲村"),
    )
    assert by_name.status_code == 201 and by_name.json()["village"]["id"] == bounded.village_a.pk
    # a town officer sees one 甲村: the name alone is enough
    alone = officer.post("/api/v1/geo/facilities", without_id(bounded, code="HM-NEW-3", village_name="甲村"))
    assert alone.status_code == 201 and alone.json()["village"]["id"] == bounded.village_a.pk


def test_an_unknown_or_ambiguous_village_is_a_clear_422(bounded, officer, api_as) -> None:  # type: ignore[no-untyped-def]
    post = officer.post
    body = assert_error(
        post("/api/v1/geo/facilities", without_id(bounded, village_code="320614103999")),
        422,
        "unknown_village",
    )
    assert "village_code" in body["details"]["fields"]
    body = assert_error(
        post("/api/v1/geo/facilities", without_id(bounded, town_id=bounded.town_a.pk, village_name="丙村")),
        422,
        "unknown_village",
    )
    assert "village_name" in body["details"]["fields"] and "常乐镇" in body["message"]
    # 乙村 exists, but in 四甲镇, outside the officer's scope: not revealed
    body = assert_error(
        post("/api/v1/geo/facilities", without_id(bounded, village_name="乙村")), 422, "unknown_village"
    )
    assert "四甲镇" not in body["message"]
    body = assert_error(
        post("/api/v1/geo/facilities", without_id(bounded, town_id=bounded.town_b.pk, village_name="乙村")),
        422,
        "unknown_town",
    )
    assert "town_id" in body["details"]["fields"]
    # two ways at once, or none, or a town without a name
    body = assert_error(
        post("/api/v1/geo/facilities", new_facility(bounded, village_code="320614103201")), 422
    )
    assert {"village_id", "village_code"} <= set(body["details"]["fields"])
    assert (
        "village_id"
        in assert_error(post("/api/v1/geo/facilities", without_id(bounded)), 422)["details"]["fields"]
    )
    body = assert_error(post("/api/v1/geo/facilities", new_facility(bounded, town_id=bounded.town_a.pk)), 422)
    assert "town_id" in body["details"]["fields"]
    # a 甲村 in each town: the district office must say which
    RegionFactory(level=RegionLevel.VILLAGE, name="甲村", parent=bounded.town_b)
    office = api_as("district_office", bounded.district)
    body = assert_error(
        office.post("/api/v1/geo/facilities", without_id(bounded, village_name="甲村")),
        422,
        "ambiguous_village",
    )
    assert "village_name" in body["details"]["fields"]
    assert {c["town_name"] for c in body["details"]["candidates"]} == {"常乐镇", "四甲镇"}
    assert not SewageFacility.objects.filter(code="HM-NEW-1").exists()


def test_patch_names_the_village_by_code(bounded, api_as) -> None:  # type: ignore[no-untyped-def]
    office = api_as("district_office", bounded.district)
    Region.objects.filter(pk=bounded.village_b.pk).update(code="320614105201")
    url = f"/api/v1/geo/facilities/{bounded.facility_a.pk}"
    body = office.patch(url, {"village_code": "320614105201"})
    assert body.status_code == 200, body.content
    assert body.json()["town"]["id"] == bounded.town_b.pk
    # a town alone names no village
    body = assert_error(office.patch(url, {"town_id": bounded.town_a.pk}), 422)
    assert list(body["details"]["fields"]) == ["town_id"]


def test_regions_are_searchable_by_name_or_code(bounded, officer, api_as) -> None:  # type: ignore[no-untyped-def]
    office = api_as("district_office", bounded.district)
    found = office.get("/api/v1/geo/regions", level="village", q="甲").json()
    assert [(r["id"], r["parent_name"]) for r in found["items"]] == [(bounded.village_a.pk, "常乐镇")]
    assert [r["id"] for r in office.get("/api/v1/geo/regions", q="3206141032").json()["items"]] == [
        bounded.village_a.pk
    ]
    # the scope still applies
    assert officer.get("/api/v1/geo/regions", q="乙").json()["items"] == []
