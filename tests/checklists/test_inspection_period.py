"""The period an inspection assesses (考核年度) is its own field: set by the assignment or the phone,
checked against the schemes, shown everywhere, and what the scoreboards count by. The server's submit
time is only when it arrived: an annual assessment of 2022 carried out in January 2023 counts in 2022."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.utils import timezone

from checklists.models import Assignment, Inspection
from scoring.assessment import schemes
from tests.checklists.conftest import Phone, draft
from tests.conftest import ApiClient, assert_error, make_user
from tests.scoring.test_scoreboard_e2e import fire, safety

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def schemes_2022_2023(tmp_path, monkeypatch, settings):  # type: ignore[no-untyped-def]
    """The shipped 2022 town scheme and the same rules for 2023, and nothing else (no office files)."""
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for year in (2022, 2023):
        doc = schemes.load("towns-2022").document | {"key": f"towns-{year}", "year": year}
        (shipped / f"towns-{year}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(schemes, "SCHEME_DIR", shipped)
    settings.VAR_DIR = tmp_path / "var"  # no office schemes left behind by other tests


@pytest.fixture
def clock(monkeypatch):  # type: ignore[no-untyped-def]
    """``clock(datetime)``: the server's clock from then on reads that moment (and keeps running)."""
    real_now = timezone.now

    def set_to(moment: datetime) -> None:
        offset = moment - real_now()
        monkeypatch.setattr(timezone, "now", lambda: real_now() + offset)

    return set_to


def town_assessment(town, template: str, answers: dict, **extra) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return {
        "template_key": template,
        "template_version": 1,
        "subject": {"kind": "town", "id": town.pk},
        "answers": answers,
        "purpose": "annual",
        **extra,
    }


def assess(office: Phone, reviewer: ApiClient, body: dict) -> str:  # type: ignore[type-arg]
    cu = str(uuid.uuid4())
    put = office.put(cu, body)
    assert put.status_code == 201, put.content
    office.photo(cu, "record.site-photo", seed=hash(cu) % 1000)
    for key, a in body["answers"].items():
        if a["value"] is not True:
            office.photo(cu, key, seed=hash(cu + key) % 1000)
    assert office.submit(cu).status_code == 200
    assert reviewer.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200
    return cu


def test_an_annual_assessment_of_2022_done_in_january_2023_counts_in_2022(  # type: ignore[no-untyped-def]
    world, templates, schemes_2022_2023, clock, django_capture_on_commit_callbacks
) -> None:
    office = Phone(make_user("district_office", world.district, username="anweiban_p"))
    reviewer = ApiClient(make_user("environment_bureau", world.district, username="reviewer_p"))
    clock(datetime(2023, 1, 5, 9, 0, tzinfo=SHANGHAI))  # the office assesses last year in January
    with django_capture_on_commit_callbacks(execute=True):
        # 常乐镇: the year is stated by the client
        a_safety = assess(
            office, reviewer, town_assessment(world.town_a, "safety-town", safety(), period=2022)
        )
        assess(office, reviewer, town_assessment(world.town_a, "fire-town", fire(), period=2022))
        # 四甲镇: started on the phone on 29 December, synced and submitted in January: the default is
        # the year the phone started it in
        started = {"device_started_at": "2022-12-29T15:00:00+08:00"}
        assess(office, reviewer, town_assessment(world.town_b, "safety-town", safety(hazards=4), **started))
        assess(office, reviewer, town_assessment(world.town_b, "fire-town", fire(), **started))

    detail = office.get(f"/api/v1/inspections/{a_safety}").json()
    assert detail["period"] == 2022
    assert timezone.localtime(datetime.fromisoformat(detail["submitted_at"])).year == 2023
    board = office.get("/api/v1/scoreboards/towns-2022").json()
    assert {r["unit_name"] for r in board["rows"]} == {"常乐镇", "四甲镇"}
    assert {r["unit_name"]: r["total"] for r in board["rows"]}["常乐镇"] == "100.00"
    # the submit year's scoreboard does not see them (recomputed explicitly: nothing queued it)
    from scoring.assessment.services import assessment_recompute

    assert assessment_recompute(scheme_key="towns-2023").rows == []
    # the drill-down finds the inspections by their period and shows it
    card = office.get(f"/api/v1/scoreboards/towns-2022/towns/{world.town_b.pk}").json()
    shown = [i for c in card["components"] for i in c["inspections"]]
    assert len(shown) == 2 and {i["period"] for i in shown} == {2022}


def test_routine_inspections_count_in_their_period_and_the_drill_down_lists_them(  # type: ignore[no-untyped-def]
    world, templates, schemes_2022_2023, clock, django_capture_on_commit_callbacks
) -> None:
    officer = Phone(make_user("town_officer", world.town_a, username="officer_routine"))
    reviewer = ApiClient(make_user("district_office", world.district, username="anweiban_routine"))
    clock(datetime(2023, 1, 3, 9, 0, tzinfo=SHANGHAI))
    with django_capture_on_commit_callbacks(execute=True):
        body = town_assessment(world.town_a, "safety-town", safety(hazards=2), purpose="routine")
        routine = assess(officer, reviewer, body | {"device_started_at": "2022-12-30T16:00:00+08:00"})
    card = reviewer.get(f"/api/v1/scoreboards/towns-2022/towns/{world.town_a.pk}").json()
    assert [i["client_uuid"] for i in card["components"][0]["inspections"]] == [routine]


def test_the_assignment_sets_the_period_and_a_contradicting_client_is_refused(  # type: ignore[no-untyped-def]
    world, templates, schemes_2022_2023
) -> None:
    office = Phone(make_user("district_office", world.district, username="anweiban_a"))
    task = Assignment.objects.create(
        template_key="safety-town", inspector_id=office.user_id, purpose="annual", period=2022,
        subject_kind="town", subject_id=world.town_a.pk, subject_name=world.town_a.name,
        subject_region=world.town_a, subject_town=world.town_a,
    )  # fmt: skip
    catalogue = office.get("/api/v1/catalogue").json()
    assert [(a["id"], a["period"]) for a in catalogue["assignments"]] == [(task.pk, 2022)]
    body = town_assessment(world.town_a, "safety-town", safety(), assignment_id=task.pk)
    error = assert_error(office.put(uuid.uuid4(), body | {"period": 2023}), 422, "period_mismatch")
    assert "2022" in error["details"]["fields"]["period"][0]
    assert not Inspection.objects.exists()
    cu = uuid.uuid4()
    # no period from the client (and a device clock in another year): the assignment's
    ack = office.put(cu, body | {"device_started_at": "2023-01-04T09:00:00+08:00"})
    assert ack.status_code == 201 and ack.json()["period"] == 2022
    # an update may repeat the assignment's period but not change it
    assert office.put(cu, body | {"period": 2022}, if_match=1).status_code == 200
    assert_error(office.put(cu, body | {"period": 2023}, if_match=2), 422, "period_mismatch")
    assert Inspection.objects.get(client_uuid=cu).period == 2022


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"period": 2024}, "period_out_of_scheme"),  # no scheme uses this template for 2024
        ({"device_started_at": "2025-06-01T09:00:00+08:00"}, "period_out_of_scheme"),  # the default too
        ({"period": 1970}, "period_out_of_range"),
    ],
)
def test_a_period_no_scheme_assesses_is_refused(world, templates, schemes_2022_2023, extra, code) -> None:  # type: ignore[no-untyped-def]
    office = Phone(make_user("district_office", world.district, username="anweiban_s"))
    body = town_assessment(world.town_a, "safety-town", safety(), **extra)
    error = assert_error(office.put(uuid.uuid4(), body), 422, code)
    assert "period" in error["details"]["fields"]
    assert not Inspection.objects.exists()


def test_without_a_scheme_the_period_must_still_be_a_plausible_year(world, phone_a) -> None:  # type: ignore[no-untyped-def]
    next_year = timezone.localdate().year + 1
    for bad in (2021, next_year + 1, 0, 99999):
        body = assert_error(phone_a.put(uuid.uuid4(), draft(world, period=bad)), 422, "period_out_of_range")
        assert "period" in body["details"]["fields"]
    assert not Inspection.objects.exists()
    # the year the phone started it, else the server's year; next year is allowed (planning ahead)
    started = phone_a.put(uuid.uuid4(), draft(world))  # device_started_at 2022-09-20
    assert started.status_code == 201 and started.json()["period"] == 2022
    unstated = phone_a.put(uuid.uuid4(), draft(world, device_started_at=None))
    assert unstated.json()["period"] == timezone.localdate().year
    assert phone_a.put(uuid.uuid4(), draft(world, period=next_year)).json()["period"] == next_year


def test_the_period_is_shown_filtered_and_fixed_once_submitted(world, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    cu = str(uuid.uuid4())
    assert phone_a.put(cu, draft(world, period=2023)).json()["period"] == 2023
    # a draft's period may still be corrected; omitting it keeps it
    assert phone_a.put(cu, draft(world, period=2024), if_match=1).json()["period"] == 2024
    assert phone_a.put(cu, draft(world, device_started_at=None), if_match=2).json()["period"] == 2024
    for key in ("op.running", "record.site-photo"):
        phone_a.photo(cu, key, seed=hash(cu + key) % 1000)
    submitted = phone_a.submit(cu).json()
    assert (submitted["status"], submitted["period"]) == ("submitted", 2024)
    locked = phone_a.put(cu, draft(world, period=2025), if_match=submitted["version"])
    assert_error(locked, 409, "inspection_locked")
    assert officer_a.get(f"/api/v1/inspections/{cu}").json()["revisions"][0]["period"] == 2024
    other = phone_a.put(uuid.uuid4(), draft(world, period=2023))
    assert other.status_code == 201
    listed = officer_a.get("/api/v1/inspections", period=2024).json()["items"]
    assert [(i["client_uuid"], i["period"]) for i in listed] == [(cu, 2024)]
    assert len(phone_a.get("/api/v1/inspections", mine="true").json()["items"]) == 2


def test_a_rejected_inspection_may_be_amended_into_another_period(world, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    cu, submitted = phone_a.complete(world)
    assert submitted.json()["period"] == 2022
    reject = {"decision": "reject", "reason": "这是2023年的核查，请改正考核年度"}
    assert officer_a.post(f"/api/v1/inspections/{cu}/review", reject).status_code == 200
    version = phone_a.get(f"/api/v1/inspections/{cu}").json()["version"]
    assert phone_a.put(cu, draft(world, period=2023), if_match=version).json()["period"] == 2023
    assert phone_a.submit(cu).json()["period"] == 2023
    revisions = officer_a.get(f"/api/v1/inspections/{cu}").json()["revisions"]
    assert [r["period"] for r in revisions] == [2022, 2023]


def test_spot_check_assignments_carry_the_draw_year(world, templates, district) -> None:  # type: ignore[no-untyped-def]
    make_user("inspector", world.town_a)
    make_user("inspector", world.town_b)
    body = {"year": 2024, "subject_kind": "sewage_facility", "template_key": "sewage-facility-audit",
            "per_town": 1}  # fmt: skip
    spot_id = district.post("/api/v1/spot-checks", body).json()["id"]
    assert set(Assignment.objects.filter(spot_check_id=spot_id).values_list("period", flat=True)) == {2024}
    nonsense = assert_error(district.post("/api/v1/spot-checks", body | {"year": 2019}), 422)
    assert nonsense["code"] == "period_out_of_range" and "year" in nonsense["details"]["fields"]


def test_the_problem_list_names_the_period(world, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    from tests.checklists.conftest import sewage_answers

    cu, _ = phone_a.complete(world, sewage_answers() | {"ledger.meter": {"value": False}})
    assert officer_a.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200
    csv_text = officer_a.get("/api/v1/rectifications/export", sheet="problems", format="csv").content
    header, row = csv_text.decode("utf-8-sig").splitlines()[:2]
    assert header.split(",")[-1] == "考核年度" and row.split(",")[-1] == "2022"
