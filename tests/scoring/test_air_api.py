"""Air quality and dust fall through the API: hourly, daily and dust-fall imports (dry run, row errors,
duplicates, large files polled), the days computed by HJ 633, the town view per 旬 / month and the
indicator contract of the 每旬 ranking (``scoring.air.indicators``)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.test import override_settings

from geo.models import AirStation, DustFallPoint
from scoring.air.indicators import town_air_series, town_air_values, town_dust_series, town_dust_values
from scoring.models import AirDay, AirHour, DustFallReading
from tests.conftest import ApiClient, assert_error, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau(world):  # type: ignore[no-untyped-def]
    return ApiClient(make_user("environment_bureau", world.district, username="huanjing"))


@pytest.fixture
def points(world):  # type: ignore[no-untyped-def]
    a1 = AirStation.objects.create(code="AQ-A1", name="常乐镇站", kind="town", town=world.town_a)
    a2 = AirStation.objects.create(code="AQ-A2", name="常乐二站", kind="provincial", town=world.town_a)
    b1 = AirStation.objects.create(code="AQ-B1", name="四甲镇站", kind="town", town=world.town_b)
    jar = DustFallPoint.objects.create(code="DF-A", name="常乐降尘", town=world.town_a)
    return a1, a2, b1, jar


def upload(client: ApiClient, content: str, kind: str, name: str = "air.csv", **form: object):  # type: ignore[no-untyped-def]
    fh = io.BytesIO(content.encode())
    fh.name = name
    data = {"file": fh, "kind": kind, **form}
    return client.client.post("/api/v1/air/imports", data, headers=client._headers(None))


def hourly(code: str, day: date, hours: range, pm25: int, o3: int = 60) -> str:
    return "".join(f"{code},{day} {h:02d}:00,8,25,70,{pm25},0.8,{o3}\n" for h in hours)


HEADER = "站点编码,监测时间,SO2(μg/m³),NO2(μg/m³),PM10(μg/m³),PM2.5(μg/m³),CO(mg/m³),O3(μg/m³)\n"
DAY = date(2024, 3, 12)  # 中旬 of March


def test_hourly_import_computes_the_day(world, bureau, points) -> None:  # type: ignore[no-untyped-def]
    data = HEADER + hourly("AQ-A1", DAY, range(24), pm25=80) + hourly("常乐二站", DAY, range(19), pm25=30)
    r = upload(bureau, data, "air_hourly")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "done" and body["report"]["imported"] == 43, body
    assert body["report"]["days_computed"] == 2
    full = AirDay.objects.get(station__code="AQ-A1", day=DAY)
    # PM2.5 80 → IAQI 107 (the highest: PM10 70 → 60, O3 1 h 60 → 19, 8 h 60 → 30, NO2 25 → 32, CO 0.8 → 20)
    assert (full.pm25, full.aqi, full.primary, full.from_hours) == (D(80), 107, "pm25", True)
    assert full.o3_8h == D(60)
    short = AirDay.objects.get(station__code="AQ-A2", day=DAY)
    # 19 hours < 20: no 24 h means (GB 3095 Table 4); O3's 8 h windows ending 07:00 … 20:00 have ≥ 6 of
    # hours 0–18, 14 windows: the day's 8 h maximum stands, and only it
    assert short.pm25 is None and short.o3_8h == D(60) and (short.aqi, short.primary) == (30, "")
    days = bureau.get(
        f"/api/v1/air/stations/{points[0].pk}/days", **{"from": "2024-03-01", "to": "2024-03-31"}
    )
    assert days.status_code == 200 and days.json()[0]["aqi"] == 107 and days.json()[0]["primary"] == ["pm25"]


def test_the_day_is_local_time(world, bureau, points) -> None:  # type: ignore[no-untyped-def]
    # 00:00 Asia/Shanghai is 16:00 UTC the day before: the 24 hours of 12 March make one day, not two
    upload(bureau, HEADER + hourly("AQ-A1", DAY, range(24), pm25=35), "air_hourly")
    assert list(AirDay.objects.values_list("day", flat=True)) == [DAY]


def test_bad_rows_import_nothing_and_are_named(world, bureau, points) -> None:  # type: ignore[no-untyped-def]
    data = (
        HEADER
        + "AQ-XX,2024-03-12 01:00,8,25,70,30,0.8,60\n"  # unknown station
        + "AQ-A1,2024-03-12 01:30,8,25,70,30,0.8,60\n"  # not on the hour
        + "AQ-A1,2024-03-12 02:00,8,25,70,-3,0.8,60\n"  # negative
        + "AQ-A1,2024-03-12 03:00,8,25,70,—,0.8,60\n"  # no value that hour: fine
        + "AQ-A1,2024-03-12 03:00,8,25,70,30,0.8,60\n"  # the same hour twice
    )
    body = upload(bureau, data, "air_hourly").json()
    assert body["status"] == "rejected" and body["report"]["imported"] == 0
    got = [(e["row"], e["code"]) for e in body["report"]["errors"]]
    assert got == [
        (2, "unknown_station"),
        (3, "invalid_time"),
        (4, "invalid_value"),
        (6, "duplicate_in_file"),
    ]
    assert next(e for e in body["report"]["errors"] if e["row"] == 4)["cell"] == "F4"
    assert AirHour.objects.count() == 0
    partial = upload(bureau, data, "air_hourly", valid_rows_only="true").json()
    assert partial["status"] == "done" and partial["report"]["imported"] == 1
    missing = upload(bureau, "站点编码,监测时间\nAQ-A1,2024-03-12 01:00\n", "air_hourly").json()
    assert missing["status"] == "rejected" and missing["report"]["file_error"]["code"] == "missing_column"


def test_dry_run_duplicates_and_replace(world, bureau, points) -> None:  # type: ignore[no-untyped-def]
    data = HEADER + hourly("AQ-A1", DAY, range(24), pm25=80)
    dry = upload(bureau, data, "air_hourly", dry_run="true").json()
    assert dry["status"] == "done" and dry["report"]["would_import"] == 24 and AirHour.objects.count() == 0
    applied = bureau.post(f"/api/v1/air/imports/{dry['id']}/apply")
    assert applied.status_code == 200 and applied.json()["report"]["imported"] == 24
    assert_error(
        bureau.post(f"/api/v1/air/imports/{applied.json()['id']}/apply"), 409, "import_not_applicable"
    )
    again = upload(bureau, HEADER + hourly("AQ-A1", DAY, range(24), pm25=30), "air_hourly").json()
    assert again["status"] == "rejected" and again["report"]["duplicates_existing"] == 24
    first = again["report"]["errors"][0]
    assert (first["row"], first["column"], first["code"]) == (2, "时间", "duplicate_existing")
    replaced = upload(
        bureau, HEADER + hourly("AQ-A1", DAY, range(24), pm25=30), "air_hourly", on_duplicate="replace"
    )
    assert replaced.json()["report"]["replaced"] == 24 and AirHour.objects.count() == 24
    assert AirDay.objects.get().pm25 == D(30) and AirDay.objects.count() == 1


def test_permissions_and_options(world, bureau, points) -> None:  # type: ignore[no-untyped-def]
    town = ApiClient(make_user("town_officer", world.town_a))
    assert_error(upload(town, HEADER, "air_hourly"), 403)
    body = assert_error(upload(bureau, HEADER, "noise", on_duplicate="merge"), 422)
    assert set(body["details"]["fields"]) == {"kind", "on_duplicate"}


@override_settings(WATER_IMPORT_SYNC_BYTES=10)
def test_a_large_file_is_processed_by_a_task_and_polled(
    world, bureau, points, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = upload(bureau, HEADER + hourly("AQ-A1", DAY, range(24), pm25=80), "air_hourly")
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    for callback in callbacks:
        callback()  # the Celery task (eager here)
    done = bureau.get(f"/api/v1/air/imports/{queued.json()['id']}").json()
    assert (done["status"], done["report"]["imported"]) == ("done", 24)


DAILY = "站点名称,日期,SO2,NO2,PM10,PM2.5,CO,O3_1h,O3_8h\n"


def test_daily_and_dust_feed_the_town_view_and_the_indicators(world, bureau, points) -> None:  # type: ignore[no-untyped-def]
    # 常乐镇 has two stations: 站 A1 on 11 and 12 March (AQI 50, 107), 站 A2 on 15 March (AQI 75)
    daily = (
        DAILY
        + "常乐镇站,2024-03-11,5,20,40,35,0.5,80,70\n"  # PM2.5 35 → 50; the others lower
        + "常乐镇站,2024-03-12,5,20,40,80,0.5,80,70\n"  # PM2.5 80 → 107
        + "常乐二站,2024-03-15,5,20,40,55,0.5,80,70\n"  # PM2.5 55 → 75
        + "常乐二站,2024-03-21,5,20,40,500,0.5,80,70\n"  # the 下旬: not in the 中旬
    )
    r = upload(bureau, daily, "air_daily")
    assert r.json()["status"] == "done", r.content
    assert AirDay.objects.get(station__code="AQ-A1", day="2024-03-12").aqi == 107
    dust = "点位编码,开始日期,结束日期,降尘量(t/km²)\nDF-A,2024-03-01,2024-03-31,3.1\n"
    dust += "DF-A,2024-04-01,2024-04-30,9\n"
    assert upload(bureau, dust, "dust").json()["report"]["imported"] == 2
    assert DustFallReading.objects.count() == 2
    start, end = date(2024, 3, 11), date(2024, 3, 20)
    # stations: A1 mean (50 + 107) / 2 = 78.5; A2 75 → town (78.5 + 75) / 2 = 76.75 → 76.8 (half to even)
    assert town_air_values(start=start, end=end) == {world.town_a.pk: D("76.8"), world.town_b.pk: None}
    assert town_dust_values(start=start, end=end) == {world.town_a.pk: D("3.00")}
    # the history's form: many spans at once, each the single span's answer (gaps and edges included)
    spans = [(date(2024, 3, 1), date(2024, 3, 10)), (start, end), (date(2024, 3, 21), date(2024, 4, 5))]
    spans += [(date(2024, 4, 11), date(2024, 4, 11)), (date(2024, 5, 1), date(2024, 5, 10))]
    assert town_air_series(spans=spans) == [town_air_values(start=s, end=e) for s, e in spans]
    assert town_dust_series(spans=spans) == [town_dust_values(start=s, end=e) for s, e in spans]
    assert town_air_series(spans=[]) == town_dust_series(spans=[]) == []
    view = bureau.get("/api/v1/air/towns", period="dekad", on="2024-03-15").json()
    assert (view["period"], view["period_label"]) == ("2024-03-D2", "2024年3月中旬")
    rows = {t["town_name"]: t for t in view["towns"]}
    a = rows["常乐镇"]
    assert (a["aqi"], a["days"], a["good_days"], a["stations"], a["dust_fall"]) == (76.8, 3, 2, 2, 3.0)
    assert a["means"]["pm25"] == 56.2  # A1 (35 + 80) / 2 = 57.5, A2 55 → 56.25 → 56.2 (half to even)
    b = rows["四甲镇"]
    assert (b["aqi"], b["days"], b["dust_fall"]) == (None, 0, None)
    town_b = ApiClient(make_user("town_officer", world.town_b))
    assert [
        t["town_name"]
        for t in town_b.get("/api/v1/air/towns", period="month", on="2024-03-01").json()["towns"]
    ] == ["四甲镇"]
    assert_error(bureau.get("/api/v1/air/towns", period="year"), 422)


def test_dust_over_a_month_boundary(world, bureau, points) -> None:  # type: ignore[no-untyped-def]
    dust = "点位编码,开始日期,结束日期,降尘量\nDF-A,2024-02-15,2024-03-15,5.8\nDF-A,2024-03-16,2024-03-31,x\n"
    body = upload(bureau, dust, "dust").json()
    assert [(e["row"], e["code"]) for e in body["report"]["errors"]] == [(3, "invalid_value")]
    body = upload(bureau, "点位编码,开始日期,结束日期,降尘量\nDF-A,2024-03-15,2024-03-01,1\n", "dust").json()
    assert [e["code"] for e in body["report"]["errors"]] == ["end_before_start"]
    upload(bureau, "点位编码,开始日期,结束日期,降尘量\nDF-A,2024-02-15,2024-03-15,5.8\n", "dust")
    # 15 Feb – 15 Mar 2024 is 30 days (leap February): 5.8 t/km² → 5.8 t/(km²·30 d) in every 旬 it covers
    for on in (date(2024, 2, 29), date(2024, 3, 5)):
        assert (
            bureau.get("/api/v1/air/towns", period="dekad", on=on.isoformat()).json()["towns"][0]["dust_fall"]
            == 5.8
        )
    assert town_dust_values(start=date(2024, 3, 16), end=date(2024, 3, 31)) == {world.town_a.pk: None}


def test_a_jar_has_one_exposure_at_a_time(world, bureau, points) -> None:  # type: ignore[no-untyped-def]
    head = "点位编码,开始日期,结束日期,降尘量\n"
    overlap = head + "DF-A,2024-03-01,2024-03-31,3\nDF-A,2024-03-20,2024-04-19,3\n"
    body = upload(bureau, overlap, "dust").json()
    assert body["status"] == "rejected"
    assert [(e["row"], e["code"]) for e in body["report"]["errors"]] == [(3, "overlapping_exposure")]
    assert upload(bureau, head + "DF-A,2024-03-01,2024-03-31,3\n", "dust").json()["status"] == "done"
    stored = upload(bureau, head + "DF-A,2024-03-15,2024-04-14,3\n", "dust").json()
    assert [e["code"] for e in stored["report"]["errors"]] == ["overlapping_exposure"]
    # the same start is a duplicate, which replace may overwrite
    same = upload(bureau, head + "DF-A,2024-03-01,2024-03-30,2.9\n", "dust", on_duplicate="replace").json()
    assert same["status"] == "done" and same["report"]["replaced"] == 1


def test_the_database_sums_agree_with_the_engine(world, points) -> None:  # type: ignore[no-untyped-def]
    """The indicator sums in SQL; the engine averages the days: the same numbers, to the last digit."""
    import random

    from scoring.air.indicators import town_air
    from scoring.engine import air as engine

    rng = random.Random(633)
    stations = points[:2]  # both 常乐镇's
    days: dict[int, list[engine.Day]] = {s.pk: [] for s in stations}
    for s in stations:
        for i in range(20):
            values = {
                k: None if rng.random() < 0.15 else D(rng.randint(0, 400_000)) / 1000
                for k in ("so2", "no2", "pm10", "pm25", "o3_1h", "o3_8h")
            } | {"co": None if rng.random() < 0.15 else D(rng.randint(0, 9000)) / 1000}
            day = engine.day_of(date(2024, 2, 20) + timedelta(days=i), engine.AirDayValues(**values))
            days[s.pk].append(day)
            AirDay.objects.create(
                station=s, day=day.day, aqi=day.aqi, primary=",".join(day.primary), **values
            )
    start, end = date(2024, 2, 21), date(2024, 3, 5)
    per_station = [engine.air_period_means(days[s.pk], start, end) for s in stations]

    def mean(values, places):  # type: ignore[no-untyped-def]
        present = [v for v in values if v is not None]
        return (sum(present) / len(present)).quantize(places, rounding="ROUND_HALF_EVEN") if present else None

    got = town_air(start=start, end=end)[world.town_a.pk]
    assert got.aqi == mean([p.aqi for p in per_station], D("0.1"))
    assert town_air_values(start=start, end=end)[world.town_a.pk] == got.aqi  # its AQI-only path
    for k in engine.STATISTICS:
        assert got.means[k] == mean([p.means[k] for p in per_station], engine.places_of(k)), k
    assert (got.days, got.good_days) == (
        sum(p.days for p in per_station),
        sum(p.good_days for p in per_station),
    )


def test_an_xlsx_with_a_title_row_and_date_cells(world, bureau, points) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["海门区空气质量小时数据（导出）"])  # a title row above the header
    ws.append(["站点名称", "时间", "PM2.5(μg/m³)", "PM10(μg/m³)"])
    for h in range(24):
        ws.append(["常乐镇站", datetime(2024, 3, 12, h), 80, 70])
    buf = io.BytesIO()
    wb.save(buf)
    fh = io.BytesIO(buf.getvalue())
    fh.name = "air.xlsx"
    r = bureau.client.post(
        "/api/v1/air/imports", {"file": fh, "kind": "air_hourly"}, headers=bureau._headers(None)
    )
    assert r.status_code == 200 and r.json()["report"]["imported"] == 24, r.content
    assert AirDay.objects.get(station__code="AQ-A1").aqi == 107


def test_a_station_outside_scope_is_404(world, bureau, points) -> None:  # type: ignore[no-untyped-def]
    town_b = ApiClient(make_user("town_officer", world.town_b))
    path = f"/api/v1/air/stations/{points[0].pk}/days"  # 常乐镇's
    assert_error(town_b.get(path, **{"from": "2024-03-01", "to": "2024-03-31"}), 404)
    assert (
        town_b.get(
            f"/api/v1/air/stations/{points[2].pk}/days", **{"from": "2024-03-01", "to": "2024-03-31"}
        ).json()
        == []
    )
    assert_error(bureau.get(path, **{"from": "2024-03-31", "to": "2024-03-01"}), 422)


def test_the_sweep_requeues_a_stalled_air_import_and_retry(
    world, bureau, points, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    import uuid as uuid_module

    from django.utils import timezone

    from scoring.models import AirImport
    from scoring.tasks import air_imports_requeue_stalled

    def queued() -> str:
        with override_settings(WATER_IMPORT_SYNC_BYTES=10), django_capture_on_commit_callbacks(execute=False):
            r = upload(
                bureau,
                HEADER + hourly("AQ-A1", DAY, range(24), pm25=80),
                "air_hourly",
                on_duplicate="replace",
            )
        assert r.status_code == 202, r.content
        return r.json()["id"]

    def died(import_id: str, attempts: int = 1) -> None:
        AirImport.objects.filter(uuid=import_id).update(
            status="running", run_token=uuid_module.uuid4(), attempts=attempts,
            heartbeat_at=timezone.now() - timedelta(minutes=10),
        )  # fmt: skip

    dead, hopeless = queued(), queued()
    died(dead)
    died(hopeless, attempts=settings.JOB_MAX_ATTEMPTS)
    with django_capture_on_commit_callbacks(execute=True):
        assert air_imports_requeue_stalled() == {"air_imports": {"requeued": 1, "failed": 1}}
    assert AirImport.objects.get(uuid=dead).status == "done" and AirHour.objects.count() == 24
    assert AirImport.objects.get(uuid=hopeless).status == "failed"
    town = ApiClient(make_user("town_officer", world.town_a))
    assert_error(town.post(f"/api/v1/air/imports/{hopeless}/retry"), 404)  # not theirs, not a district role
    with django_capture_on_commit_callbacks(execute=True):
        retried = bureau.post(f"/api/v1/air/imports/{hopeless}/retry")
    assert retried.status_code == 202
    assert bureau.get(f"/api/v1/air/imports/{hopeless}").json()["status"] == "done"
    assert AirHour.objects.count() == 24 and AirDay.objects.count() == 1  # replaced, never twice


def test_a_date_column_and_an_hour_column(world, bureau, points) -> None:  # type: ignore[no-untyped-def]
    data = "站点编码,日期,小时,PM2.5\n" + "".join(f"AQ-A1,2024-03-12,{h},80\n" for h in range(24))
    body = upload(bureau, data + "AQ-A1,2024-03-12,24,80\n", "air_hourly").json()
    assert [(e["row"], e["code"]) for e in body["report"]["errors"]] == [(26, "invalid_time")]  # 0–23 only
    assert upload(bureau, data, "air_hourly").json()["report"]["imported"] == 24
    assert AirDay.objects.get().aqi == 107


def test_a_jars_readings_and_the_recent_imports(world, bureau, points) -> None:  # type: ignore[no-untyped-def]
    head = "点位编码,开始日期,结束日期,降尘量\n"
    upload(bureau, head + "DF-A,2024-02-15,2024-03-15,5.8\nDF-A,2024-03-16,2024-04-14,6\n", "dust")
    path = f"/api/v1/air/dust-fall-points/{points[3].pk}/readings"
    got = bureau.get(path, **{"from": "2024-03-01", "to": "2024-03-31"}).json()
    assert [(r["start"], r["days"], r["rate"]) for r in got] == [
        ("2024-02-15", 30, 5.8),
        ("2024-03-16", 30, 6.0),
    ]
    town_b = ApiClient(make_user("town_officer", world.town_b))
    assert_error(town_b.get(path, **{"from": "2024-03-01", "to": "2024-03-31"}), 404)
    assert [i["kind"] for i in bureau.get("/api/v1/air/imports").json()] == ["dust"]
    assert town_b.get("/api/v1/air/imports").json() == []  # not theirs
