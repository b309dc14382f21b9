"""Facilities: registration with datums, validation, conflicts; everything or nothing is written."""

from decimal import Decimal

import pytest

from geo import coords
from geo.models import SewageFacility
from tests.conftest import assert_error


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
