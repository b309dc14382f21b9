"""Air stations and dust-fall jars (65号 item 38): registered by the district, read by town scope, datum-aware
points checked against the town, audited."""

from __future__ import annotations

import pytest

from geo.models import AirStation
from kernel.audit.models import AuditEvent
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db
STATIONS, JARS = "/api/v1/geo/air-stations", "/api/v1/geo/dust-fall-points"


def test_register_read_and_scope(world, api_as) -> None:  # type: ignore[no-untyped-def]
    office = api_as("district_office", world.district)
    body = {"code": "AQ-1", "name": "常乐镇空气站", "kind": "town", "town_id": world.town_a.pk,
            "location": {"lon": 121.15, "lat": 31.92, "datum": "gcj02"}}  # fmt: skip
    r = office.post(STATIONS, body)
    assert r.status_code == 201, r.content
    station = r.json()
    assert (station["kind"], station["town"]["id"], station["location"]["datum"]) == (
        "town",
        world.town_a.pk,
        "gcj02",
    )
    assert station["location"]["lon"] != pytest.approx(121.15, abs=1e-6)  # converted to WGS-84
    jar = office.post(JARS, {"code": "DF-1", "name": "常乐镇降尘点", "town_id": world.town_b.pk})
    assert jar.status_code == 201, jar.content
    town_a = api_as("town_officer", world.town_a)
    assert [s["code"] for s in town_a.get(STATIONS).json()["items"]] == ["AQ-1"]
    assert town_a.get(JARS).json()["items"] == []  # 四甲镇's jar is not 常乐镇's
    assert_error(town_a.get(f"{JARS}/{jar.json()['id']}"), 404)
    assert AuditEvent.objects.filter(action="geo.air_station.create", object_id=str(station["id"])).exists()


def test_only_the_district_places_points_and_bad_input_is_named(world, api_as) -> None:  # type: ignore[no-untyped-def]
    town_a = api_as("town_officer", world.town_a)
    body = {"code": "AQ-1", "name": "站", "kind": "town", "town_id": world.town_a.pk}
    assert_error(town_a.post(STATIONS, body), 403)
    office = api_as("district_office", world.district)
    assert "kind" in str(assert_error(office.post(STATIONS, body | {"kind": "village"}), 422)["details"])
    assert office.post(STATIONS, body).status_code == 201
    assert_error(office.post(STATIONS, body), 409, "duplicate_code")
    bad_town = assert_error(
        office.post(STATIONS, body | {"code": "AQ-2", "town_id": world.village_a.pk}), 422
    )
    assert bad_town["code"] == "unknown_town" and "town_id" in bad_town["details"]["fields"]
    sid = AirStation.objects.get(code="AQ-1").pk
    r = office.patch(f"{STATIONS}/{sid}", {"kind": "provincial", "is_active": False})
    assert r.status_code == 200 and (r.json()["kind"], r.json()["is_active"]) == ("provincial", False)
    assert_error(office.patch(f"{STATIONS}/{sid}", {}), 422)
    # a town officer cannot move a station either: 403 before anything is read
    assert_error(town_a.patch(f"{STATIONS}/{sid}", {"name": "x"}), 403)


def test_the_back_office_shows_them_read_only(world, admin_client) -> None:  # type: ignore[no-untyped-def]
    AirStation.objects.create(code="AQ-9", name="后台站", kind="national", town=world.town_a)
    r = admin_client.get("/admin/geo/airstation/")
    assert r.status_code == 200 and "后台站" in r.content.decode()
    assert admin_client.get("/admin/geo/airstation/add/").status_code == 403
