"""The 问题清单 / 整改清单 exports (issue 13): no cell can become a formula, whatever the facility or town
is called; a town name with characters Excel forbids in sheet titles still exports; every finding's
category is shown in Chinese."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from checklists import exports
from checklists.models import Rectification
from tests.checklists.conftest import Phone, sewage_answers
from tests.conftest import ApiClient, make_user
from tests.scoring.test_scoreboard_e2e import fire, safety
from tests.sheets import HOSTILE, inert_csv, inert_xlsx

URL = "/api/v1/rectifications/export"
TOWN = "+常乐/镇:[甲]?*\\北"  # a formula start and every character Excel forbids in a sheet title


def test_hostile_facility_and_town_names_stay_text_in_both_sheets(world, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    world.facility_a.name = HOSTILE
    world.facility_a.save()
    world.town_a.name = TOWN
    world.town_a.save()
    cu, submitted = phone_a.complete(world, sewage_answers() | {"ledger.meter": {"value": False}})
    assert submitted.status_code == 200, submitted.content
    approved = officer_a.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"})
    assert approved.status_code == 200, approved.content
    assert Rectification.objects.count() == 1

    for sheet, title in (("problems", "问题清单"), ("rectifications", "整改清单")):
        xlsx = officer_a.get(URL, sheet=sheet, town_id=world.town_a.pk)
        assert xlsx.status_code == 200, xlsx.content
        ((name, rows),) = inert_xlsx(xlsx.content).items()
        # The title keeps the town's name (as text); the sheet's title is the same name with the
        # characters Excel forbids replaced by their full-width forms.
        assert rows[0][0] == f"'{TOWN}{title}"
        assert name == f"+常乐／镇：［甲］？＊＼北{title}"
        assert rows[2][1:3] == [f"'{TOWN}", f"'{HOSTILE}"]
        csv_rows = inert_csv(officer_a.get(URL, sheet=sheet, town_id=world.town_a.pk, format="csv").content)
        assert csv_rows[1][1:3] == [f"'{TOWN}", f"'{HOSTILE}"]


def assess(office: Phone, reviewer: ApiClient, town: Any, template: str, answers: dict[str, Any]) -> None:
    """An approved 2022 annual inspection of the town, with a photo for each item that lost points."""
    cu = str(uuid.uuid4())
    body = {"template_key": template, "template_version": 1, "subject": {"kind": "town", "id": town.pk},
            "answers": answers, "purpose": "annual", "period": 2022}  # fmt: skip
    assert office.put(cu, body).status_code == 201
    office.photo(cu, "record.site-photo", seed=hash(cu) % 1000)
    for key, a in answers.items():
        if a["value"] is not True:
            office.photo(cu, key, seed=hash(cu + key) % 1000)
    assert office.submit(cu).status_code == 200
    assert reviewer.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200


def test_problems_export_names_every_category_in_chinese(world, templates) -> None:  # type: ignore[no-untyped-def]
    office = Phone(make_user("district_office", world.district, username="anweiban_x"))
    reviewer = ApiClient(make_user("district_office", world.district, username="anweiban_y"))
    assess(office, reviewer, world.town_a, "safety-town", safety(hazards=2))
    answers = fire() | {"grid.training": {"value": 4}, "forces.micro-stations": {"value": 1}}
    assess(office, reviewer, world.town_a, "fire-town", answers)
    rows = inert_xlsx(reviewer.get(URL, sheet="problems").content)["问题清单"][2:]
    categories = {r[4].split("：")[0]: r[3] for r in rows if r[0] is not None and r[4]}
    assert categories == {
        "现场抽查发现未整改的一般隐患（每发现一处扣0.5分，扣完为止）": "安全隐患",
        "网格长（员）消防业务培训开展情况": "消防宣传培训",
        "重点单位、行政村、社区未建微型消防站（每缺一处扣1分，扣完为止）": "消防力量建设",
    }


def test_every_shipped_category_has_a_label_and_others_show_the_item_title() -> None:
    import yaml

    from checklists.deadlines import DeadlineRules

    used = set(DeadlineRules.load().categories)
    for path in (Path(exports.__file__).parent / "templates").glob("*.yaml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        used |= {i["category"] for s in document["sections"] for i in s["items"] if i.get("category")}
    assert used - set(exports.CATEGORY_LABELS) == set()
    assert exports.category_label("fire_training", "网格员培训") == "消防宣传培训"
    assert exports.category_label("", "网格员培训") == "网格员培训"
    assert exports.category_label("new_category", "网格员培训") == "网格员培训"


def test_the_rectification_list_counts_repair_photos_and_dates_findings(world, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    """The 整改清单's photo column counts each rectification's repair photos (counted by the database,
    not read), and the 问题清单 dates each finding by its inspection's submission and period (read without
    the inspection's answers)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from accounts.selectors import principal_for
    from tests.checklists.conftest import png_bytes

    answers = sewage_answers() | {"ledger.meter": {"value": False}, "op.running": {"value": False}}
    cu, submitted = phone_a.complete(world, answers)
    assert submitted.status_code == 200, submitted.content
    assert officer_a.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200
    rects = list(Rectification.objects.order_by("deadline", "id"))
    assert len(rects) == 2
    for n in range(2):  # two repair photos on the first, none on the second
        body = {"photo_uuid": str(uuid.uuid4()), "file": SimpleUploadedFile("r.png", png_bytes(500 + n))}
        sent = officer_a.client.post(
            f"/api/v1/rectifications/{rects[0].pk}/photos", body, headers=officer_a._headers(None)
        )
        assert sent.status_code == 201, sent.content
    principal = principal_for(User.objects.get(pk=officer_a.user_id))
    with CaptureQueriesContext(connection) as queries:
        items = exports.rectification_items(principal=principal, town_id=world.town_a.pk)
    assert len(queries) == 1 and '"answers"' not in queries[0]["sql"]
    _, _, rows = exports.rectification_sheet(items, problems=False, one_town=world.town_a.pk)
    assert [row[-1] for row in rows] == [2, 0]
    _, _, problems = exports.rectification_sheet(items, problems=True, one_town=world.town_a.pk)
    inspection = rects[0].finding.inspection
    found_on = exports.timezone.localdate(inspection.submitted_at).isoformat()
    assert [row[5] for row in problems] == [found_on, found_on]
    assert [row[-1] for row in problems] == [inspection.period] * 2
