"""Facility ledgers (台账) against the registry, and the sewage workflow end to end: ledger import → audit
with photos through the API → facility status → rectification with deadline → overdue run → repair
evidence → re-audit → the rates change as expected."""

import io
import uuid
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import load_workbook

from checklists.models import Rectification
from checklists.services.rectifications import rectifications_mark_overdue
from checklists.services.templates import templates_sync
from geo import coords
from geo.models import FacilityService, Region, RegionLevel, SewageFacility
from kernel.audit.models import AuditEvent
from tests.checklists.conftest import Phone, png_bytes, sewage_answers
from tests.conftest import ApiClient, assert_error, make_user
from tests.factories import RegionFactory
from tests.sheets import HOSTILE, inert_xlsx

HEADER = (
    "区镇,行政村,自然村,设施编码,设施名称,设计处理能力（吨/日）,处理工艺,服务户数,经度,纬度,坐标系,"
    "电表号,运维单位,状态,投运日期\n"
)


@pytest.fixture
def bounded(world):  # type: ignore[no-untyped-def]
    """Town boundaries: 常乐镇 around (121.2, 31.9), 四甲镇 around (121.4, 32.0)."""
    for town, bbox in (
        (world.town_a, (121.15, 31.85, 121.25, 31.95)),
        (world.town_b, (121.35, 31.95, 121.45, 32.05)),
    ):
        town.boundary = MultiPolygon(Polygon.from_bbox(bbox), srid=4326)
        town.save()
    templates_sync()
    return world


def upload(client: ApiClient, text: str, **form: object):  # type: ignore[no-untyped-def]
    fh = io.BytesIO(text.encode("gb18030"))
    fh.name = "台账.csv"
    return client.client.post(
        "/api/v1/geo/facilities/import", {"file": fh, **form}, headers=client._headers(None)
    )


def test_a_bad_ledger_is_refused_row_by_row(bounded) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", bounded.district))
    gcj = coords.wgs84_to_gcj02(coords.LonLat(121.21, 31.91))
    bad = HEADER + (
        # row 2: 30 t/d without a meter number (a gap, not an error)
        "常乐镇,甲村,一组,WS-L1,甲村一号站,30,A/O,40,121.2,31.9,WGS-84,,某运维公司,在运行,2021-06\n"
        "常乐镇,甲村,一组,WS-L2,甲村二号站,12,A/O,40,121.4,32.0,WGS-84,,,在运行,\n"  # in 四甲镇
        "常乐镇,甲村,一组,WS-L3,甲村三号站,十吨,A/O,40,,,,,,在运行,\n"  # text in capacity
        "常乐镇,甲村,一组,WS-L1,重复编码站,8,A/O,40,,,,,,在运行,\n"  # duplicate code
        f"常乐镇,甲村,一组,WS-L5,甲村五号站,8,A/O,20,{gcj.lon:.6f},{gcj.lat:.6f},GCJ-02,,,在运行,\n"
    )
    r = upload(office, bad, dry_run="false")
    assert r.status_code == 200, r.content
    report = r.json()["report"]
    assert r.json()["status"] == "rejected"
    assert report["ok"] is False and report["created"] == 0
    assert {(e["row"], e["code"]) for e in report["errors"]} == {
        (3, "outside_town"), (4, "not_a_number"), (5, "duplicate_code")
    }  # fmt: skip
    assert [g["code"] for g in report["gaps_by_town"]["常乐镇"]] == ["meter_required"]  # the 30 t/d one
    assert not SewageFacility.objects.filter(code__startswith="WS-L").exists()  # nothing imported
    # only the valid rows, on request: the GCJ-02 point is stored in WGS-84, its datum and raw values kept
    valid = upload(office, bad, dry_run="false", valid_rows_only="true").json()["report"]
    assert valid["created"] == 2
    five = SewageFacility.objects.get(code="WS-L5")
    assert five.location_datum == "gcj02" and five.location_raw_lon == pytest.approx(gcj.lon)
    assert (
        coords.distance_m(coords.LonLat(five.location.x, five.location.y), coords.LonLat(121.21, 31.91)) < 1
    )
    assert FacilityService.objects.get(facility=five).households == 20
    town_officer_b = ApiClient(make_user("town_officer", bounded.town_b))
    assert (
        upload(town_officer_b, bad).json()["report"]["errors"][0]["code"] == "unknown_town"
    )  # not in its scope
    assert_error(upload(ApiClient(make_user("inspector", bounded.town_a)), bad), 403)


def test_ledger_round_trip(bounded) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", bounded.district))
    good = (
        HEADER
        + "常乐镇,甲村,一组,WS-R1,甲村一号站,25,A²/O,35,121.2,31.9,WGS-84,3206001,某运维公司,"
        + "在运行,2021-06-30\n"
    )
    dry = upload(office, good).json()["report"]  # dry run is the default
    assert (
        dry["would_create"] == 1
        and dry["created"] == 0
        and not SewageFacility.objects.filter(code="WS-R1").exists()
    )
    assert upload(office, good, dry_run="false").json()["report"]["created"] == 1
    exported = office.get("/api/v1/geo/facilities/ledger.xlsx", town_id=bounded.town_a.pk)
    assert exported.status_code == 200
    fh = io.BytesIO(exported.content)
    fh.name = "台账.xlsx"
    again = office.client.post(
        "/api/v1/geo/facilities/import", {"file": fh}, headers=office._headers(None)
    ).json()["report"]
    assert again["ok"] and again["would_update"] == 2 and again["would_create"] == 0  # WS-A and WS-R1
    ws = load_workbook(io.BytesIO(exported.content)).active
    assert ws["A1"].value == "常乐镇农村生活污水处理设施台账"


def test_sewage_end_to_end(bounded, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    world = bounded
    office = ApiClient(make_user("district_office", world.district, username="nongban_e2e"))
    ledger_csv = (
        HEADER
        + "常乐镇,甲村,一组,WS-E1,甲村新站,30,A/O,40,121.2,31.9,WGS-84,3206009,某运维公司,在运行,2021-06-30\n"
    )
    assert upload(office, ledger_csv, dry_run="false").json()["report"]["created"] == 1
    facility = SewageFacility.objects.get(code="WS-E1")

    def town_a_rates() -> dict:  # type: ignore[type-arg]
        return {t["town"]["name"]: t for t in office.get("/api/v1/sewage/rates").json()["towns"]}["常乐镇"]

    before = town_a_rates()
    assert before["treatment"]["percent"] == 100.0  # 一组: 40 of 40 households served
    assert before["operation"] == {"numerator": 0, "denominator": 2, "percent": 0.0}  # nothing audited

    # an audit with photos through the API: stopped, and no independent meter on a 30 t/d facility
    phone = Phone(make_user("inspector", world.town_a, username="jiancha_e2e"))
    cu = str(uuid.uuid4())
    answers = sewage_answers() | {"op.running": {"value": False}, "ledger.meter": {"value": False}}
    body = {"template_key": "sewage-facility-audit", "template_version": 1,
            "subject": {"kind": "sewage_facility", "id": facility.pk}, "answers": answers,
            "device_location": {"lon": 121.2, "lat": 31.9, "datum": "wgs84", "accuracy_m": 5}}  # fmt: skip
    assert phone.put(cu, body).status_code == 201
    for i, key in enumerate(("record.site-photo", "op.running", "ledger.meter")):
        assert phone.photo(cu, key, seed=i + 1).status_code == 201
    assert phone.submit(cu).status_code == 200
    officer = ApiClient(make_user("town_officer", world.town_a, username="changle_e2e"))
    with django_capture_on_commit_callbacks(execute=True):
        assert officer.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200
    facility.refresh_from_db()
    assert facility.status == "stopped"
    dossier = office.get(f"/api/v1/sewage/facilities/{facility.pk}").json()
    assert dossier["conditions"][0]["conditions"] == ["no_meter", "stopped"]
    assert dossier["audits"][0]["client_uuid"] == cu and len(dossier["rectifications"]) == 2
    after_audit = town_a_rates()
    assert after_audit["treatment"]["percent"] == 100.0  # a stopped facility still covers its households
    assert after_audit["operation"]["numerator"] == 0 and after_audit["not_normal_facilities"] == 2

    # rectifications with deadlines; the overdue run; the per-town overdue list
    rects = {r.category: r for r in Rectification.objects.filter(subject_id=facility.pk)}
    assert set(rects) == {"equipment_fault", "no_meter"} and all(r.deadline for r in rects.values())
    latest = max(r.deadline for r in rects.values())
    assert rectifications_mark_overdue(today=latest + timedelta(days=1)) == 2
    overdue = office.get("/api/v1/rectifications/overdue-by-town").json()
    assert {o["town_name"]: o["count"] for o in overdue}["常乐镇"] == 2

    # repair evidence taken at the facility, submitted by the town
    for rect in rects.values():
        photo = SimpleUploadedFile("r.png", png_bytes(rect.pk + 50), content_type="image/png")
        r = officer.client.post(
            f"/api/v1/rectifications/{rect.pk}/photos",
            {"photo_uuid": str(uuid.uuid4()), "lon": "121.2001", "lat": "31.9001", "file": photo},
            headers=officer._headers(None),
        )
        assert r.status_code == 201, r.content
        assert not [f for f in r.json()["flags"] if f.get("code") == "far_from_subject"]
        done = officer.post(
            f"/api/v1/rectifications/{rect.pk}/transition", {"action": "submit", "note": "已整改"}
        )
        assert done.status_code == 200, done.content

    # the district's re-audit finds both problems gone: rectifications closed, the facility back in service
    district_phone = Phone(make_user("district_office", world.district, username="reaudit_e2e"))
    cu2 = str(uuid.uuid4())
    assert district_phone.put(cu2, body | {"answers": sewage_answers()}).status_code == 201
    district_phone.photo(cu2, "record.site-photo", seed=9)
    district_phone.photo(cu2, "op.running", seed=10)
    assert district_phone.submit(cu2).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert office.post(f"/api/v1/inspections/{cu2}/review", {"decision": "approve"}).status_code == 200
    assert set(Rectification.objects.filter(subject_id=facility.pk).values_list("status", flat=True)) == {
        "closed"
    }
    facility.refresh_from_db()
    assert facility.status == "in_service"
    final = town_a_rates()
    assert final["operation"] == {"numerator": 1, "denominator": 2, "percent": 50.0}  # WS-A never audited
    assert final["treatment"]["percent"] == 100.0
    assert facility.capacity_tpd == D("30")


@override_settings(LEDGER_IMPORT_SYNC_BYTES=10)
def test_a_large_ledger_is_processed_by_a_task_and_polled(
    bounded, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", bounded.district))
    good = HEADER + "常乐镇,甲村,一组,WS-Q1,甲村一号站,8,A/O,35,121.2,31.9,WGS-84,,,在运行,\n"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = upload(office, good, dry_run="false")
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    poll = f"/api/v1/geo/facilities/imports/{queued.json()['id']}"
    assert office.get(poll).json()["progress"] == 0
    for callback in callbacks:
        callback()  # the Celery task (eager in tests; a worker in production)
    done = office.get(poll).json()
    assert (done["status"], done["progress"], done["report"]["created"]) == ("done", 100, 1)
    other = ApiClient(make_user("district_office", bounded.district))
    assert_error(other.get(poll), 404)  # someone else's import


# --- stopping a facility serving natural villages: re-list it with an empty 自然村 cell -------------------


def test_a_dry_run_lists_the_households_a_ledger_would_stop_serving(bounded) -> None:  # type: ignore[no-untyped-def]
    world = bounded
    RegionFactory(level=RegionLevel.NATURAL_VILLAGE, name="二组", parent=world.village_a, households=50)
    office = ApiClient(make_user("district_office", world.district))
    first = HEADER + (
        "常乐镇,甲村,一组(40)、二组(35),WS-S1,甲村一号站,8,A/O,,121.2,31.9,WGS-84,,,在运行,\n"
        "常乐镇,甲村,一组(10)、二组(5),WS-S2,甲村二号站,8,A/O,,121.2,31.9,WGS-84,,,在运行,\n"
        "常乐镇,甲村,一组,WS-S3,甲村三号站,8,A/O,12,121.2,31.9,WGS-84,,,在运行,\n"
    )
    assert upload(office, first, dry_run="false").json()["report"]["created"] == 3
    served = FacilityService.objects.filter(facility__code__startswith="WS-S")
    assert served.count() == 5
    # WS-S1 re-listed with an empty 自然村 (and 服务户数) cell; WS-S2 keeps only 二组; WS-S3 lists 一组
    # without a household count, which the registry cannot record
    again = HEADER + (
        "常乐镇,甲村,,WS-S1,甲村一号站,8,A/O,,121.2,31.9,WGS-84,,,在运行,\n"
        "常乐镇,甲村,二组(5),WS-S2,甲村二号站,8,A/O,,121.2,31.9,WGS-84,,,在运行,\n"
        "常乐镇,甲村,一组,WS-S3,甲村三号站,8,A/O,,121.2,31.9,WGS-84,,,在运行,\n"
    )
    dry = upload(office, again).json()["report"]
    assert dry["ok"] and dry["would_update"] == 3 and dry["natural_villages_column"] is True
    where = {"town": "常乐镇", "village": "甲村"}
    assert dry["stop_serving"] == [
        {"row": 2, **where, "facility_code": "WS-S1", "facility_name": "甲村一号站",
         "natural_villages": [{"name": "一组", "households": 40, "reason": "not_listed"},
                              {"name": "二组", "households": 35, "reason": "not_listed"}],
         "households": 75},
        {"row": 3, **where, "facility_code": "WS-S2", "facility_name": "甲村二号站",
         "natural_villages": [{"name": "一组", "households": 10, "reason": "not_listed"}], "households": 10},
        {"row": 4, **where, "facility_code": "WS-S3", "facility_name": "甲村三号站",
         "natural_villages": [{"name": "一组", "households": 12, "reason": "no_households"}],
         "households": 12},
    ]  # fmt: skip
    assert dry["would_stop_serving"] == {"facilities": 3, "natural_villages": 4, "households": 97}
    assert dry["stopped_serving"] == {"facilities": 0, "natural_villages": 0, "households": 0}
    assert served.count() == 5  # a dry run
    applied = upload(office, again, dry_run="false").json()["report"]
    assert applied["stopped_serving"] == {"facilities": 3, "natural_villages": 4, "households": 97}
    assert not FacilityService.objects.filter(facility__code__in=["WS-S1", "WS-S3"]).exists()
    assert [(s.natural_village.name, s.households) for s in FacilityService.objects.filter(
        facility__code="WS-S2")] == [("二组", 5)]  # fmt: skip
    # the audit keeps what each facility served before
    event = AuditEvent.objects.filter(
        action="geo.facility.ledger_upsert", object_repr__contains="WS-S1"
    ).latest("id")
    assert event.before["serves"] == {"一组": 40, "二组": 35} and event.after["serves"] == {}


def test_a_ledger_without_a_natural_village_column_leaves_the_households_alone(bounded) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", bounded.district))
    first = HEADER + "常乐镇,甲村,一组,WS-N1,甲村一号站,8,A/O,40,,,,,,在运行,\n"
    assert upload(office, first, dry_run="false").json()["report"]["created"] == 1
    header = "区镇,行政村,设施编码,设施名称,设计处理能力（吨/日）,电表号\n"
    report = upload(office, header + "常乐镇,甲村,WS-N1,甲村一号站,8,3206001\n", dry_run="false").json()[
        "report"
    ]
    assert report["ok"] and report["updated"] == 1 and report["natural_villages_column"] is False
    assert report["stop_serving"] == [] and report["stopped_serving"]["households"] == 0
    assert FacilityService.objects.get(facility__code="WS-N1").households == 40
    assert SewageFacility.objects.get(code="WS-N1").meter_number == "3206001"


def test_a_village_boundary_is_checked_like_the_towns(bounded) -> None:  # type: ignore[no-untyped-def]
    village = Region.objects.get(pk=bounded.village_a.pk)
    village.boundary = MultiPolygon(Polygon.from_bbox((121.15, 31.85, 121.2, 31.9)), srid=4326)
    village.save()
    office = ApiClient(make_user("district_office", bounded.district))
    report = upload(
        office, HEADER + "常乐镇,甲村,一组,WS-V1,甲村一号站,8,A/O,40,121.24,31.94,WGS-84,,,在运行,\n"
    ).json()["report"]
    assert [(e["row"], e["code"]) for e in report["errors"]] == [(2, "outside_village")]
    assert "甲村" in report["errors"][0]["message"]


def test_a_hostile_facility_name_exports_inert_and_imports_back_unchanged(bounded) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", bounded.district))
    bounded.facility_a.name = HOSTILE
    bounded.facility_a.operator = "@某运维公司"
    bounded.facility_a.save()
    exported = office.get("/api/v1/geo/facilities/ledger.xlsx", town_id=bounded.town_a.pk)
    assert exported.status_code == 200
    rows = inert_xlsx(exported.content)["台账"]
    assert f"'{HOSTILE}" in rows[2]
    fh = io.BytesIO(exported.content)
    fh.name = "台账.xlsx"
    report = office.client.post(
        "/api/v1/geo/facilities/import", {"file": fh, "dry_run": "false"}, headers=office._headers(None)
    ).json()["report"]
    assert report["ok"] and report["updated"] == 1
    bounded.facility_a.refresh_from_db()
    assert (bounded.facility_a.name, bounded.facility_a.operator) == (HOSTILE, "@某运维公司")


def test_a_ledger_dry_run_is_applied_from_the_stored_file(bounded) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", bounded.district))
    row = "常乐镇,甲村,一组,WS-P1,甲村一号站,25,A²/O,35,121.2,31.9,WGS-84,3206001,某运维公司,在运行,\n"
    good = HEADER + row
    dry = upload(office, good).json()
    assert dry["status"] == "done" and not SewageFacility.objects.filter(code="WS-P1").exists()

    def apply(client: ApiClient, import_id: str):  # type: ignore[no-untyped-def]
        return client.client.post(
            f"/api/v1/geo/facilities/imports/{import_id}/apply", headers=client._headers(None)
        )

    other = ApiClient(make_user("district_office", bounded.district))
    assert_error(apply(other, dry["id"]), 404)  # another user's upload: not revealed
    applied = apply(office, dry["id"])
    assert applied.status_code == 200, applied.content
    assert applied.json()["dry_run"] is False and applied.json()["report"]["created"] == 1
    assert SewageFacility.objects.filter(code="WS-P1").exists()
    assert_error(apply(office, applied.json()["id"]), 409, "import_not_applicable")  # not a dry run
