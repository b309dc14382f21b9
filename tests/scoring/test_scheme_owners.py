"""Actions on an assessment scheme belong to the roles that own it (scheme data: ``owners``). The 安全生产
/ 消防 boards are the district office's (区安委办 / 区消委办): the environment bureau sees them but neither
notices, decides appeals, publishes, records tasks or award decisions, nor corrects the inspections they
count — while its own work (sewage facility audits) goes on as before."""

import copy
from datetime import timedelta

import pytest
import yaml
from django.utils import timezone

from checklists.models import Inspection
from checklists.services.templates import templates_sync
from kernel.access import Role
from scoring.assessment import schemes
from scoring.engine.assessment import SchemeError
from scoring.models import Scoreboard
from tests.checklists.conftest import Phone
from tests.conftest import ApiClient, assert_error, make_user
from tests.scoring.test_scoreboard_e2e import assess, fire, safety


@pytest.mark.parametrize("key", ["towns-2022", "departments-2022", "enterprises-2022"])
def test_the_safety_and_fire_schemes_are_the_district_offices(key: str) -> None:
    d = schemes.load(key)
    assert d.owners == frozenset({Role.DISTRICT_OFFICE})
    assert d.document["owners"] == ["district_office"]


def test_owners_default_to_the_district_office_and_bad_ones_stop_the_loader() -> None:
    doc = copy.deepcopy(schemes.load("towns-2022").document)
    doc.pop("owners")
    assert schemes.parse(doc, "towns-2030.yaml").owners == frozenset({Role.DISTRICT_OFFICE})
    both = schemes.parse(doc | {"owners": ["district_office", "environment_bureau"]}, "x.yaml")
    assert both.owners == frozenset({Role.DISTRICT_OFFICE, Role.ENVIRONMENT_BUREAU})
    for bad, words in (
        ("district_office", "应为"),
        ([], "应为"),
        (["anweiban"], "未知的角色"),
        (["town_officer"], "不是区级角色"),
        (["inspector"], "不是区级角色"),
    ):
        with pytest.raises(SchemeError) as raised:
            schemes.parse(doc | {"owners": bad}, "towns-2030.yaml")
        assert str(raised.value).startswith("towns-2030.yaml: owners") and words in str(raised.value)


@pytest.fixture
def scheme(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The shipped 2022 towns scheme (owners included), applied to the current year."""
    doc = schemes.load("towns-2022").document | {"key": "towns-own", "year": timezone.localdate().year}
    (tmp_path / "towns-own.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(schemes, "SCHEME_DIR", tmp_path)
    return tmp_path, "towns-own"


def test_the_environment_bureau_sees_the_safety_board_but_cannot_act_on_it(
    world, scheme, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    templates_sync()
    _, key = scheme
    office = Phone(make_user("district_office", world.district, username="anweiban_own"))
    colleague = ApiClient(make_user("district_office", world.district, username="anweiban_own2"))
    bureau = ApiClient(make_user("environment_bureau", world.district, username="huanjing_own"))
    with django_capture_on_commit_callbacks(execute=True):
        annual = assess(office, colleague, world.town_a, "safety-town", safety(hazards=2))
        assess(office, colleague, world.town_a, "fire-town", fire())
    url = f"/api/v1/scoreboards/{key}"
    assert bureau.get(url).json()["status"] == "draft"  # it may see the draft
    entry = next(e for e in bureau.get("/api/v1/scoreboards").json() if e["scheme_key"] == key)
    assert (entry["owners"], entry["may_act"]) == (["district_office"], False)
    entry = next(e for e in office.get("/api/v1/scoreboards").json() if e["scheme_key"] == key)
    assert (entry["owners"], entry["may_act"]) == (["district_office"], True)

    def put(who: ApiClient, path: str, body: dict) -> object:  # type: ignore[type-arg]
        return who.client.put(path, body, content_type="application/json", headers=who._headers(None))

    def refused(response) -> None:  # type: ignore[no-untyped-def]
        body = assert_error(response, 403, "permission_denied")
        assert body["details"]["owners"] == ["district_office"] and "只能查看" in body["message"]

    refused(bureau.post(f"{url}/notice"))
    refused(put(bureau, f"{url}/towns/{world.town_a.pk}/tasks", {"completed": False, "note": "x"}))
    refused(put(bureau, f"{url}/awards/advanced/decision", {"region_ids": [world.town_a.pk], "reason": "x"}))
    assert office.post(f"{url}/notice").status_code == 200
    officer_a = ApiClient(make_user("town_officer", world.town_a, username="changle_own"))
    appeal = officer_a.post(
        f"{url}/appeals", {"region_id": world.town_a.pk, "reason": "隐患当场已整改"}
    ).json()
    decision = {"upheld": True, "decision": "申诉成立", "rescore": True}
    refused(bureau.post(f"/api/v1/appeals/{appeal['id']}/decide", decision))
    assert office.post(f"/api/v1/appeals/{appeal['id']}/decide", decision).json()["status"] == "upheld"
    # the correction the upheld appeal needs: not by the bureau, by another district office account
    amend = {
        "answers": {"inspection.unrectified-hazards": {"value": 0}},
        "reason": "已整改",
        "appeal_id": appeal["id"],
    }
    refused(bureau.post(f"/api/v1/inspections/{annual}/amend", amend))
    refused(bureau.post(f"/api/v1/inspections/{annual}/withdraw", {"reason": "x"}))
    assert Inspection.objects.get(client_uuid=annual).revision == 1  # nothing half-done
    with django_capture_on_commit_callbacks(execute=True):
        assert colleague.post(f"/api/v1/inspections/{annual}/amend", amend).status_code == 200
    assert office.post(f"{url}/notice").status_code == 200
    Scoreboard.objects.filter(status="notice").update(notice_until=timezone.now() - timedelta(minutes=1))
    refused(bureau.post(f"{url}/publish"))
    assert_error(officer_a.post(f"{url}/publish"), 403, "permission_denied")  # towns, as before
    admin = ApiClient(make_user(None, None, username="admin_own", is_superuser=True))
    published = admin.post(f"{url}/publish")
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "final"  # administrators may always act


def test_a_scheme_the_bureau_owns_is_the_bureaus_to_act_on(
    world, scheme, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    templates_sync()
    directory, key = scheme
    doc = yaml.safe_load((directory / f"{key}.yaml").read_text(encoding="utf-8")) | {
        "owners": ["environment_bureau"]
    }
    (directory / f"{key}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    office = Phone(make_user("district_office", world.district, username="anweiban_env"))
    bureau = ApiClient(make_user("environment_bureau", world.district, username="huanjing_env"))
    with django_capture_on_commit_callbacks(execute=True):
        assess(office, bureau, world.town_a, "safety-town", safety())
        assess(office, bureau, world.town_a, "fire-town", fire())
    url = f"/api/v1/scoreboards/{key}"
    body = assert_error(office.post(f"{url}/notice"), 403, "permission_denied")
    assert body["details"]["owners"] == ["environment_bureau"]
    assert bureau.post(f"{url}/notice").status_code == 200


def test_an_unknown_scheme_is_not_found_for_its_would_be_owners(world) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district, username="anweiban_404"))
    assert_error(office.post("/api/v1/scoreboards/towns-1999/notice"), 404, "scheme_not_found")
    assert_error(office.post("/api/v1/scoreboards/towns-1999/publish"), 404, "scheme_not_found")


def test_spot_checks_of_what_a_scheme_counts_are_its_owners_to_draw(world) -> None:  # type: ignore[no-untyped-def]
    """A drawn enterprise 安全生产 spot check counts in the enterprises scheme: the office's to draw and
    publish. The bureau still draws its own sewage facility spot checks."""
    templates_sync()
    office = ApiClient(make_user("district_office", world.district, username="anweiban_spot"))
    bureau = ApiClient(make_user("environment_bureau", world.district, username="huanjing_spot"))
    make_user("inspector", world.town_a, username="spot_a")
    make_user("inspector", world.town_b, username="spot_b")
    enterprises = {
        "year": 2022,
        "subject_kind": "enterprise",
        "template_key": "safety-enterprise",
        "per_town": 1,
    }
    body = assert_error(bureau.post("/api/v1/spot-checks", enterprises), 403, "permission_denied")
    assert body["details"]["owners"] == ["district_office"]
    drawn = office.post("/api/v1/spot-checks", enterprises)
    assert drawn.status_code == 201, drawn.content
    assert_error(bureau.post(f"/api/v1/spot-checks/{drawn.json()['id']}/publish"), 403, "permission_denied")
    assert office.post(f"/api/v1/spot-checks/{drawn.json()['id']}/publish").status_code == 200
    sewage = {
        "year": 2022,
        "subject_kind": "sewage_facility",
        "template_key": "sewage-facility-audit",
        "per_town": 1,
    }
    created = bureau.post("/api/v1/spot-checks", sewage)
    assert created.status_code == 201, created.content
    assert bureau.post(f"/api/v1/spot-checks/{created.json()['id']}/publish").status_code == 200
