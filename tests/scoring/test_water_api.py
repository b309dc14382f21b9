"""River-section water quality through the API: the stateless evaluator, imports (good, bad, dry run,
duplicates, large files polled), evaluations, yearly status, town indicators, the 每旬 ranking, the
monthly table."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.test import override_settings
from openpyxl import load_workbook

from scoring.models import Measurement, MeasurementImport
from tests.conftest import ApiClient, assert_error, make_user


@pytest.fixture
def bureau(world):  # type: ignore[no-untyped-def]
    return ApiClient(make_user("environment_bureau", world.district, username="huanjing"))


def upload(client: ApiClient, content: bytes, name: str = "data.csv", **form: object):  # type: ignore[no-untyped-def]
    fh = io.BytesIO(content)
    fh.name = name
    return client.client.post("/api/v1/water/imports", {"file": fh, **form}, headers=client._headers(None))


def test_evaluate_contract(world, bureau) -> None:  # type: ignore[no-untyped-def]
    body = {"water_body": "river", "values": {"ph": 7.2, "do": 4.1, "nh3n": 1.2, "tp": 0.3, "codmn": 6}}
    r = bureau.post("/api/v1/water/evaluate", body)
    assert r.status_code == 200, r.content
    out = r.json()
    # DO 4.1 → Ⅳ (≥ 3); NH3-N 1.2 → Ⅳ (≤ 1.5); TP 0.3 → Ⅳ (river ≤ 0.3); CODMn 6 → Ⅲ (on the limit)
    assert (out["class"], out["class_label"], out["grade"]) == (4, "Ⅳ", "轻度污染")
    assert out["deciding"] == ["do", "nh3n", "tp"]
    assert out["exceedances"] == {"nh3n": 0.2, "tp": 0.5}  # (1.2 − 1)/1, (0.3 − 0.2)/0.2
    assert out["main_pollutants"] == ["tp", "nh3n"]
    # CWQI: pH (7.2−7)/2 = 0.1; DO 5/4.1 = 1.21951…; CODMn 6/6 = 1; NH3-N 1.2; TP 0.3/0.2 = 1.5 → 5.0195
    assert out["cwqi"] == pytest.approx(5.0195)
    assert "cod" in out["missing"] and len(out["missing"]) == 16
    lake = bureau.post("/api/v1/water/evaluate", {"water_body": "lake", "values": {"tp": 0.05}}).json()
    assert lake["class_label"] == "Ⅲ"  # lake TP Ⅲ limit 0.05 (river: Ⅱ)
    bad = bureau.post("/api/v1/water/evaluate", {"values": {"ph": 15, "nh3n": -1, "xyz": 1}})
    body = assert_error(bad, 422)
    assert set(body["details"]["fields"]) == {"values.ph", "values.nh3n", "values.xyz"}
    assert_error(bureau.post("/api/v1/water/evaluate", {"water_body": "sea", "values": {}}), 422)


GOOD = (
    "断面名称,监测时间,pH,溶解氧(mg/L),高锰酸盐指数(mg/L),氨氮(mg/L),总磷(mg/L),站点状态\n"
    "甲桥,2022-09-01 08:00,7.5,6.2,4.1,0.45,0.12,正常\n"
    "甲桥,2022-09-01 12:00,7.6,5.8,4.3,0.55,0.16,正常\n"
    "乙桥,2022-09-01 08:00,7.1,3.9,5.2,1.30,0.21,正常\n"
    "乙桥,2022-09-15 08:00,7.2,4.1,5.6,0.025L,0.19,正常\n"
    "S-AB,2022-09-05 08:00,7.4,5.5,4.0,0.80,<0.01,正常\n"
)


def test_import_evaluate_and_report(world, bureau) -> None:  # type: ignore[no-untyped-def]
    dry = upload(bureau, GOOD.encode("gb18030"), dry_run="true")
    assert dry.status_code == 200, dry.content
    assert dry.json()["status"] == "done" and dry.json()["report"]["would_import"] == 25
    assert Measurement.objects.count() == 0  # a dry run writes nothing
    assert dry.json()["report"]["ignored_columns"] == ["站点状态"]
    done = upload(bureau, GOOD.encode("utf-8-sig"))
    assert done.status_code == 200 and done.json()["report"]["imported"] == 25
    assert Measurement.objects.filter(indicator="nh3n", below_detection=True).count() == 1
    listed = bureau.get("/api/v1/water/measurements", section_id=world.section_b.pk, indicator="nh3n").json()
    assert [(m["value"], m["below_detection"]) for m in listed["items"]] == [(1.3, False), (0.025, True)]

    month = bureau.get("/api/v1/water/evaluations", period="month", on="2022-09-20").json()
    assert month["period"]["key"] == "2022-09" and month["censored_rule"] == "half_dl"
    assert month["cwqi_all_sections"] > 0  # the district's CWQI: indicators averaged over the sections
    by_code = {row["section"]["code"]: row["evaluation"] for row in month["sections"]}
    # 甲桥: NH3-N mean 0.5 → Ⅱ (on the limit); DO mean 6.0 → Ⅱ; CODMn 4.2 → Ⅲ; TP 0.14 → Ⅲ → Ⅲ
    assert by_code["S-A"]["class_label"] == "Ⅲ" and by_code["S-A"]["deciding"] == ["codmn", "tp"]
    # 乙桥: NH3-N (1.30 + 0.025/2)/2 = 0.65625 → Ⅲ; DO (3.9 + 4.1)/2 = 4.0 → Ⅳ; TP 0.2 → Ⅲ (on the limit)
    assert by_code["S-B"]["values"]["nh3n"] == 0.65625 and by_code["S-B"]["class_label"] == "Ⅳ"
    assert by_code["S-B"]["deciding"] == ["do"] and by_code["S-B"]["meets_target"] is False
    dekad = bureau.get("/api/v1/water/evaluations", period="dekad", on="2022-09-15").json()
    assert dekad["period"]["label"].endswith("中旬")
    assert {r["section"]["code"]: r["samples_found"] for r in dekad["sections"]}["S-B"] is True

    ranking = bureau.get("/api/v1/water/rankings/dekad", on="2022-09-03").json()
    # provincial sections only: 乙桥 (四甲镇); 常乐镇 has no provincial section
    assert [(r["rank"], r["town"]["name"]) for r in ranking["ranking"]] == [(1, "四甲镇")]
    towns = {
        t["town"]["name"]: t
        for t in bureau.get("/api/v1/water/towns", period="month", on="2022-09-01").json()["towns"]
    }
    assert {s["code"] for s in towns["常乐镇"]["sections"]} == {"S-A", "S-AB"}
    assert towns["四甲镇"]["sections_meeting_target"] == 1  # S-AB meets Ⅲ, 乙桥 does not

    status = bureau.get("/api/v1/water/status", year=2022, section_id=world.section_b.pk).json()
    row = status["sections"][0]
    assert row["months_evaluated"] == [9] and row["months_meeting"] == [] and row["steady_iii"] is True
    assert row["raise_iii"] is True and "溶解氧预警" in row["raise_reasons"] and row["do_alert_months"] == [9]

    xlsx = bureau.get("/api/v1/water/reports/monthly", year=2022, month=9)
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws["A1"].value == "2022年9月地表水监测断面水质状况"
    rows = {r[1]: r for r in ws.iter_rows(min_row=3, max_row=5, values_only=True)}
    assert rows["乙桥"][2:7] == ("省考", "Ⅲ类", "Ⅳ", "无数据", "未达标")
    assert rows["甲桥"][7] is None  # nothing above the Ⅲ limit
    csv_text = bureau.get("/api/v1/water/reports/monthly", year=2022, month=9, format="csv").content.decode(
        "utf-8-sig"
    )
    assert csv_text.splitlines()[0].startswith("序号,断面名称,考核级别")


BAD = (
    "断面名称,监测时间,pH,氨氮(mg/L),总磷(mg/L),汞(ng/L)\n"
    "甲桥,2022-09-01 08:00,7.5,abc,0.12,\n"  # row 2: text in a numeric column
    "甲桥,2022-09-01 12:00,7.6,-0.3,0.16,\n"  # row 3: negative
    "甲桥,2022-09-01 16:00,15,0.4,0.16,\n"  # row 4: pH 15
    "无名桥,2022-09-01 08:00,7.1,0.3,0.1,\n"  # row 5: unknown section
    "甲桥,2022-09-01 20:00,7.1,0.3,0.1,\n"  # row 6: fine
    "甲桥,2022-09-01 20:00,7.1,0.3,0.1,\n"  # row 7: duplicate of row 6
)


def test_a_bad_file_imports_nothing_and_names_each_row(world, bureau) -> None:  # type: ignore[no-untyped-def]
    r = upload(bureau, BAD.encode("utf-8"))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "rejected" and body["report"]["imported"] == 0
    got = {(e["row"], e["code"]) for e in body["report"]["errors"]}
    assert {(2, "not_a_number"), (3, "negative_value"), (4, "ph_out_of_range"), (5, "unknown_section"),
            (7, "duplicate_in_file")} <= got  # fmt: skip
    assert any(e["code"] == "unknown_unit" for e in body["report"]["errors"])  # ng/L is not a unit we take
    assert Measurement.objects.count() == 0
    assert MeasurementImport.objects.get(uuid=body["id"]).status == "rejected"


def test_duplicates_against_the_database_are_refused_or_replaced(world, bureau) -> None:  # type: ignore[no-untyped-def]
    first = "断面名称,监测时间,氨氮(mg/L)\n甲桥,2022-09-01 08:00,0.45\n甲桥,2022-09-02 08:00,0.50\n"
    assert upload(bureau, first.encode()).json()["report"]["imported"] == 2
    again = "断面名称,监测时间,氨氮(mg/L)\n甲桥,2022-09-01 08:00,0.47\n甲桥,2022-09-03 08:00,0.52\n"
    refused = upload(bureau, again.encode()).json()
    assert refused["status"] == "rejected"
    assert [(e["row"], e["code"]) for e in refused["report"]["errors"]] == [(2, "duplicate_existing")]
    assert Measurement.objects.count() == 2
    valid_only = upload(bureau, again.encode(), valid_rows_only="true").json()
    assert valid_only["status"] == "done" and valid_only["report"]["imported"] == 1
    replaced = upload(bureau, again.encode(), on_duplicate="replace").json()
    assert replaced["report"]["replaced"] == 2  # both rows now exist: each replaced, nothing duplicated
    assert Measurement.objects.get(indicator="nh3n", sampled_at__day=1).value == D("0.47")
    assert Measurement.objects.count() == 3


def test_import_permissions_and_bad_options(world, bureau) -> None:  # type: ignore[no-untyped-def]
    officer = ApiClient(make_user("town_officer", world.town_a))
    assert_error(upload(officer, GOOD.encode()), 403)
    body = assert_error(upload(bureau, GOOD.encode(), on_duplicate="merge", source="satellite"), 422)
    assert set(body["details"]["fields"]) == {"on_duplicate", "source"}
    file_error = upload(bureau, b"\x00\x01 not a table", name="x.csv").json()
    assert file_error["status"] == "rejected" and file_error["report"]["file_error"]["code"]


@override_settings(WATER_IMPORT_SYNC_BYTES=10)
def test_a_large_file_is_processed_by_a_task_and_polled(
    world, bureau, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = upload(bureau, GOOD.encode())
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    poll = f"/api/v1/water/imports/{queued.json()['id']}"
    assert bureau.get(poll).json()["progress"] == 0
    for callback in callbacks:
        callback()  # the Celery task (eager here; a real worker in production)
    done = bureau.get(poll).json()
    assert (done["status"], done["progress"], done["report"]["imported"]) == ("done", 100, 25)


def test_period_means_on_a_date_boundary(world, bureau) -> None:  # type: ignore[no-untyped-def]
    # 23:30 on 31 August (Asia/Shanghai) belongs to August even though it is 15:30 UTC
    data = "断面名称,监测时间,氨氮(mg/L)\n甲桥,2022-08-31 23:30,2.5\n甲桥,2022-09-01 00:30,0.5\n"
    upload(bureau, data.encode())
    sept = bureau.get("/api/v1/water/evaluations", period="month", on=date(2022, 9, 1).isoformat()).json()
    assert {r["section"]["code"]: r["evaluation"] for r in sept["sections"]}["S-A"]["values"]["nh3n"] == 0.5


def test_a_dry_run_is_applied_from_the_stored_file(world, bureau) -> None:  # type: ignore[no-untyped-def]
    dry = upload(bureau, GOOD.encode("gb18030"), dry_run="true", source="manual").json()
    assert dry["status"] == "done" and Measurement.objects.count() == 0
    applied = bureau.client.post(f"/api/v1/water/imports/{dry['id']}/apply", headers=bureau._headers(None))
    assert applied.status_code == 200, applied.content
    body = applied.json()
    assert body["id"] != dry["id"] and body["dry_run"] is False and body["source"] == "manual"
    assert body["report"]["imported"] == 25 and Measurement.objects.count() == 25
    # an import (not a dry run), a rejected dry run, someone else's dry run: refused
    again = bureau.client.post(f"/api/v1/water/imports/{body['id']}/apply", headers=bureau._headers(None))
    assert_error(again, 409, "import_not_applicable")
    bad = upload(bureau, BAD.encode(), dry_run="true").json()
    assert bad["status"] == "rejected"
    assert_error(
        bureau.client.post(f"/api/v1/water/imports/{bad['id']}/apply", headers=bureau._headers(None)), 409
    )
    officer = ApiClient(make_user("town_officer", world.town_a))
    assert_error(
        officer.client.post(f"/api/v1/water/imports/{dry['id']}/apply", headers=officer._headers(None)), 404
    )
    assert Measurement.objects.count() == 25
