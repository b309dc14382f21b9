"""Departments and enterprises on the same scoreboard machinery as towns: schemes per subject kind,
inspections through the API, rows keyed by unit, drill-down, an enterprise's appeal by its town, export."""

import io
import uuid
from decimal import Decimal as D
from typing import Any

import pytest
import yaml
from django.utils import timezone
from openpyxl import load_workbook

from checklists.models import ChecklistTemplate
from checklists.services.templates import spec_of, templates_sync
from geo.models import Organisation
from scoring.assessment import schemes
from scoring.engine.checklist import Capture, ItemKind
from tests.checklists.conftest import Phone
from tests.conftest import ApiClient, make_user


def passing(template_key: str, **overrides: Any) -> dict[str, Any]:
    """Answers that meet every item of a template (overrides by item key)."""
    spec = spec_of(ChecklistTemplate.objects.get(key=template_key, version=1))
    answers: dict[str, Any] = {}
    for key, item in spec.items().items():
        if item.kind in (ItemKind.CHECK,):
            answers[key] = {"value": True}
        elif item.kind in (ItemKind.SCORE,):
            answers[key] = {"value": float(item.points)}
        elif item.kind in (ItemKind.DEDUCT, ItemKind.BONUS, ItemKind.PENALTY):
            answers[key] = {"value": 0}
        elif item.kind is ItemKind.VETO:
            answers[key] = {"value": False}
        elif item.kind is ItemKind.MEASURE:
            ok = item.min_ok if item.min_ok is not None else item.max_ok
            answers[key] = {"value": float(ok if ok is not None else 0)}
        elif item.kind is ItemKind.INFO and item.required and item.capture is Capture.NUMBER:
            answers[key] = {"value": 2}
        elif item.kind is ItemKind.INFO and item.required and item.capture is Capture.TEXT:
            answers[key] = {"value": "无"}
    answers.update({k: {"value": v} for k, v in overrides.items()})
    return answers


@pytest.fixture
def this_year(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    year = timezone.localdate().year
    for key in ("departments-2022", "enterprises-2022"):
        doc = schemes.load(key).document | {"key": key.replace("2022", "test"), "year": year}
        (tmp_path / f"{doc['key']}.yaml").write_text(
            yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8"
        )
    monkeypatch.setattr(schemes, "SCHEME_DIR", tmp_path)
    templates_sync()


def assess(
    office: Phone, reviewer: ApiClient, kind: str, org: Organisation, template: str, answers: dict
) -> None:  # type: ignore[type-arg]
    cu = str(uuid.uuid4())
    body = {"template_key": template, "template_version": 1, "subject": {"kind": kind, "id": org.pk},
            "answers": answers, "purpose": "annual"}  # fmt: skip
    put = office.put(cu, body)
    assert put.status_code == 201, put.content
    office.photo(cu, "record.site-photo", seed=org.pk * 7 + len(template))
    for key, a in answers.items():
        if a["value"] is not True and a["value"] != 0 and a["value"] is not False:
            office.photo(cu, key, seed=hash(cu + key) % 1000)
    submitted = office.submit(cu)
    assert submitted.status_code == 200, submitted.content
    assert reviewer.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200


def test_department_and_enterprise_scoreboards(world, this_year, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    office = Phone(make_user("district_office", world.district, username="anweiban_u"))
    reviewer = ApiClient(make_user("environment_bureau", world.district, username="reviewer_u"))
    audit = Organisation.objects.create(kind="department", name="区应急管理局", region=world.district)
    traffic = Organisation.objects.create(kind="department", name="区交通运输局", region=world.district)
    factory = Organisation.objects.create(kind="enterprise", name="常乐纺织有限公司", region=world.town_a)
    with django_capture_on_commit_callbacks(execute=True):
        assess(office, reviewer, "department", audit, "safety-department", passing("safety-department"))
        assess(office, reviewer, "department", audit, "fire-department", passing("fire-department"))
        bad = passing("safety-department", **{"accidents.major-accident": True})
        assess(office, reviewer, "department", traffic, "safety-department", bad)
        assess(office, reviewer, "department", traffic, "fire-department", passing("fire-department"))
        assess(office, reviewer, "enterprise", factory, "safety-enterprise", passing("safety-enterprise"))
        assess(office, reviewer, "enterprise", factory, "fire-enterprise", passing("fire-enterprise"))

    board = office.get("/api/v1/scoreboards/departments-test").json()
    rows = {r["unit_name"]: r for r in board["rows"]}
    assert rows["区应急管理局"]["unit_kind"] == "department" and rows["区应急管理局"]["unit_id"] == audit.pk
    assert (D(rows["区应急管理局"]["total"]), rows["区应急管理局"]["award"]) == (D("100.00"), "先进部门")
    assert rows["区交通运输局"]["vetoed"] and rows["区交通运输局"]["grade"] == "不合格"
    assert rows["区交通运输局"]["award"] == "" and rows["区交通运输局"]["rank"] == 2
    card = office.get(f"/api/v1/scoreboards/departments-test/units/{audit.pk}").json()
    assert card["unit_name"] == "区应急管理局" and [c["key"] for c in card["components"]] == [
        "safety",
        "fire",
    ]
    sheet = load_workbook(
        io.BytesIO(office.get("/api/v1/scoreboards/departments-test/export").content)
    ).active
    assert [c.value for c in sheet[2]][:2] == ["序号", "部门"]

    companies = office.get("/api/v1/scoreboards/enterprises-test").json()["rows"]
    assert [(r["unit_name"], r["region_id"], r["award"]) for r in companies] == [
        ("常乐纺织有限公司", world.town_a.pk, "安全生产（消防安全）管理先进企事业单位")
    ]
    # under notice, the town that assessed the enterprise appeals for it; another town cannot
    assert office.post("/api/v1/scoreboards/enterprises-test/notice").status_code == 200
    town_a = ApiClient(make_user("town_officer", world.town_a))
    town_b = ApiClient(make_user("town_officer", world.town_b))
    body = {"region_id": world.town_a.pk, "unit_id": factory.pk, "reason": "消防演练记录漏算"}
    appeal = town_a.post("/api/v1/scoreboards/enterprises-test/appeals", body)
    assert appeal.status_code == 201, appeal.content
    assert appeal.json()["unit_name"] == "常乐纺织有限公司"
    other = town_b.post("/api/v1/scoreboards/enterprises-test/appeals", body | {"region_id": world.town_b.pk})
    assert other.status_code == 404
