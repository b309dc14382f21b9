"""The pump station ledger (排涝泵站台账): import (CSV / XLSX, dry run → apply, row errors, all or nothing,
through the registry's services) and export (XLSX in the same layout, which re-imports) — as the outfall
ledger."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest

from geo.demo import SYSTEM
from geo.models import PumpStation, PumpStationChange
from geo.pumps.ledger import HEADERS, read_date
from geo.pumps.services import pump_station_create
from geo.services import LocationInput
from tests.conftest import assert_error

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name: str = "泵站台账.csv", **form: object):  # type: ignore[no-untyped-def]
    fh = io.BytesIO(data)
    fh.name = name
    return client.client.post(
        "/api/v1/geo/pump-stations/import", {"file": fh, **form}, headers=client._headers(None)
    )


def csv(*rows: str) -> bytes:
    return "\n".join(["排涝泵站台账（常乐镇）", ",".join(HEADERS), *rows]).encode("gb18030")


# 泵站编码,泵站名称,责任区镇,所在河道,经度,纬度,坐标系,拦蓄污水,发现拦蓄污水日期,清零日期,备注
GOOD = "BZ-1,东河泵站,常乐镇,东河,121.1503,31.92,WGS-84,是,2024/5/1,,"
CLEARED = "BZ-2,西河泵站,常乐镇,西河,,,,否,2024-03-01,2024年4月2日,已清零"
OTHER_TOWN = "BZ-3,丙泵站,四甲镇,,,,,否,,,"
BAD_DATE = "BZ-4,丁泵站,常乐镇,,,,,是,去年,,"
HOLDING_AND_CLEARED = "BZ-5,戊泵站,常乐镇,,,,,是,2024-03-01,2024-04-01,"
CLEARED_BEFORE_FOUND = "BZ-6,己泵站,常乐镇,,,,,否,2024-04-01,2024-03-01,"


def test_dates_are_read_in_the_usual_spellings() -> None:
    assert read_date("2024-05-01") == read_date("2024/5/1") == read_date("2024.5.1") == date(2024, 5, 1)
    assert read_date("2024年5月1日") == read_date("2024-05-01 00:00:00") == date(2024, 5, 1)
    assert read_date("2024-02-30") is None and read_date("去年") is None and read_date("5/1/2024") is None


def test_dry_run_reports_row_errors_and_an_apply_with_errors_writes_nothing(world, api_as) -> None:  # type: ignore[no-untyped-def]
    officer = api_as("town_officer", world.town_a)
    data = csv(GOOD, CLEARED, OTHER_TOWN, BAD_DATE, HOLDING_AND_CLEARED, CLEARED_BEFORE_FOUND)
    r = upload(officer, data)
    assert r.status_code == 200, r.content
    report = r.json()
    assert (report["dry_run"], report["ok"], report["would_create"], report["rows"]) == (True, False, 2, 6)
    got = {(e["row"], e["column"], e["code"]) for e in report["errors"]}
    assert got == {
        (5, "责任区镇", "unknown_town"),
        (6, "发现拦蓄污水日期", "invalid_date"),
        (7, "清零日期", "cleared_while_holding"),
        (8, "清零日期", "cleared_before_found"),
    }
    assert all(e["message"] and not e["message"].isascii() and e["cell"] for e in report["errors"])
    assert not PumpStation.objects.exists() and not PumpStationChange.objects.exists()
    body = assert_error(upload(officer, data, dry_run="false"), 422, "ledger_has_errors")
    assert body["details"]["report"]["error_count"] == 4 and "file" in body["details"]["fields"]
    assert not PumpStation.objects.exists()
    applied = upload(officer, csv(GOOD, CLEARED), dry_run="false").json()
    assert (applied["applied"], applied["created"]) == (True, 2)
    east = PumpStation.objects.get(code="BZ-1")
    assert (east.holds_sewage, east.sewage_found_on, east.river, east.town_id) == (
        True, date(2024, 5, 1), "东河", world.town_a.pk)  # fmt: skip
    assert east.location is not None and east.location.x == pytest.approx(121.1503)
    # found, then cleared: both in its history, as they happened
    west = PumpStation.objects.get(code="BZ-2")
    assert (west.holds_sewage, west.sewage_found_on, west.sewage_cleared_on, west.note) == (
        False, date(2024, 3, 1), date(2024, 4, 2), "已清零")  # fmt: skip
    assert list(west.changes.order_by("id").values_list("action", flat=True)) == ["create", "update"]


def test_a_file_that_is_not_a_ledger_is_422_naming_the_file(world, api_as) -> None:  # type: ignore[no-untyped-def]
    officer = api_as("town_officer", world.town_a)
    body = assert_error(upload(officer, b"a,b\n1,2"), 422, "no_header")
    assert "file" in body["details"]["fields"]
    body = assert_error(upload(officer, "泵站编码,泵站名称\nX,Y".encode()), 422, "missing_column")
    assert "责任区镇" in body["message"]
    assert_error(upload(api_as("inspector", world.town_a), csv(GOOD)), 403)


def test_export_reimports_as_updates_and_keeps_other_towns_out(world, api_as) -> None:  # type: ignore[no-untyped-def]
    pump_station_create(principal=SYSTEM, code="BZ-A", name="甲泵站", town_id=world.town_a.pk, river="东河",
                        holds_sewage=True, sewage_on=date(2024, 5, 1),
                        location=LocationInput(121.1503, 31.92, "gcj02"))  # fmt: skip
    pump_station_create(principal=SYSTEM, code="BZ-B", name="乙泵站", town_id=world.town_b.pk)
    officer = api_as("town_officer", world.town_a)
    r = officer.get("/api/v1/geo/pump-stations/ledger.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[1]) == HEADERS and [row[0] for row in rows[2:]] == ["BZ-A"]  # its own only
    assert rows[2][3] == "东河" and rows[2][6] == "gcj02" and rows[2][7] == "是"
    ws.cell(row=3, column=8, value="否")  # 清零 on a day, re-import
    ws.cell(row=3, column=10, value="2024-06-01")
    buf = io.BytesIO()
    ws.parent.save(buf)
    report = upload(officer, buf.getvalue(), name="ledger.xlsx", dry_run="false").json()
    assert (report["applied"], report["updated"], report["created"]) == (True, 1, 0), report
    station = PumpStation.objects.get(code="BZ-A")
    assert (station.holds_sewage, station.sewage_found_on, station.sewage_cleared_on) == (
        False, date(2024, 5, 1), date(2024, 6, 1))  # fmt: skip
    assert station.location_datum == "gcj02"
    # re-importing the same ledger changes nothing that matters (it is what the registry holds)
    again = openpyxl.load_workbook(io.BytesIO(officer.get("/api/v1/geo/pump-stations/ledger.xlsx").content))
    buf = io.BytesIO()
    again.save(buf)
    assert upload(officer, buf.getvalue(), name="ledger.xlsx").json()["ok"]
    # another town's code is refused without saying whose it is
    taken = upload(officer, csv("BZ-B,冒用,常乐镇,,,,,否,,,")).json()["errors"]
    assert [(e["code"], e["column"]) for e in taken] == [("code_taken", "泵站编码")]
    assert_error(
        officer.get("/api/v1/geo/pump-stations/ledger.xlsx", town_id=world.town_b.pk), 404, "not_found"
    )
