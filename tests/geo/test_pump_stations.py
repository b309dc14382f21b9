"""排涝泵站 registry (65号 item 19): scoped by the responsible town, datum-aware points checked against the
town, the sewage flag with its found / cleared (清零) dates, every change kept (who, when, before / after)
and audited, snapped to the river network."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import timezone

from geo.demo import SYSTEM
from geo.models import PumpStation, SiteKind, SiteSnap
from geo.rivers import engine as river_engine
from geo.rivers.services import river_network_import
from kernel.audit.models import AuditEvent
from tests.conftest import assert_error
from tests.geo.river_files import river_features, write_geojson

pytestmark = pytest.mark.django_db
URL = "/api/v1/geo/pump-stations"


@pytest.fixture(autouse=True)
def _no_cached_network():  # type: ignore[no-untyped-def]
    river_engine.forget()
    yield
    river_engine.forget()


def new_station(world, **over):  # type: ignore[no-untyped-def]
    return {"code": "PS-1", "name": "东闸泵站", "town_id": world.town_a.pk, "river": "支河",
            "location": {"lon": 121.1503, "lat": 31.92}} | over  # fmt: skip


def test_register_read_and_history(world, api_as) -> None:  # type: ignore[no-untyped-def]
    officer = api_as("town_officer", world.town_a)
    r = officer.post(URL, new_station(world, holds_sewage=True))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["town"]["id"] == world.town_a.pk and body["holds_sewage"]
    assert body["sewage_found_on"] == timezone.localdate().isoformat() and body["sewage_cleared_on"] is None
    assert body["location"]["lon"] == pytest.approx(121.1503)
    sid = body["id"]
    assert [s["id"] for s in officer.get(URL).json()["items"]] == [sid]
    assert [s["id"] for s in officer.get(URL, holds_sewage=True).json()["items"]] == [sid]
    assert officer.get(URL, holds_sewage=False).json()["items"] == []
    # 清零: holds_sewage true → false, on a given day
    cleared = timezone.localdate() - timedelta(days=0)
    r = officer.patch(f"{URL}/{sid}", {"holds_sewage": False, "sewage_on": cleared.isoformat()})
    assert r.status_code == 200, r.content
    assert not r.json()["holds_sewage"] and r.json()["sewage_cleared_on"] == cleared.isoformat()
    history = officer.get(f"{URL}/{sid}/history").json()
    assert [h["action"] for h in history] == ["create", "update"]
    assert history[1]["before"]["holds_sewage"] and not history[1]["after"]["holds_sewage"]
    assert history[1]["by_id"] == history[0]["by_id"] is not None
    events = AuditEvent.objects.filter(object_type="geo.pumpstation", object_id=str(sid))
    assert sorted(events.values_list("action", flat=True)) == [
        "geo.pump_station.create",
        "geo.pump_station.update",
    ]
    # found again: back on the list, the old 清零 date gone
    r = officer.patch(f"{URL}/{sid}", {"holds_sewage": True})
    assert r.json()["holds_sewage"] and r.json()["sewage_cleared_on"] is None


def test_scope_hides_other_towns_stations(world, api_as) -> None:  # type: ignore[no-untyped-def]
    office = api_as("district_office", world.district)
    sid = office.post(URL, new_station(world)).json()["id"]
    outsider = api_as("town_officer", world.town_b)
    assert outsider.get(URL).json()["items"] == []
    assert_error(outsider.get(f"{URL}/{sid}"), 404, "not_found")
    assert_error(outsider.get(f"{URL}/{sid}/history"), 404, "not_found")
    before = PumpStation.objects.get(pk=sid).updated_at
    assert_error(outsider.patch(f"{URL}/{sid}", {"holds_sewage": True}), 404, "not_found")  # scope first
    assert PumpStation.objects.get(pk=sid).updated_at == before
    # a town officer registers only in their own town (unknown and out of scope read the same)
    body = assert_error(outsider.post(URL, new_station(world, code="PS-2")), 422, "unknown_town")
    assert "town_id" in body["details"]["fields"]
    assert_error(api_as("inspector", world.town_a).post(URL, new_station(world, code="PS-3")), 403)


def test_bad_input_names_the_field_and_writes_nothing(world, api_as) -> None:  # type: ignore[no-untyped-def]
    officer = api_as("town_officer", world.town_a)
    assert officer.post(URL, new_station(world)).status_code == 201
    body = assert_error(officer.post(URL, new_station(world)), 409, "duplicate_code")
    assert body["details"]["fields"] == {"code": ["泵站编码已存在"]}
    sid = PumpStation.objects.get(code="PS-1").pk
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    body = assert_error(officer.patch(f"{URL}/{sid}", {"holds_sewage": True, "sewage_on": future}), 422)
    assert "sewage_on" in body["details"]["fields"]
    body = assert_error(officer.patch(f"{URL}/{sid}", {"sewage_on": timezone.localdate().isoformat()}), 422)
    assert "sewage_on" in body["details"]["fields"]
    assert not PumpStation.objects.get(pk=sid).holds_sewage
    utm = {"lon": 121, "lat": 31, "datum": "utm"}
    body = assert_error(officer.post(URL, new_station(world, code="PS-4", location=utm)), 422)
    assert "location.datum" in body["details"]["fields"]
    assert_error(officer.patch(f"{URL}/{sid}", {}), 422)
    day = timezone.localdate().isoformat()
    body = assert_error(officer.post(URL, new_station(world, code="PS-5", sewage_on=day)), 422)
    assert "sewage_on" in body["details"]["fields"]
    assert PumpStation.objects.count() == 1


def test_cleared_before_found_is_refused(world, api_as) -> None:  # type: ignore[no-untyped-def]
    officer = api_as("town_officer", world.town_a)
    sid = officer.post(URL, new_station(world, holds_sewage=True)).json()["id"]
    earlier = (timezone.localdate() - timedelta(days=3)).isoformat()
    body = assert_error(officer.patch(f"{URL}/{sid}", {"holds_sewage": False, "sewage_on": earlier}), 422,
                        "cleared_before_found")  # fmt: skip
    assert "sewage_on" in body["details"]["fields"]
    assert PumpStation.objects.get(pk=sid).holds_sewage


def test_the_point_must_lie_in_the_town_in_any_datum(world, api_as) -> None:  # type: ignore[no-untyped-def]
    world.town_a.boundary = MultiPolygon(Polygon.from_bbox((121.15, 31.85, 121.25, 31.95)), srid=4326)
    world.town_a.save()
    officer = api_as("town_officer", world.town_a)
    body = assert_error(officer.post(URL, new_station(world, location={"lon": 121.4, "lat": 32.0})), 422,
                        "outside_town")  # fmt: skip
    assert body["details"]["fields"]["location"] == [body["message"]] and "常乐镇" in body["message"]
    r = officer.post(URL, new_station(world, location={"lon": 121.2, "lat": 31.9, "datum": "gcj02"}))
    assert r.status_code == 201, r.content
    assert r.json()["location"]["datum"] == "gcj02" and r.json()["location"]["lon"] != 121.2  # stored WGS-84


def test_snapped_to_the_network_on_its_river_and_when_moved(world, api_as, tmp_path) -> None:  # type: ignore[no-untyped-def]
    officer = api_as("town_officer", world.town_a)
    sid = officer.post(URL, new_station(world)).json()["id"]  # before any network: nothing to snap to
    river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "r.geojson", river_features()), dry_run=False
    )
    snap = SiteSnap.objects.get(site_kind=SiteKind.PUMP_STATION, site_id=sid)
    assert (snap.river_id, snap.line_id) == ("T", "t1") and snap.distance_m < 40
    officer.patch(f"{URL}/{sid}", {"location": {"lon": 121.12, "lat": 31.9002}})
    snap = SiteSnap.objects.get(site_kind=SiteKind.PUMP_STATION, site_id=sid)
    assert (snap.line_id, snap.unsnapped_code) == ("", "too_far")  # still on 支河 by name, 3 km from it
    officer.patch(f"{URL}/{sid}", {"river": "主河"})
    snap = SiteSnap.objects.get(site_kind=SiteKind.PUMP_STATION, site_id=sid)
    assert (snap.river_id, snap.line_id, snap.unsnapped_code) == ("M", "m1", "")


def test_a_tributary_point_is_registered_as_a_section_of_level_tributary(world, api_as, tmp_path) -> None:  # type: ignore[no-untyped-def]
    river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "r.geojson", river_features()), dry_run=False
    )
    officer = api_as("town_officer", world.town_a)
    url = "/api/v1/geo/tributary-points"
    point = {"code": "TP-1", "name": "支河一号点", "town_id": world.town_a.pk, "river": "支河",
             "location": {"lon": 121.1503, "lat": 31.93}}  # fmt: skip
    r = officer.post(url, point)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["level"] == "tributary" and [t["id"] for t in body["responsible_towns"]] == [world.town_a.pk]
    snap = SiteSnap.objects.get(site_kind=SiteKind.RIVER_SECTION, site_id=body["id"])
    assert (snap.river_id, snap.line_id) == ("T", "t1")
    assert AuditEvent.objects.filter(action="geo.section.create", object_id=str(body["id"])).exists()
    # never turns an existing section into a tributary point; names are unique too (the import matches them)
    body = assert_error(officer.post(url, point | {"code": "S-A", "name": "新点"}), 409, "duplicate_code")
    assert body["details"]["fields"] == {"code": ["断面编码已存在"]}
    assert_error(officer.post(url, point | {"code": "TP-2"}), 409, "duplicate_name")
    assert_error(api_as("town_officer", world.town_b).post(url, point | {"code": "TP-3", "name": "x"}), 422,
                 "unknown_town")  # fmt: skip
    assert_error(api_as("inspector", world.town_a).post(url, point | {"code": "TP-4", "name": "y"}), 403)
    assert_error(officer.post(url, point | {"code": "TP-5", "name": "z", "target_class": 6}), 422)
