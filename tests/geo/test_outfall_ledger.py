"""The outfall ledger: import (CSV / XLSX, dry run → apply, row errors, all or nothing, through the
registry's services) and export (XLSX in the same layout, which re-imports)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from geo.demo import SYSTEM
from geo.models import Outfall, OutfallChange
from geo.outfalls.ledger import HEADERS
from geo.outfalls.services import outfall_create
from geo.services import LocationInput
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name: str = "排污口台账.csv", **form: object):  # type: ignore[no-untyped-def]
    fh = io.BytesIO(data)
    fh.name = name
    return client.client.post(
        "/api/v1/geo/outfalls/import", {"file": fh, **form}, headers=client._headers(None)
    )


def csv(*rows: str) -> bytes:
    return "\n".join(["排污口台账（常乐镇）", ",".join(HEADERS), *rows]).encode("gb18030")


GOOD = "PWK-1,甲厂排口,工业排污口,常乐镇,121.2,31.9,GCJ-02,,甲化工,是,否,规范整治,整治中,"
BAD_KIND = "PWK-2,乙排口,暗管,常乐镇,,,,,,否,否,,,"
OTHER_TOWN = "PWK-3,丙排口,农业排口,四甲镇,,,,,,否,否,,,"
BAD_STATE = "PWK-4,丁排口,其他排口,常乐镇,,,,,,否,否,,达标排放,"  # 达标排放 without 规范整治


def test_dry_run_reports_row_errors_and_an_apply_with_errors_writes_nothing(world, api_as) -> None:  # type: ignore[no-untyped-def]
    officer = api_as("town_officer", world.town_a)
    data = csv(GOOD, BAD_KIND, OTHER_TOWN, BAD_STATE)
    r = upload(officer, data)
    assert r.status_code == 200, r.content
    report = r.json()
    assert (report["dry_run"], report["ok"], report["would_create"], report["rows"]) == (True, False, 1, 4)
    got = {(e["row"], e["column"], e["code"]) for e in report["errors"]}
    assert got == {
        (4, "类型", "invalid_choice"),
        (5, "责任区镇", "unknown_town"),
        (6, "整治状态", "state_needs_decision"),
    }
    assert all(e["message"] and e["cell"] for e in report["errors"])
    assert not Outfall.objects.exists() and not OutfallChange.objects.exists()
    body = assert_error(upload(officer, data, dry_run="false"), 422, "ledger_has_errors")
    assert body["details"]["report"]["error_count"] == 3 and "file" in body["details"]["fields"]
    assert not Outfall.objects.exists()
    applied = upload(officer, csv(GOOD), dry_run="false").json()
    assert (applied["applied"], applied["created"]) == (True, 1)
    o = Outfall.objects.get(code="PWK-1")
    assert (o.kind, o.decision, o.state, o.has_permit, o.location_datum) == (
        "industrial", "regulate", "rectifying", True, "gcj02")  # fmt: skip
    assert OutfallChange.objects.filter(outfall=o, action="create").exists()


def test_a_file_that_is_not_a_ledger_is_422_naming_the_file(world, api_as) -> None:  # type: ignore[no-untyped-def]
    officer = api_as("town_officer", world.town_a)
    body = assert_error(upload(officer, b"a,b\n1,2"), 422, "no_header")
    assert "file" in body["details"]["fields"]
    body = assert_error(upload(officer, "排污口编码,排污口名称\nX,Y".encode()), 422, "missing_column")
    assert "类型" in body["message"]
    assert_error(upload(api_as("inspector", world.town_a), csv(GOOD)), 403)


def test_export_reimports_as_updates_and_keeps_other_towns_out(world, api_as) -> None:  # type: ignore[no-untyped-def]
    outfall_create(principal=SYSTEM, code="PWK-A", name="甲排口", kind="sewage_plant",
                   town_id=world.town_a.pk, location=LocationInput(121.2, 31.9, "bd09"),
                   discharger="甲污水厂", has_permit=True)  # fmt: skip
    outfall_create(principal=SYSTEM, code="PWK-B", name="乙排口", kind="other", town_id=world.town_b.pk)
    officer = api_as("town_officer", world.town_a)
    r = officer.get("/api/v1/geo/outfalls/ledger.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[1]) == HEADERS and [row[0] for row in rows[2:]] == ["PWK-A"]  # its own only
    assert rows[2][2] == "城镇污水处理厂排污口" and rows[2][6] == "bd09" and rows[2][9] == "是"
    ws.cell(row=3, column=12, value="规范整治")  # decide it, re-import
    buf = io.BytesIO()
    ws.parent.save(buf)
    report = upload(officer, buf.getvalue(), name="ledger.xlsx", dry_run="false").json()
    assert (report["applied"], report["updated"], report["created"]) == (True, 1, 0)
    assert Outfall.objects.get(code="PWK-A").decision == "regulate"
    assert (
        OutfallChange.objects.filter(outfall__code="PWK-A", action="update", reason="台账导入").count() == 1
    )
    # another town's code is refused without saying whose it is
    taken = csv("PWK-B,冒用,其他排口,常乐镇,,,,,,否,否,,,")
    errors = upload(officer, taken).json()["errors"]
    assert [(e["code"], e["column"]) for e in errors] == [("code_taken", "排污口编码")]
    assert_error(officer.get("/api/v1/geo/outfalls/ledger.xlsx", town_id=world.town_b.pk), 404, "not_found")
