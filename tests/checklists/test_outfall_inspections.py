"""Outfall inspections through the checklist machinery (65号 item 19, 有口皆查): the example template in the
catalogue, subject kind ``outfall`` scoped by the outfall's town, an approved inspection recorded as the
outfall's last inspection, its problems → rectifications with deadlines, a withdrawal taken back."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from checklists.models import Rectification
from geo.demo import SYSTEM
from geo.models import Outfall, OutfallChange
from geo.outfalls.services import outfall_create
from geo.services import LocationInput
from tests.checklists.conftest import Phone
from tests.conftest import ApiClient, assert_error, make_user

pytestmark = pytest.mark.django_db


def ok_answers() -> dict[str, Any]:
    keys = ("reg.located", "reg.sign", "reg.permit", "dis.no-illegal", "dis.monitoring", "dis.appearance",
            "rect.decision", "rect.progress")  # fmt: skip
    return {k: {"value": True} for k in keys} | {"record.observation": {"value": "未排放"}}


@pytest.fixture
def outfall(world):  # type: ignore[no-untyped-def]
    return outfall_create(principal=SYSTEM, code="PWK-1", name="甲厂排口", kind="industrial",
                          town_id=world.town_a.pk, location=LocationInput(121.2, 31.9))  # fmt: skip


def inspect(phone: Phone, outfall: Outfall, answers: dict[str, Any]) -> tuple[str, Any]:
    cu = str(uuid.uuid4())
    body = {
        "template_key": "outfall-inspection", "template_version": 1,
        "subject": {"kind": "outfall", "id": outfall.pk}, "answers": answers,
        "device_started_at": "2022-09-20T09:30:00+08:00",
        "device_location": {"lon": 121.2, "lat": 31.9, "datum": "wgs84", "accuracy_m": 8},
    }  # fmt: skip
    put = phone.put(cu, body)
    assert put.status_code == 201, put.content
    assert phone.photo(cu, "record.site-photo", seed=hash(cu) % 1000).status_code == 201
    for key, a in answers.items():
        if a.get("value") is False:
            assert phone.photo(cu, key, seed=hash(cu + key) % 1000).status_code == 201
    return cu, phone.submit(cu)


def review(client: ApiClient, cu: str) -> Any:
    return client.post(
        f"/api/v1/inspections/{cu}/review", {"decision": "approve", "reason": "", "item_comments": {}}
    )


def test_the_example_template_is_in_the_catalogue(world, phone_a) -> None:  # type: ignore[no-untyped-def]
    templates = {t["key"]: t for t in phone_a.get("/api/v1/catalogue").json()["templates"]}
    t = templates["outfall-inspection"]
    assert t["subject_kind"] == "outfall" and "示例" in t["title"]


def test_an_approved_inspection_is_the_outfalls_last_and_its_problems_are_rectifications(
    world, outfall, phone_a, officer_a
) -> None:  # type: ignore[no-untyped-def]
    answers = ok_answers() | {"reg.sign": {"value": False}, "dis.no-illegal": {"value": False}}
    cu, submitted = inspect(phone_a, outfall, answers)
    assert submitted.status_code == 200, submitted.content
    outfall.refresh_from_db()
    assert outfall.last_inspected_at is None  # submitted is not yet inspected
    assert review(officer_a, cu).status_code == 200
    outfall.refresh_from_db()
    assert outfall.last_inspected_at is not None
    assert timezone.now() - outfall.last_inspected_at < timedelta(minutes=1)
    rows = Rectification.objects.filter(subject_kind="outfall", subject_id=outfall.pk)
    assert {r.finding.item_key for r in rows} == {"reg.sign", "dis.no-illegal"}
    assert all(r.deadline == timezone.localdate() + timedelta(days=30) for r in rows)  # the default rule
    assert {r.subject_town_id for r in rows} == {world.town_a.pk}
    change = OutfallChange.objects.filter(outfall=outfall, action="inspection").get()
    assert change.after["last_inspected_at"] and cu in change.reason
    detail = officer_a.get(f"/api/v1/geo/outfalls/{outfall.pk}").json()
    assert detail["last_inspected_at"]
    # a re-inspection that no longer finds the missing sign closes it (整改复核, the district approving)
    district = ApiClient(make_user("district_office", world.district))
    cu2, _ = inspect(phone_a, outfall, ok_answers() | {"dis.no-illegal": {"value": False}})
    assert review(district, cu2).status_code == 200
    open_keys = {r.finding.item_key for r in rows.exclude(status="closed")}
    assert open_keys == {"dis.no-illegal"} and rows.count() == 2  # found again: no duplicate


def test_another_towns_outfall_is_not_a_subject_for_this_inspector(world, phone_a) -> None:  # type: ignore[no-untyped-def]
    theirs = outfall_create(principal=SYSTEM, code="PWK-B", name="乙厂排口", kind="other",
                            town_id=world.town_b.pk)  # fmt: skip
    cu = str(uuid.uuid4())
    body = {"template_key": "outfall-inspection", "template_version": 1,
            "subject": {"kind": "outfall", "id": theirs.pk}, "answers": ok_answers(),
            "device_started_at": "2022-09-20T09:30:00+08:00"}  # fmt: skip
    r = phone_a.put(cu, body)
    assert_error(r, 404, "not_found")


def test_a_withdrawn_inspection_takes_the_last_inspection_back(world, outfall, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    cu, _ = inspect(phone_a, outfall, ok_answers())
    assert review(officer_a, cu).status_code == 200
    outfall.refresh_from_db()
    assert outfall.last_inspected_at is not None
    district = ApiClient(make_user("district_office", world.district))
    r = district.post(f"/api/v1/inspections/{cu}/withdraw", {"reason": "检查位置不在排口现场"})
    assert r.status_code == 200, r.content
    outfall.refresh_from_db()
    assert outfall.last_inspected_at is None
