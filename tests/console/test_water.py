"""``/console/water/`` through the test client: every figure equals the API's answer for the same month and
user, the chart data equals the service's series, scope as the API, errors inline, no query per section."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from geo.models import RiverSection
from geo.services import section_upsert
from scoring.models import Measurement
from tests.conftest import ApiClient, World
from tests.console.test_console import signed_in

YEAR = timezone.localdate().year - 1  # a whole past year: the status covers its twelve months
MONTH = f"{YEAR}-07"

GOOD = {"ph": 7.4, "do": 7.2, "codmn": 3.5, "nh3n": 0.4, "tp": 0.08}  # Ⅱ
FAIR = {"ph": 7.5, "do": 6.0, "codmn": 5.0, "nh3n": 0.8, "tp": 0.15}  # Ⅲ
LOW_DO = {"ph": 7.3, "do": 4.1, "codmn": 5.5, "nh3n": 0.9, "tp": 0.18}  # Ⅳ on DO, a DO alert
AMMONIA = {"ph": 7.6, "do": 6.4, "codmn": 4.6, "nh3n": 1.3, "tp": 0.16}  # Ⅳ on ammonia


def measure(section: RiverSection, year: int, month: int, values: dict[str, float]) -> None:
    at = datetime(year, month, 12, 8, tzinfo=timezone.get_default_timezone())
    Measurement.objects.bulk_create(
        Measurement(section=section, sampled_at=at, indicator=k, value=Decimal(str(v)), source="manual")
        for k, v in values.items()
    )


@pytest.fixture
def measured(console_users: dict[str, Any], world: World) -> World:
    for month in range(1, 13):
        measure(world.section_a, YEAR, month, LOW_DO if month == 7 else FAIR)
        measure(world.section_b, YEAR, month, AMMONIA if month in (7, 8) else GOOD)
        measure(world.section_a, YEAR - 1, month, FAIR)
        measure(world.section_b, YEAR - 1, month, GOOD)
    measure(world.section_ab, YEAR, 7, GOOD)
    return world


def api(username: str, users: dict[str, Any]) -> ApiClient:
    return ApiClient(users[username])


def rows(html: str) -> dict[str, dict[str, str]]:
    """The sections table: code → field → the cell's text."""
    out = {}
    for code, body in re.findall(r'<tr data-section="([^"]+)"[^>]*>(.*?)</tr>', html, re.S):
        out[code] = {
            field: " ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for field, cell in re.findall(r'data-field="(\w+)"[^>]*>(.*?)</td>', body, re.S)
        }
    return out


def charts(html: str) -> dict[str, Any]:
    return {
        chart_id: json.loads(unescape(body))
        for chart_id, body in re.findall(
            r'<script id="(water-chart-\d+)" type="application/json">(.*?)</script>', html, re.S
        )
    }


@pytest.mark.parametrize("username", ["huanjing", "guihua", "anweiban", "changle"])
def test_every_figure_equals_the_api_for_the_same_month_and_user(measured, console_users, username) -> None:  # type: ignore[no-untyped-def]
    html = signed_in(username).get("/console/water/", {"month": MONTH}).content.decode()
    client = api(username, console_users)
    evaluations = client.get("/api/v1/water/evaluations", period="month", on=f"{MONTH}-01").json()
    statuses = {
        s["section"]["code"]: s for s in client.get("/api/v1/water/status", year=YEAR).json()["sections"]
    }
    page = rows(html)
    assert set(page) == {s["section"]["code"] for s in evaluations["sections"]} == set(statuses)
    assert page, "the user sees at least one section"
    for entry in evaluations["sections"]:
        code, ev, status = entry["section"]["code"], entry["evaluation"], statuses[entry["section"]["code"]]
        cells = page[code]
        assert cells["class"].split()[0] == ev["class_label"]
        assert ("未达标" in cells["class"]) is (not ev["meets_target"])
        assert cells["cwqi"] == str(ev["cwqi"])
        assert cells["pollutants"] == (ev["main_pollutants_text"] or "—")
        assert ("提Ⅲ" in cells["status"]) is status["raise_iii"]
        assert ("稳Ⅲ" in cells["status"]) is status["steady_iii"]
        for reason in status["raise_reasons"]:
            assert reason in cells["status"]
        assert (
            f"达标 {len(status['months_meeting'])}/{len(status['months_evaluated'])} 个月" in cells["status"]
        )
        assert ("本月预警" in cells["do"]) is (7 in status["do_alert_months"])
        trend = {"better": "好转", "same": "持平", "worse": "变差"}.get(status["trend"].get("7", ""))
        assert (f"较去年同月{trend}" in cells["status"]) if trend else ("较去年同月" not in cells["status"])
        for month in status["do_alert_months"]:
            assert f"{month}月" in cells["do"]
    if username != "changle":
        # 甲桥 in July: DO 4.1 → Ⅳ, a DO alert and 提Ⅲ; 乙桥: ammonia → Ⅳ, 稳Ⅲ
        assert page["S-A"]["class"].startswith("Ⅳ 未达标") and "本月预警" in page["S-A"]["do"]
        assert "溶解氧 4.10 mg/L" in page["S-A"]["do"] and "提Ⅲ" in page["S-A"]["status"]
        assert "较去年同月变差" in page["S-A"]["status"]  # Ⅳ against last July's Ⅲ
        assert "稳Ⅲ" in page["S-B"]["status"] and "氨氮(0.30)" in page["S-B"]["pollutants"]
        assert "S-B" in page


def test_a_town_sees_the_sections_the_api_lets_it_see(measured, console_users) -> None:  # type: ignore[no-untyped-def]
    html = signed_in("changle").get("/console/water/", {"month": MONTH}).content.decode()
    listed = api("changle", console_users).get("/api/v1/water/status", year=YEAR).json()["sections"]
    assert set(rows(html)) == {s["section"]["code"] for s in listed}
    assert set(rows(html)) == {"S-A", "S-AB"}  # 常乐镇 answers for 甲桥 and 甲乙桥, not 乙桥
    outside = RiverSection.objects.get(code="S-B")  # a section the town may not read: 404, as the API
    assert signed_in("changle").get(f"/console/water/sections/{outside.pk}/").status_code == 404
    assert (
        api("changle", console_users)
        .get("/api/v1/water/status", year=YEAR, section_id=outside.pk)
        .status_code
        == 404
    )


def test_section_page_and_scope(measured, console_users) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("guihua")
    html = client.get(f"/console/water/sections/{measured.section_a.pk}/", {"month": MONTH}).content.decode()
    assert "甲桥" in html and set(rows(html)) == {"S-A"}
    assert re.search(r'<tr data-month="7">.*?Ⅳ.*?溶解氧预警', html, re.S)
    assert client.get("/console/water/sections/999999/").status_code == 404
    assert Client().get("/console/water/").status_code == 302  # anonymous → login
    assert client.post("/console/water/").status_code in (403, 405)  # a read-only page: nothing to post
    assert client.post(f"/console/water/sections/{measured.section_a.pk}/").status_code in (403, 405)


def test_chart_data_equals_the_service_series(measured, console_users) -> None:  # type: ignore[no-untyped-def]
    html = signed_in("huanjing").get("/console/water/", {"month": MONTH}).content.decode()
    client = api("huanjing", console_users)
    now = {s["section"]["id"]: s for s in client.get("/api/v1/water/status", year=YEAR).json()["sections"]}
    before = {
        s["section"]["id"]: s for s in client.get("/api/v1/water/status", year=YEAR - 1).json()["sections"]
    }
    found = charts(html)
    assert set(found) == {f"water-chart-{i}" for i in now}
    for section_id, status in now.items():
        option = found[f"water-chart-{section_id}"]
        series = {s["name"]: s["data"] for s in option["series"]}

        def of(st: dict[str, Any], field: str) -> list[Any]:
            return [st["monthly"].get(str(m), {}).get(field) for m in range(1, 13)]

        assert series[f"{YEAR}年类别"] == of(status, "class_label")
        assert series[f"{YEAR}年CWQI"] == of(status, "cwqi")
        assert series[f"{YEAR - 1}年类别"] == of(before[section_id], "class_label")
        assert series[f"{YEAR - 1}年CWQI"] == of(before[section_id], "cwqi")
        class_axis = option["yAxis"][0]
        assert class_axis["data"] == ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ", "Ⅴ", "劣Ⅴ"] and class_axis["inverse"] is True
        target = option["series"][0]["markLine"]["data"][0]["yAxis"]
        assert target == status["section"]["target_label"]
    assert now[measured.section_b.pk]["monthly"]["7"]["class_label"] == "Ⅳ"


def test_dekad_ranking_in_the_api_order(measured, console_users) -> None:  # type: ignore[no-untyped-def]
    for username in ("huanjing", "changle"):
        on = f"{YEAR}-07-12"
        for level in ("provincial", "municipal"):
            html = signed_in(username).get("/console/water/", {"on": on, "level": level}).content.decode()
            answer = (
                api(username, console_users).get("/api/v1/water/rankings/dekad", on=on, level=level).json()
            )
            listed = re.findall(r'<tr data-town="([^"]+)"><td class="num">([^<]+)</td>', html)
            assert listed == [(r["town"]["name"], str(r["rank"] or "—")) for r in answer["ranking"]]
            assert answer["period"]["label"] in html
    municipal = signed_in("huanjing").get("/console/water/", {"on": f"{YEAR}-07-12", "level": "municipal"})
    assert [
        t
        for t, _ in re.findall(
            r'<tr data-town="([^"]+)"><td class="num">([^<]+)</td>', municipal.content.decode()
        )
    ] == [
        "常乐镇",
        "四甲镇",
    ]  # 常乐镇 answers for 甲桥 (Ⅳ in July) and 甲乙桥: the worse CWQI, first


def test_htmx_parts_and_inline_errors(measured, console_users) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("huanjing")
    part = client.get(
        "/console/water/", {"month": MONTH}, headers={"HX-Request": "true", "HX-Target": "water-sections"}
    )
    assert (
        part.status_code == 200
        and "<html" not in part.content.decode()
        and 'data-section="S-A"' in part.content.decode()
    )
    dekad = client.get(
        "/console/water/", {"on": f"{YEAR}-07-12"}, headers={"HX-Request": "true", "HX-Target": "water-dekad"}
    )
    assert "<html" not in dekad.content.decode() and "逆序名次" in dekad.content.decode()
    future = client.get(
        "/console/water/", {"month": "2099-01"}, headers={"HX-Request": "true", "HX-Target": "water-sections"}
    )
    assert future.status_code == 422 and "不能查询未来年份" in future.content.decode()
    bad = client.get("/console/water/", {"month": "2025-13"})
    assert bad.status_code == 422 and "month" in bad.content.decode()
    bad_level = client.get(
        "/console/water/", {"level": "galactic"}, headers={"HX-Request": "true", "HX-Target": "water-dekad"}
    )
    assert bad_level.status_code == 422 and "level" in bad_level.content.decode()


def test_default_month_and_dekad_are_today(measured) -> None:  # type: ignore[no-untyped-def]
    html = signed_in("huanjing").get("/console/water/").content.decode()
    today = timezone.localdate()
    assert f'value="{today:%Y-%m}"' in html and f'value="{today.isoformat()}"' in html


def test_queries_do_not_grow_with_the_number_of_sections(measured, console_users) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("huanjing")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/console/water/", {"month": MONTH, "on": f"{YEAR}-07-12"})
        assert response.status_code == 200
        return len(queries)

    three = count()
    for i in range(7):
        section = section_upsert(
            code=f"S-X{i}",
            name=f"新桥{i}",
            level="provincial",
            region=measured.district,
            responsible_towns=[measured.town_a, measured.town_b],
        )
        for month in (6, 7):
            measure(section, YEAR, month, FAIR)
            measure(section, YEAR - 1, month, GOOD)
    ten = count()
    assert len(rows(client.get("/console/water/", {"month": MONTH}).content.decode())) == 10
    assert ten == three, (three, ten)


def test_the_services_issue_a_fixed_number_of_queries(measured, console_users) -> None:  # type: ignore[no-untyped-def]
    from accounts.selectors import principal_for
    from scoring.water import services

    principal = principal_for(console_users["huanjing"])

    def count() -> list[int]:
        out = []
        for call in (
            lambda: services.section_statuses(principal=principal, year=YEAR),
            lambda: services.evaluations(principal=principal, kind="month", on=date(YEAR, 7, 1)),
            lambda: services.dekad_ranking(principal=principal, on=date(YEAR, 7, 12)),
            lambda: services.monthly_report(principal=principal, year=YEAR, month=7),
        ):
            with CaptureQueriesContext(connection) as queries:
                call()
            out.append(len(queries))
        return out

    three = count()
    for i in range(7):
        section = section_upsert(
            code=f"S-Y{i}",
            name=f"又桥{i}",
            level="provincial",
            region=measured.district,
            responsible_towns=[measured.town_a],
        )
        measure(section, YEAR, 7, FAIR)
    assert count() == three
