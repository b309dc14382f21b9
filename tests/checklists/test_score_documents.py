"""Scores are plain decimals wherever the API renders them (issue 13): ``"100"``, never ``"1E+2"`` — in
the score documents stored with each submission, in every Decimal field of the API, and in documents
stored before the fix (migrated)."""

from __future__ import annotations

import json
import re
from decimal import Decimal as D
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kernel.kit import dumps
from tests.checklists.conftest import sewage_answers
from tests.conftest import ApiClient, make_user

EXPONENT = re.compile(r"\d[eE][+-]?\d")


def strings(document: Any) -> list[str]:
    if isinstance(document, dict):
        return [s for v in document.values() for s in strings(v)]
    if isinstance(document, list):
        return [s for v in document for s in strings(v)]
    return [document] if isinstance(document, str) else []


def test_score_documents_hold_plain_decimals(world, phone_a) -> None:  # type: ignore[no-untyped-def]
    cu, submitted = phone_a.complete(world, sewage_answers() | {"ledger.meter": {"value": False}})
    assert submitted.status_code == 200, submitted.content
    score = phone_a.get(f"/api/v1/inspections/{cu}").json()["score"]
    assert (score["base_maximum"], score["base_earned"], score["percent"]) == ("100", "90", "90.0")
    assert {s["key"]: s["maximum"] for s in score["sections"]}["operation"] == "80"
    assert [s for s in strings(score) if EXPONENT.search(s)] == []


def test_api_decimals_are_never_in_exponent_notation(world) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district, username="nongban_d"))
    body = {"code": "WS-D1", "name": "甲村新站", "village_id": world.village_a.pk, "capacity_tpd": "1e2"}
    created = office.post("/api/v1/geo/facilities", body)
    assert created.status_code == 201, created.content
    assert created.json()["capacity_tpd"] in ("100", "100.00")
    assert json.loads(dumps({"x": D("1E+2"), "y": D("0.00001"), "z": D("100.00")})) == {
        "x": "100",
        "y": "0.00001",
        "z": "100.00",
    }


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_text_is_plain_and_exact(value: D) -> None:
    from kernel.kit import decimal_text

    text = decimal_text(value)
    assert not EXPONENT.search(text) and "E" not in text and D(text) == value
