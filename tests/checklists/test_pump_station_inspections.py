"""Pump station inspections through the checklist machinery (65号 item 19, 排涝泵站拦蓄污水 → 动态清零):
the template in the catalogue, subject kind ``pump_station``; an approved inspection that finds no sewage
held clears the station (清零), one that finds sewage puts it on the list and opens a rectification with a
deadline, which shows in the section's upstream answer at the station's point."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.utils import timezone

from checklists.models import Rectification
from geo.demo import SYSTEM
from geo.models import PumpStation
from geo.pumps.services import pump_station_create
from geo.rivers import engine as river_engine
from geo.rivers.services import river_network_import
from geo.services import LocationInput, section_upsert
from tests.checklists.test_review_and_rectifications import review
from tests.geo.river_files import SECTION_AT, river_features, write_geojson

pytestmark = pytest.mark.django_db

ALL_WELL = {
    "sewage.not-held": {"value": True},
    "sewage.no-discharge": {"value": True},
    "sewage.source-cut": {"value": True},
    "op.records": {"value": True},
    "op.equipment": {"value": True},
}


@pytest.fixture(autouse=True)
def _no_cached_network():  # type: ignore[no-untyped-def]
    river_engine.forget()
    yield
    river_engine.forget()


@pytest.fixture
def station(world, templates):  # type: ignore[no-untyped-def]
    """A station on 支河 ~2 km above its mouth, holding sewage since it was registered."""
    return pump_station_create(
        principal=SYSTEM, code="PS-1", name="东闸泵站", town_id=world.town_a.pk, river="支河",
        holds_sewage=True, location=LocationInput(121.1503, 31.92),
    )  # fmt: skip


def inspected(phone: Any, station: PumpStation, answers: dict[str, Any]) -> str:
    cu = str(uuid.uuid4())
    body = {
        "template_key": "pump-station-inspection", "template_version": 1,
        "subject": {"kind": "pump_station", "id": station.pk}, "answers": answers,
        "device_started_at": "2022-09-20T09:30:00+08:00",
        "device_location": {"lon": 121.1503, "lat": 31.92, "datum": "wgs84", "accuracy_m": 8},
    }  # fmt: skip
    r = phone.put(cu, body)
    assert r.status_code == 201, r.content
    for key in ("sewage.not-held", *(k for k, a in answers.items() if a["value"] is False)):
        assert phone.photo(cu, key, seed=hash(cu + key) % 1000).status_code == 201
    r = phone.submit(cu)
    assert r.status_code == 200, r.content
    return cu


def test_the_template_is_in_the_catalogue(phone_a) -> None:  # type: ignore[no-untyped-def]
    templates = {t["key"]: t for t in phone_a.get("/api/v1/catalogue").json()["templates"]}
    assert templates["pump-station-inspection"]["subject_kind"] == "pump_station"


def test_an_approved_inspection_finding_no_sewage_clears_the_station(
    world, station, phone_a, officer_a
) -> None:  # type: ignore[no-untyped-def]
    cu = inspected(phone_a, station, ALL_WELL)
    assert review(officer_a, cu, "approve").status_code == 200
    station.refresh_from_db()
    assert not station.holds_sewage and station.sewage_cleared_on == timezone.localdate()
    assert station.last_inspected_at is not None
    change = station.changes.order_by("-id").first()
    assert change.action == "inspection" and str(change.inspection_uuid) == cu
    assert change.before["holds_sewage"] and not change.after["holds_sewage"]


def test_sewage_found_lists_the_station_and_its_problem_upstream(
    world, station, phone_a, officer_a, api_as, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    PumpStation.objects.filter(pk=station.pk).update(holds_sewage=False, sewage_found_on=None)
    cu = inspected(phone_a, station, {**ALL_WELL, "sewage.not-held": {"value": False}})
    assert review(officer_a, cu, "approve").status_code == 200
    station.refresh_from_db()
    assert station.holds_sewage and station.sewage_found_on == timezone.localdate()
    rect = Rectification.objects.get(subject_kind="pump_station", subject_id=station.pk)
    assert rect.category == "sewage_held" and rect.deadline is not None and rect.subject_town == world.town_a
    # the section's upstream answer: the station with its distance, its problem at its point
    section = section_upsert(
        code="S-A", name="甲桥", level="municipal", region=world.district,
        responsible_towns=[world.town_a], location=LocationInput(*SECTION_AT),
    )  # fmt: skip
    river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "r.geojson", river_features()), dry_run=False
    )
    body = (
        api_as("environment_bureau", world.district)
        .get(f"/api/v1/water/sections/{section.pk}/upstream", km=10)
        .json()
    )
    [listed] = body["pump_stations"]
    assert listed["id"] == station.pk and listed["holds_sewage"] and 6000 < listed["distance_m"] < 8000
    [problem] = [p for p in body["problems"] if p["site_kind"] == "pump_station"]
    assert (problem["id"], problem["site_id"]) == (rect.pk, station.pk)
    assert (problem["lon"], problem["lat"]) == (listed["lon"], listed["lat"])
    assert problem["distance_m"] == listed["distance_m"]
    # out of reach at 5 km; out of scope for another town
    near = (
        api_as("environment_bureau", world.district)
        .get(f"/api/v1/water/sections/{section.pk}/upstream", km=5)
        .json()
    )
    assert near["pump_stations"] == [] and near["problems"] == []
    # a later inspection finding it clean clears it and settles the rectification (整改复核)
    cu2 = inspected(phone_a, station, ALL_WELL)
    assert review(api_as("district_office", world.district), cu2, "approve").status_code == 200
    station.refresh_from_db()
    assert not station.holds_sewage and station.sewage_cleared_on == timezone.localdate()
    rect.refresh_from_db()
    assert rect.status == "closed"


def test_a_withdrawn_inspection_takes_back_what_it_recorded(
    world, station, phone_a, officer_a, api_as
) -> None:  # type: ignore[no-untyped-def]
    cu = inspected(phone_a, station, ALL_WELL)
    assert review(officer_a, cu, "approve").status_code == 200
    station.refresh_from_db()
    assert not station.holds_sewage
    district = api_as("district_office", world.district)
    r = district.post(f"/api/v1/inspections/{cu}/withdraw", {"reason": "检查对象记错，应为西闸泵站"})
    assert r.status_code == 200, r.content
    station.refresh_from_db()
    assert station.holds_sewage and station.sewage_cleared_on is None and station.last_inspected_at is None
    assert station.sewage_found_on == timezone.localdate()
    assert list(station.changes.order_by("id").values_list("action", flat=True)) == [
        "create", "inspection", "inspection_withdrawn",
    ]  # fmt: skip
