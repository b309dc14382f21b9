"""``GET /api/v1/water/sections/{id}/upstream?km=10``: along the water, not as the crow flies — the rivers
reached, the facilities upstream and the open rectifications at them, each with its distance; the same
distances the engine gives over the same lines; scoped like every read."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from geo import network as engine
from geo.demo import SYSTEM
from geo.rivers import engine as river_engine
from geo.rivers.services import river_network_import
from geo.services import LocationInput, facility_update, section_upsert
from tests.conftest import assert_error
from tests.geo.river_files import FACILITY_A_AT, FACILITY_B_AT, SECTION_AT, river_features, write_geojson

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cached_network():  # type: ignore[no-untyped-def]
    river_engine.forget()
    yield
    river_engine.forget()


@pytest.fixture
def rivers(world, tmp_path):  # type: ignore[no-untyped-def]
    section_upsert(code="S-A", name="甲桥", level="municipal", region=world.district,
                   responsible_towns=[world.town_a], location=LocationInput(*SECTION_AT))  # fmt: skip
    for facility, at in ((world.facility_a, FACILITY_A_AT), (world.facility_b, FACILITY_B_AT)):
        facility_update(principal=SYSTEM, facility_id=facility.pk, changes={}, location=LocationInput(*at))
    river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "r.geojson", river_features()), dry_run=False
    )
    return world


def _rectification(world, *, overdue: bool, closed: bool = False):  # type: ignore[no-untyped-def]
    from checklists.models import ChecklistTemplate, Finding, Inspection, Rectification
    from checklists.services.templates import templates_sync
    from tests.conftest import make_user

    templates_sync()
    template = ChecklistTemplate.objects.get(key="sewage-facility-audit", status="published")
    today = timezone.localdate()
    subject = {
        "subject_kind": "sewage_facility",
        "subject_id": world.facility_a.pk,
        "subject_name": world.facility_a.name,
        "subject_region": world.village_a,
        "subject_town": world.town_a,
    }
    inspection = Inspection.objects.create(
        client_uuid=uuid.uuid4(), template=template, inspector=make_user("inspector", world.town_a),
        purpose="audit", period=today.year, status="submitted", submitted_at=timezone.now(),
        percent=Decimal("90"), **subject,
    )  # fmt: skip
    finding = Finding.objects.create(
        inspection=inspection, revision=1, item_key=f"k-{uuid.uuid4().hex[:6]}", item_title="出水超标",
        kind="boolean", category="effluent", points_lost=Decimal("1"), reason="出水浑浊",
    )  # fmt: skip
    return Rectification.objects.create(
        finding=finding, category="effluent", status="closed" if closed else "open", overdue=overdue,
        deadline=today - timedelta(days=3) if overdue else today + timedelta(days=30),
        overdue_since=today - timedelta(days=2) if overdue else None, **subject,
    )  # fmt: skip


def _engine_answer(km: float) -> dict[str, float]:
    """The engine over the same lines and points, straight from the file (no database)."""
    feats = river_features()
    lines = river_engine.project_lines([f["geometry"]["coordinates"] for f in feats])
    network = engine.build_network(
        [
            engine.RiverLine(f["properties"]["line_id"], f["properties"]["river_id"], c)
            for f, c in zip(feats, lines, strict=True)
        ]
    )
    (sx, sy), (ax, ay), (bx, by) = river_engine.project_points([SECTION_AT, FACILITY_A_AT, FACILITY_B_AT])
    origin = engine.snap_sites(network, [engine.Site("s", sx, sy, "M")]).snapped[0]
    sites = engine.snap_sites(network, [engine.Site("a", ax, ay), engine.Site("b", bx, by)]).snapped
    return engine.upstream(network, origin, max_distance_m=km * 1000, sites=sites).distances()


def test_upstream_along_the_water_matches_the_engine(rivers, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("environment_bureau", rivers.district)
    from geo.models import FacilityCondition

    open_late = _rectification(rivers, overdue=True)
    for days, codes in ((40, ["normal"]), (5, ["stopped", "damaged"])):  # the latest standing audit counts
        FacilityCondition.objects.create(facility=rivers.facility_a, conditions=codes, status="stopped",
            inspection_uuid=uuid.uuid4(), approved_at=timezone.now() - timedelta(days=days))  # fmt: skip
    _rectification(rivers, overdue=False, closed=True)
    r = api.get(f"/api/v1/water/sections/{rivers.section_a.pk}/upstream", km=10)
    assert r.status_code == 200, r.content
    body = r.json()
    expected = _engine_answer(10)
    assert set(expected) == {"a"}  # facility B is downstream
    assert [f["id"] for f in body["facilities"]] == [rivers.facility_a.pk]
    assert body["facilities"][0]["condition"] == ["stopped", "damaged"]
    latest = FacilityCondition.objects.filter(facility=rivers.facility_a).order_by("-approved_at").first()
    assert latest is not None  # its day in Haimen (a timestamp read as UTC on SQLite, aware on PostGIS)
    assert body["facilities"][0]["condition_at"] == timezone.localtime(latest.approved_at).date().isoformat()
    assert body["facilities"][0]["distance_m"] == pytest.approx(expected["a"], abs=1e-6)
    assert 7000 < expected["a"] < 9000  # ~4.7 km down m1, ~3.3 km down T: not the ~5 km crow's flight
    assert body["river_id"] == "M" and body["river_name"] == "主河" and not body["network_synthetic"]
    rivers_by_id = {r["river_id"]: r for r in body["rivers"]}
    assert rivers_by_id["M"]["is_section_river"] and rivers_by_id["M"]["level"] == 0
    assert rivers_by_id["T"]["first_level_tributary"] and rivers_by_id["T"]["level"] == 1
    assert [r["distance_m"] for r in body["rivers"]] == sorted(r["distance_m"] for r in body["rivers"])
    assert [(p["id"], p["overdue"], p["site_kind"], p["site_id"]) for p in body["problems"]] == [
        (open_late.pk, True, "sewage_facility", rivers.facility_a.pk)
    ]
    problem, facility = body["problems"][0], body["facilities"][0]
    assert (problem["lon"], problem["lat"]) == (facility["lon"], facility["lat"]) != (None, None)  # its point
    assert body["problems"][0]["distance_m"] == body["facilities"][0]["distance_m"]
    # 5 km: the facility is ~8 km up, out of reach; the engine agrees
    near = api.get(f"/api/v1/water/sections/{rivers.section_a.pk}/upstream", km=5).json()
    assert near["facilities"] == [] == [k for k in _engine_answer(5)] and near["problems"] == []


def test_a_moved_facility_moves_in_the_answer(rivers, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("environment_bureau", rivers.district)
    path = f"/api/v1/water/sections/{rivers.section_a.pk}/upstream"
    assert [f["id"] for f in api.get(path).json()["facilities"]] == [rivers.facility_a.pk]
    facility_update(principal=SYSTEM, facility_id=rivers.facility_b.pk, changes={},
                    location=LocationInput(121.12, 31.9002))  # fmt: skip  # onto m1, ~7.5 km up
    ids = [f["id"] for f in api.get(path).json()["facilities"]]
    assert ids == [rivers.facility_b.pk, rivers.facility_a.pk]


def test_scope_and_bounds(rivers, api_as) -> None:  # type: ignore[no-untyped-def]
    path = f"/api/v1/water/sections/{rivers.section_a.pk}/upstream"
    outsider = api_as("town_officer", rivers.town_b)
    assert_error(outsider.get(path), 404, "not_found")
    assert_error(outsider.get("/api/v1/water/sections/999999/upstream"), 404, "not_found")
    town_a = api_as("town_officer", rivers.town_a)
    assert [f["id"] for f in town_a.get(path).json()["facilities"]] == [rivers.facility_a.pk]
    for km in (0, -1, 51, "x"):
        body = assert_error(town_a.get(path, km=km), 422)
        assert "km" in str(body["details"]["fields"]), body


def test_without_a_network_or_off_it_the_answer_says_why(world, api_as, tmp_path) -> None:  # type: ignore[no-untyped-def]
    api = api_as("environment_bureau", world.district)
    path = f"/api/v1/water/sections/{world.section_a.pk}/upstream"
    assert_error(api.get(path), 409, "no_river_network")
    river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "r.geojson", river_features()), dry_run=False
    )
    assert api.get(path).status_code == 200  # (121.2, 31.9) is m1/m2's node
    body = assert_error(
        api.get(f"/api/v1/water/sections/{world.section_b.pk}/upstream"), 409, "section_not_on_network"
    )
    assert body["details"] == {"section_id": world.section_b.pk, "reason": "no_location"}


def test_outfalls_upstream_with_their_distance_and_open_problems(rivers, api_as) -> None:  # type: ignore[no-untyped-def]
    """排污口 (item 19) in the answer as ``outfalls`` with ``distance_m`` along the water — the engine's
    distance for the same point — and their open rectifications in ``problems``
    with ``site_kind`` ``outfall``."""
    from checklists.models import Rectification
    from geo.outfalls.services import outfall_create

    up = outfall_create(principal=SYSTEM, code="PWK-UP", name="支河排口", kind="agricultural",
                        town_id=rivers.town_a.pk, location=LocationInput(*FACILITY_A_AT))  # fmt: skip
    outfall_create(principal=SYSTEM, code="PWK-DOWN", name="下游排口", kind="industrial",
                   town_id=rivers.town_a.pk, location=LocationInput(*FACILITY_B_AT))  # fmt: skip
    other = outfall_create(principal=SYSTEM, code="PWK-B", name="乙镇排口", kind="other",
                           town_id=rivers.town_b.pk, location=LocationInput(121.1503, 31.92))  # fmt: skip
    rect = _rectification(rivers, overdue=False)
    Rectification.objects.filter(pk=rect.pk).update(
        subject_kind="outfall", subject_id=up.pk, subject_name=up.name
    )
    office = api_as("environment_bureau", rivers.district)
    body = office.get(f"/api/v1/water/sections/{rivers.section_a.pk}/upstream", km=10).json()
    # by distance (乙镇排口 is 1 km nearer the mouth of 支河); the one downstream of the section is not there
    assert [o["code"] for o in body["outfalls"]] == ["PWK-B", "PWK-UP"]
    first = body["outfalls"][1]
    assert first["distance_m"] == pytest.approx(_engine_answer(10)["a"], abs=1e-6)  # same point as facility A
    assert (first["kind_label"], first["state"], first["river_id"]) == ("农业排口", "found", "T")
    outfall_problems = [p for p in body["problems"] if p["site_kind"] == "outfall"]
    assert [(p["id"], p["site_id"], p["site_name"]) for p in outfall_problems] == [
        (rect.pk, up.pk, "支河排口")
    ]
    assert (outfall_problems[0]["lon"], outfall_problems[0]["lat"]) == (first["lon"], first["lat"])
    assert outfall_problems[0]["distance_m"] == first["distance_m"]
    # a town sees its own outfalls only
    town_a = api_as("town_officer", rivers.town_a)
    seen = town_a.get(f"/api/v1/water/sections/{rivers.section_a.pk}/upstream").json()["outfalls"]
    assert [o["id"] for o in seen] == [up.pk] and other.pk not in [o["id"] for o in seen]


def _approved_inspection(world, outfall, reviewed_at):  # type: ignore[no-untyped-def]
    from checklists.models import ChecklistTemplate, Inspection
    from checklists.services.templates import templates_sync
    from tests.conftest import make_user

    templates_sync()
    template = ChecklistTemplate.objects.get(key="outfall-inspection", status="published")
    return Inspection.objects.create(
        client_uuid=uuid.uuid4(), template=template, inspector=make_user("inspector", world.town_a),
        purpose="audit", period=reviewed_at.year, status="approved", submitted_at=reviewed_at,
        reviewed_at=reviewed_at, percent=Decimal("100"), subject_kind="outfall", subject_id=outfall.pk,
        subject_name=outfall.name, subject_region=outfall.town, subject_town=outfall.town,
    )  # fmt: skip


def test_outfall_coverage_counts_the_outfalls_inspected_in_the_year(rivers, api_as) -> None:  # type: ignore[no-untyped-def]
    """有口皆查: of the outfalls within 10 km upstream, those with an approved inspection reviewed in the year
    (Asia/Shanghai), per type; downstream outfalls and other years do not count; scoped."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from geo.outfalls.services import outfall_create

    tz = ZoneInfo("Asia/Shanghai")

    def create(code, kind, at, town=rivers.town_a):  # type: ignore[no-untyped-def]
        return outfall_create(principal=SYSTEM, code=code, name=code, kind=kind, town_id=town.pk,
                              location=LocationInput(*at))  # fmt: skip

    a = create("O-A", "industrial", FACILITY_A_AT)
    b = create("O-B", "industrial", (121.1503, 31.92))
    c = create("O-C", "agricultural", (121.12, 31.9003), town=rivers.town_b)
    create("O-DOWN", "industrial", FACILITY_B_AT)  # downstream: not counted
    _approved_inspection(rivers, a, datetime(2022, 1, 1, 0, 30, tzinfo=tz))  # 2022 in Haimen (2021 in UTC)
    _approved_inspection(rivers, a, datetime(2022, 6, 1, 9, 0, tzinfo=tz))
    _approved_inspection(rivers, b, datetime(2021, 12, 31, 23, 30, tzinfo=tz))  # the year before
    _approved_inspection(rivers, c, datetime(2022, 3, 1, 9, 0, tzinfo=tz))
    path = f"/api/v1/water/sections/{rivers.section_a.pk}/outfall-coverage"
    office = api_as("environment_bureau", rivers.district)
    body = office.get(path, year=2022).json()
    assert (body["total"], body["inspected"], body["rate"], body["complete"]) == (3, 2, 0.6667, False)
    kinds = {k["kind"]: (k["total"], k["inspected"]) for k in body["by_kind"]}
    assert kinds == {"industrial": (2, 1), "sewage_plant": (0, 0), "agricultural": (1, 1), "other": (0, 0)}
    rows = {r["outfall"]["code"]: r for r in body["outfalls"]}
    assert set(rows) == {"O-A", "O-B", "O-C"} and rows["O-A"]["inspections"] == 2
    assert rows["O-B"]["inspections"] == 0 and rows["O-B"]["last_inspected_at"] is None
    assert rows["O-A"]["last_inspected_at"].startswith("2022-06-01")
    assert office.get(path, year=2021).json()["inspected"] == 1
    town_a = api_as("town_officer", rivers.town_a)  # its own outfalls only
    own = town_a.get(path, year=2022).json()
    assert (own["total"], own["inspected"]) == (2, 1)
    for bad in ({"year": 1999}, {"year": "x"}, {"km": 0}):
        assert_error(office.get(path, **bad), 422)
    assert_error(api_as("town_officer", rivers.town_b).get(path), 404, "not_found")
    # the upstream answer carries this year's summary
    summary = office.get(f"/api/v1/water/sections/{rivers.section_a.pk}/upstream").json()["outfall_coverage"]
    assert summary["total"] == 3 and summary["year"] == timezone.localdate().year


def test_the_answer_reads_a_fixed_number_of_statements_and_walks_once_per_version(  # type: ignore[no-untyped-def]
    rivers, api_as, django_assert_max_num_queries, monkeypatch, tmp_path
) -> None:
    """No N+1 however many sites are reached: the sites of every kind come in one statement, each kind's
    rows in one more (with their points read by the database), the problems in one per kind reached. The
    walk along the water is made once per section and network version, not on every request; a new import
    walks again, and a site moved since is where it is now (sites are never cached)."""
    from checklists.models import Rectification
    from geo.outfalls.services import outfall_create
    from geo.pumps.services import pump_station_create

    walks: list[str] = []
    real_upstream = engine.upstream

    def counted(network, origin, **kw):  # type: ignore[no-untyped-def]
        walks.append(origin.site_id)
        return real_upstream(network, origin, **kw)

    monkeypatch.setattr(engine, "upstream", counted)
    for i in range(3):
        outfall = outfall_create(principal=SYSTEM, code=f"PWK-{i}", name=f"排口{i}", kind="agricultural",
            town_id=rivers.town_a.pk, location=LocationInput(121.1503, 31.92 + i * 0.001))  # fmt: skip
        pump = pump_station_create(principal=SYSTEM, code=f"BZ-{i}", name=f"泵站{i}",
            town_id=rivers.town_a.pk, location=LocationInput(121.1503, 31.92 + i * 0.001))  # fmt: skip
        for kind, site in (("outfall", outfall), ("pump_station", pump)):
            rect = _rectification(rivers, overdue=False)
            Rectification.objects.filter(pk=rect.pk).update(
                subject_kind=kind, subject_id=site.pk, subject_name=site.name
            )
    _rectification(rivers, overdue=True)
    api = api_as("environment_bureau", rivers.district)
    path = f"/api/v1/water/sections/{rivers.section_a.pk}/upstream"
    # auth 3 (the token, its grants, its last use), the section in scope with its snap on the current
    # network 1, the sites of every kind with the facilities' rows and the sections on the rivers reached 1,
    # outfalls 1 + coverage 1, pump stations 1, the problems (every kind at once) with the latest samples
    # of the sections on the rivers reached 1
    with django_assert_max_num_queries(9):
        body = api.get(path).json()
    assert len(body["outfalls"]) == len(body["pump_stations"]) == 3 and len(body["facilities"]) == 1
    assert {p["site_kind"] for p in body["problems"]} == {"sewage_facility", "outfall", "pump_station"}
    point = type(rivers.facility_a).objects.get(pk=rivers.facility_a.pk).location
    assert (body["facilities"][0]["lon"], body["facilities"][0]["lat"]) == pytest.approx((point.x, point.y))
    assert walks == [str(rivers.section_a.pk)]
    # asked again: the section's snap as last read is checked in the sites statement (no section statement)
    with django_assert_max_num_queries(8):
        again = api.get(path).json()
    assert again == body and len(walks) == 1  # the same walk, kept with the version
    assert api.get(path, km=5).status_code == 200 and len(walks) == 2  # another distance: another walk
    facility_update(principal=SYSTEM, facility_id=rivers.facility_b.pk, changes={},
                    location=LocationInput(121.12, 31.9002))  # fmt: skip  # onto m1, ~7.5 km up
    assert len(api.get(path).json()["facilities"]) == 2 and len(walks) == 2  # moved site found, no new walk
    river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "again.geojson", river_features()), dry_run=False
    )
    assert api.get(path).json()["network_id"] != body["network_id"] and len(walks) == 3


def test_the_json_is_the_response_schemas(rivers, api_as) -> None:  # type: ignore[no-untyped-def]
    """The answer is written from the selector's rows without pydantic validating them again, by a faster
    encoder: the JSON is the one ninja writes through ``SectionUpstreamOut`` — every list, field order, dates,
    local datetimes, nulls, floats to the last bit; only the spacing differs — with a water class, an audit,
    outfalls (one inspected), pump stations and problems of every kind."""
    from checklists.models import Rectification
    from checklists.schemas.upstream import SectionUpstreamOut
    from checklists.selectors import section_upstream
    from geo.models import FacilityCondition
    from geo.outfalls.services import outfall_create
    from geo.pumps.services import pump_station_create
    from kernel.kit import Renderer
    from scoring.models import Measurement

    at = timezone.now() - timedelta(days=3)
    for key, value in {"ph": 7.2, "do": 6.5, "codmn": 4, "nh3n": 1.5}.items():
        Measurement.objects.create(section=rivers.section_a, sampled_at=at, indicator=key,
                                   value=Decimal(str(value)), source="automatic")  # fmt: skip
    FacilityCondition.objects.create(facility=rivers.facility_a, conditions=["stopped"], status="stopped",
        inspection_uuid=uuid.uuid4(), approved_at=timezone.now() - timedelta(days=2))  # fmt: skip
    outfall = outfall_create(principal=SYSTEM, code="PWK-J", name="排口甲", kind="industrial",
        town_id=rivers.town_a.pk, location=LocationInput(121.1503, 31.92))  # fmt: skip
    pump = pump_station_create(principal=SYSTEM, code="BZ-J", name="泵站甲", town_id=rivers.town_a.pk,
        location=LocationInput(121.1503, 31.921))  # fmt: skip
    type(outfall).objects.filter(pk=outfall.pk).update(last_inspected_at=timezone.now() - timedelta(hours=30))
    _rectification(rivers, overdue=True)
    for kind, site in (("outfall", outfall), ("pump_station", pump)):
        rect = _rectification(rivers, overdue=False)
        Rectification.objects.filter(pk=rect.pk).update(
            subject_kind=kind, subject_id=site.pk, subject_name=site.name
        )
    api = api_as("environment_bureau", rivers.district)
    response = api.get(f"/api/v1/water/sections/{rivers.section_a.pk}/upstream")
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["rivers"][0]["water_class"] is not None and body["facilities"][0]["condition"] == ["stopped"]
    assert body["outfalls"] and body["pump_stations"] and len(body["problems"]) == 3
    answer = section_upstream(principal=response.wsgi_request.auth, section_id=rivers.section_a.pk, km=10)
    schema = SectionUpstreamOut.model_validate(answer).model_dump()
    rendered = Renderer().render(response.wsgi_request, schema, response_status=200)
    assert body["outfalls"][0]["last_inspected_at"].endswith("+08:00")

    def canonical(text: str | bytes) -> str:  # key order and float digits kept, spacing normalised
        return json.dumps(json.loads(text), ensure_ascii=False)

    assert canonical(response.content) == canonical(rendered)


def test_a_moved_section_and_its_scope_are_read_again_not_guessed(rivers, api_as) -> None:  # type: ignore[no-untyped-def]
    """A repeated request walks from the section's snap as last read and checks it in the same statement:
    a section moved since (re-snapped elsewhere) is answered from where it is now, exactly as a process that
    never saw it would answer; a caller out of scope still gets 404."""
    api = api_as("environment_bureau", rivers.district)
    path = f"/api/v1/water/sections/{rivers.section_a.pk}/upstream"
    before = api.get(path).json()
    assert [f["id"] for f in before["facilities"]] == [rivers.facility_a.pk]
    assert_error(api_as("town_officer", rivers.town_b).get(path), 404, "not_found")
    section_upsert(code="S-A", name="甲桥二", level="municipal", region=rivers.district,
                   responsible_towns=[rivers.town_a], location=LocationInput(121.1504, 31.9))  # fmt: skip
    moved = api.get(path).json()
    assert moved["section_name"] == "甲桥二" and moved["snap_distance_m"] != before["snap_distance_m"]
    assert moved["facilities"] != before["facilities"]
    river_engine.forget()  # a process that never read it
    assert api.get(path).json() == moved
    assert_error(api_as("town_officer", rivers.town_b).get(path), 404, "not_found")
