"""The 问题清单 / 整改清单 exports (issue 13): no cell can become a formula, whatever the facility or town
is called; a town name with characters Excel forbids in sheet titles still exports."""

from __future__ import annotations

import uuid
from typing import Any

from checklists.models import Rectification
from tests.checklists.conftest import Phone, sewage_answers
from tests.conftest import ApiClient
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
