"""The outfall registry (排污口, 65号 item 19): four types, datum-aware points in the responsible town,
receiving water from the river network, decision and state through to 达标排放 with the rule between them,
every change in the history (who, when, before/after) and the audit, scope before change, snapped."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from geo import coords
from geo.demo import SYSTEM
from geo.models import Outfall, OutfallChange, SiteKind, SiteSnap
from geo.outfalls.rules import Decision, State, state_error
from geo.rivers import engine as river_engine
from geo.rivers.services import river_network_import
from kernel.audit.models import AuditEvent
from tests.conftest import assert_error
from tests.geo.river_files import river_features, write_geojson

pytestmark = pytest.mark.django_db
URL = "/api/v1/geo/outfalls"


@pytest.fixture(autouse=True)
def _no_cached_network():  # type: ignore[no-untyped-def]
    river_engine.forget()
    yield
    river_engine.forget()


@pytest.fixture
def officer(world, api_as):  # type: ignore[no-untyped-def]
    return api_as("town_officer", world.town_a)


@pytest.fixture
def network(world, tmp_path):  # type: ignore[no-untyped-def]
    river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "r.geojson", river_features()), dry_run=False
    )
    return world


def new(world, **extra):  # type: ignore[no-untyped-def]
    return {"code": "PWK-1", "name": "甲厂排口", "kind": "industrial", "town_id": world.town_a.pk,
            "discharger": "甲化工有限公司", "has_permit": True, **extra}  # fmt: skip


def test_register_in_gcj02_on_the_network_takes_its_river(network, officer) -> None:  # type: ignore[no-untyped-def]
    gcj = coords.wgs84_to_gcj02(coords.LonLat(121.1504, 31.93))  # beside 支河 t1
    r = officer.post(URL, new(network, location={"lon": gcj.lon, "lat": gcj.lat, "datum": "gcj02"}))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind_label"] == "工业排污口" and body["state"] == "found" and body["decision"] == ""
    assert body["location"]["datum"] == "gcj02" and abs(body["location"]["lon"] - 121.1504) < 1e-5
    assert (body["receiving_river_id"], body["receiving_water"]) == ("T", "支河")  # from where it stands
    assert (
        body["snap"]["snapped"] and body["snap"]["river_id"] == "T" and body["snap"]["snap_distance_m"] < 60
    )
    snap = SiteSnap.objects.get(site_kind=SiteKind.OUTFALL, site_id=body["id"])
    assert snap.line_id and snap.offset_m is not None


def test_receiving_river_must_be_on_the_network_and_steers_the_snap(network, officer) -> None:  # type: ignore[no-untyped-def]
    body = assert_error(officer.post(URL, new(network, receiving_river_id="X")), 422, "unknown_river")
    assert "receiving_river_id" in body["details"]["fields"]
    assert not Outfall.objects.exists() and not OutfallChange.objects.exists()
    # named by the river's name: the id and the network's name are stored
    r = officer.post(URL, new(network, receiving_river_id="主河", location={"lon": 121.12, "lat": 31.9003}))
    assert r.status_code == 201, r.content
    assert (r.json()["receiving_river_id"], r.json()["receiving_water"]) == ("M", "主河")
    assert r.json()["snap"]["river_id"] == "M"


def test_bad_input_is_422_per_field_and_writes_nothing(world, officer) -> None:  # type: ignore[no-untyped-def]
    for payload, field in (
        (new(world, kind="pipe"), "kind"),
        (new(world, state="compliant"), "state"),  # 达标排放 needs 规范整治
        (new(world, state="rectifying"), "state"),  # work needs a decision
        (new(world, town_id=world.village_a.pk), "town_id"),
        (new(world, town_id=world.town_b.pk), "town_id"),  # not this officer's town
        (new(world, location={"lon": 121.2, "lat": 31.9, "datum": "utm"}), "location"),
    ):
        body = assert_error(officer.post(URL, payload), 422)
        assert field in str(body["details"]["fields"]), (payload, body)
    assert (
        not Outfall.objects.exists()
        and not AuditEvent.objects.filter(action__startswith="geo.outfall").exists()
    )
    assert officer.post(URL, new(world)).status_code == 201
    assert_error(officer.post(URL, new(world)), 409, "duplicate_code")


def test_a_point_outside_the_town_is_refused(world, officer) -> None:  # type: ignore[no-untyped-def]
    world.town_a.boundary = MultiPolygon(Polygon.from_bbox((121.15, 31.85, 121.25, 31.95)), srid=4326)
    world.town_a.save()
    body = assert_error(
        officer.post(URL, new(world, location={"lon": 121.4, "lat": 32.0})), 422, "outside_town"
    )
    assert "常乐镇" in body["message"] and body["details"]["fields"]["location"]
    assert officer.post(URL, new(world, location={"lon": 121.2, "lat": 31.9})).status_code == 201


def test_decision_and_state_through_to_compliant_with_history_and_audit(world, officer) -> None:  # type: ignore[no-untyped-def]
    oid = officer.post(URL, new(world)).json()["id"]
    path = f"{URL}/{oid}"
    assert_error(officer.patch(path, {"state": "rectifying"}), 422, "state_needs_decision")
    assert (
        officer.patch(path, {"decision": "regulate", "state": "rectifying", "reason": "接管"}).status_code
        == 200
    )
    body = assert_error(officer.patch(path, {"state": "banned"}), 422, "state_needs_decision")
    assert "state" in body["details"]["fields"]
    done = officer.patch(path, {"state": "compliant", "is_monitored": True})
    assert done.status_code == 200 and done.json()["state_label"] == "达标排放"
    assert_error(
        officer.patch(path, {"decision": "ban"}), 422, "state_needs_decision"
    )  # finished under 规范整治
    assert_error(officer.patch(path, {"state": "found"}), 422, "state_backwards")
    assert officer.patch(path, {"name": "甲厂排口"}).status_code == 200  # no change: no history row
    history = officer.get(f"{path}/history").json()["items"]
    assert [h["action"] for h in history] == ["update", "update", "create"]
    assert history[0]["before"] == {"state": "rectifying", "is_monitored": False}
    assert history[0]["after"] == {"state": "compliant", "is_monitored": True}
    assert history[1]["reason"] == "接管" and history[1]["changed_by_name"]
    assert history[1]["before"] == {"decision": "", "state": "found"}
    assert history[2]["after"]["code"] == "PWK-1" and history[2]["before"] == {}
    events = AuditEvent.objects.filter(object_id=str(oid), action__startswith="geo.outfall").order_by("id")
    assert [e.action for e in events] == ["geo.outfall.create", "geo.outfall.update", "geo.outfall.update"]


def test_a_town_sees_and_changes_only_its_own(world, officer, api_as) -> None:  # type: ignore[no-untyped-def]
    office = api_as("district_office", world.district)
    mine = officer.post(URL, new(world)).json()["id"]
    theirs = office.post(URL, new(world, code="PWK-B", town_id=world.town_b.pk, kind="agricultural")).json()[
        "id"
    ]
    assert [o["id"] for o in officer.get(URL).json()["items"]] == [mine]
    assert [o["code"] for o in office.get(URL, kind="agricultural").json()["items"]] == ["PWK-B"]
    for r in (officer.get(f"{URL}/{theirs}"), officer.get(f"{URL}/{theirs}/history"),
              officer.patch(f"{URL}/{theirs}", {"state": "compliant"}),  # 404 before the state rule
              officer.patch(f"{URL}/{theirs}", {"name": "x"})):  # fmt: skip
        assert_error(r, 404, "not_found")
    assert Outfall.objects.get(pk=theirs).name == "甲厂排口"
    # handing an outfall to another town is for whoever covers both
    assert_error(officer.patch(f"{URL}/{mine}", {"town_id": world.town_b.pk}), 422, "unknown_town")
    assert office.patch(f"{URL}/{mine}", {"town_id": world.town_b.pk}).json()["town"]["id"] == world.town_b.pk
    assert_error(officer.get(f"{URL}/{mine}"), 404, "not_found")
    reader = api_as("inspector", world.town_a)
    assert_error(reader.post(URL, new(world, code="PWK-C")), 403)


def test_a_moved_outfall_is_resnapped(network, officer) -> None:  # type: ignore[no-untyped-def]
    oid = officer.post(URL, new(network, location={"lon": 121.1504, "lat": 31.93})).json()["id"]
    # moved 3 km from its receiving water (支河, taken from where it stood): off the network, saying why
    away = officer.patch(f"{URL}/{oid}", {"location": {"lon": 121.12, "lat": 31.9003}}).json()
    assert away["snap"]["snapped"] is False and away["snap"]["unsnapped_code"], away["snap"]
    moved = officer.patch(f"{URL}/{oid}", {"receiving_river_id": "M"}).json()  # onto 主河 it stands by
    assert moved["snap"]["river_id"] == "M" and moved["receiving_water"] == "主河"
    # named by its water's name alone: the river is looked up again, and the snap follows
    back_to_t = {"location": {"lon": 121.1504, "lat": 31.93}, "receiving_water": "支河"}
    back = officer.patch(f"{URL}/{oid}", back_to_t)
    assert (back.json()["receiving_river_id"], back.json()["snap"]["river_id"]) == ("T", "T")
    cleared = officer.patch(f"{URL}/{oid}", {"location": None}).json()
    assert cleared["snap"]["snapped"] is False and cleared["snap"]["unsnapped_code"] == "no_location"


@pytest.mark.parametrize("decision", list(Decision))
@pytest.mark.parametrize("before", list(State))
@pytest.mark.parametrize("after", list(State))
def test_state_rule_table(decision: Decision, before: State, after: State) -> None:
    error = state_error(decision, before, after)
    finished = {State.BANNED, State.MERGED, State.COMPLIANT}
    expected_ok = (
        (after not in finished or {Decision.BAN: State.BANNED, Decision.MERGE: State.MERGED,
                                   Decision.REGULATE: State.COMPLIANT}.get(decision) == after)
        and not (after == State.RECTIFYING and decision == Decision.NONE)
        and not (after == State.FOUND and before != State.FOUND)
    )  # fmt: skip
    assert (error is None) == expected_ok
