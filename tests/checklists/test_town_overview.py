"""区镇总览 (issue 19): ``GET /towns/overview`` — one row per town, every figure the owning service's answer
for the same caller, scope as the other town views, a fixed number of queries, and its xlsx read back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from geo.models import Region, RegionLevel
from geo.services import section_upsert
from scoring.assessment.models import Scoreboard, ScoreboardStatus
from scoring.assessment.services import scoreboard_notice, scoreboard_publish
from tests.browser import PASSWORD
from tests.conftest import ApiClient, assert_error
from tests.console.scoreboard_data import SCHEME, store_board
from tests.console.test_towns import _repairs_and_inspections
from tests.factories import FacilityFactory, RegionFactory
from tests.scoring.test_water_api import GOOD, upload
from tests.sheets import inert_xlsx

PATH = "/api/v1/towns/overview"
YEAR = 2022  # the shipped towns-2022 scheme's year, and the water fixture's


@pytest.fixture
def users(world: Any) -> dict[str, Any]:
    """The demo accounts on the world's district and towns (as ``console_users`` of tests/browser.py)."""
    from accounts.demo import load_demo_users
    from accounts.models import User

    towns = {"常乐镇": world.town_a, "四甲镇": world.town_b}
    load_demo_users(password=PASSWORD, district=world.district, towns=towns)
    return {u.username: u for u in User.objects.all()}


def _api(users: dict[str, Any], username: str) -> ApiClient:
    return ApiClient(users[username])


def _rows(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["town"]["name"]: r for r in body["rows"]}


def _publish(users: dict[str, Any]) -> None:
    from accounts.selectors import principal_for

    district = principal_for(users["anweiban"])
    scoreboard_notice(principal=district, scheme_key=SCHEME)
    Scoreboard.objects.filter(status=ScoreboardStatus.NOTICE).update(
        notice_until=timezone.now() - timedelta(days=1)
    )
    scoreboard_publish(principal=district, scheme_key=SCHEME)


def test_one_row_per_town_with_every_programme(users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, n=2)
    assert upload(_api(users, "huanjing"), GOOD.encode()).status_code == 200
    _repairs_and_inspections(world, users["jiancha1"], 4)  # 2 of them overdue, all 常乐镇
    district = _api(users, "anweiban")
    response = district.get(PATH, year=YEAR)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["year"], body["on"]) == (YEAR, f"{YEAR}-12-31")
    assert body["board"]["status"] == "draft" and body["board"]["final"] is False  # marked as such
    rows = _rows(body)
    assert list(rows) == ["常乐镇", "四甲镇"]  # every town in scope, in region order
    # assessment: the town's row of the board the scoreboard route answers the same caller
    board = {r["region_id"]: r for r in district.get(f"/api/v1/scoreboards/{SCHEME}").json()["rows"]}
    for name, town in (("常乐镇", world.town_a), ("四甲镇", world.town_b)):
        a = rows[name]["assessment"]
        assert Decimal(a["total"]) == Decimal(str(board[town.pk]["total"]))
        assert (a["grade"], a["rank"]) == (board[town.pk]["grade"], board[town.pk]["rank"])
    # water: the year to date, as GET /water/towns?period=ytd counts it
    ytd = district.get("/api/v1/water/towns", period="ytd", on=f"{YEAR}-12-31").json()["towns"]
    for t in ytd:
        w = rows[t["town"]["name"]]["water"]
        assert w == {
            "sections": len(t["sections"]),
            "evaluated": sum(1 for s in t["sections"] if s["meets_target"] is not None),
            "meeting_target": t["sections_meeting_target"],
        }
    assert rows["四甲镇"]["water"] == {"sections": 2, "evaluated": 2, "meeting_target": 1}  # 乙桥 is Ⅳ
    # sewage: the rates route's numbers against its targets
    answer = district.get("/api/v1/sewage/rates", on=f"{YEAR}-12-31").json()
    rates = {t["town"]["name"]: t for t in answer["towns"]}
    for name, row in rows.items():
        targets = {t["key"]: t for t in rates[name]["targets"]}
        for key in ("treatment", "operation"):
            assert row["sewage"][key]["percent"] == rates[name][key]["percent"]
            assert row["sewage"][key]["target"] == targets[key]["target"]
            assert row["sewage"][key]["met"] == targets[key]["met"]
    # overdue rectifications now (the overdue-by-town list); no provincial section here: no 每旬 rank
    assert rows["常乐镇"]["overdue_rectifications"] == 2 and rows["四甲镇"]["overdue_rectifications"] == 0
    assert {r["dekad_rank"] for r in body["rows"]} == {None}


def test_the_published_board_wins_and_town_officers_see_only_public_results(users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, n=2)
    town = _api(users, "changle")
    before = town.get(PATH, year=YEAR).json()
    assert before["board"] is None and before["rows"][0]["assessment"] is None  # a draft is the district's
    _publish(users)
    store_board(world, n=2)  # a newer draft beside the published board: the published one is the result
    for username in ("anweiban", "changle"):
        body = _api(users, username).get(PATH, year=YEAR).json()
        assert body["board"]["status"] == "final" and body["board"]["final"] is True, username
        assert body["board"]["status_label"] == "正式发布"
        assert all(r["assessment"] is not None for r in body["rows"])


def test_scope_as_the_other_town_views(users, world) -> None:  # type: ignore[no-untyped-def]
    _repairs_and_inspections(world, users["jiancha1"], 2)
    own = _api(users, "changle").get(PATH, year=YEAR).json()
    assert [r["town"]["id"] for r in own["rows"]] == [world.town_a.pk]
    assert own["rows"][0]["overdue_rectifications"] == 1
    other = _api(users, "sijia").get(PATH).json()
    assert [r["town"]["id"] for r in other["rows"]] == [world.town_b.pk]
    # a planner sees every town, but not the rectifications (the rectification list's roles): null, not 0
    planner = _api(users, "guihua").get(PATH, year=YEAR).json()
    assert len(planner["rows"]) == 2 and {r["overdue_rectifications"] for r in planner["rows"]} == {None}
    admin = _api(users, "admin").get(PATH, year=YEAR).json()
    assert [r["overdue_rectifications"] for r in admin["rows"]] == [1, 0]


def test_bad_years_are_refused(users, world) -> None:  # type: ignore[no-untyped-def]
    client = _api(users, "anweiban")
    future = timezone.localdate().year + 1
    body = assert_error(client.get(PATH, year=future), 422, "validation_error")
    assert "year" in body["details"]["fields"]
    assert client.get(PATH, year=1999).status_code in (400, 422)
    assert client.get(PATH, format="pdf").status_code in (400, 422)
    assert ApiClient().get(PATH).status_code == 401
    this_year = client.get(PATH).json()
    assert this_year["year"] == timezone.localdate().year and this_year["on"] == str(timezone.localdate())


def _grow(world: Any, users: dict[str, Any], towns: int) -> None:
    """More towns, each with a village, a facility and a section, and more rectifications."""
    start = Region.objects.filter(level=RegionLevel.TOWN).count()
    for i in range(start, start + towns):
        town = RegionFactory(level=RegionLevel.TOWN, name=f"测试镇{i:03d}", parent=world.district)
        village = RegionFactory(level=RegionLevel.VILLAGE, name=f"测试村{i:03d}", parent=town)
        FacilityFactory(village=village, code=f"WS-T{i:03d}")
        section_upsert(
            code=f"S-T{i:03d}", name=f"测试桥{i:03d}", level="municipal", region=world.district,
            responsible_towns=[town],
        )  # fmt: skip
    _repairs_and_inspections(world, users["jiancha1"], 6)


def test_queries_do_not_grow_with_towns_sections_or_rectifications(users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, n=2)
    _publish(users)
    client = _api(users, "anweiban")
    client.get(PATH, year=YEAR)  # warm caches (scheme files, rules)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(PATH, year=YEAR).json()["rows"]) == 2
    _grow(world, users, 12)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(PATH, year=YEAR).json()["rows"]) == 14
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_xlsx_holds_the_json_rows(users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, n=2)
    _publish(users)
    assert upload(_api(users, "huanjing"), GOOD.encode()).status_code == 200
    _repairs_and_inspections(world, users["jiancha1"], 2)
    client = _api(users, "anweiban")
    body = client.get(PATH, year=YEAR).json()
    response = client.get(PATH, year=YEAR, format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="towns-overview-{YEAR}.xlsx"' in response["Content-Disposition"]
    sheet = next(iter(inert_xlsx(response.content).values()))
    assert sheet[0][0] == f"{YEAR}年区镇总览"
    header = sheet[1]
    table = [dict(zip(header, r, strict=True)) for r in sheet[2 : 2 + len(body["rows"])]]
    for row, line in zip(body["rows"], table, strict=True):
        a, w, s = row["assessment"], row["water"], row["sewage"]
        assert line["区镇"] == row["town"]["name"]
        assert Decimal(str(line["考核总分"])) == Decimal(a["total"])
        assert (line["等次"], line["排名"]) == (a["grade"], a["rank"])
        assert (line["负责断面数"], line["有数据断面数"], line["达标断面数"]) == (
            w["sections"], w["evaluated"], w["meeting_target"],
        )  # fmt: skip
        assert line["治理率（%）"] == s["treatment"]["percent"]
        assert line["治理率目标（%）"] == s["treatment"]["target"]
        assert line["治理率达标"] == {True: "是", False: "否", None: None}[s["treatment"]["met"]]
        assert line["正常运行率（%）"] == s["operation"]["percent"]
        assert line["运行率目标（%）"] == s["operation"]["target"]
        assert line["逾期整改数"] == row["overdue_rectifications"]
        assert line["每旬逆序排名"] is None
    footer = [r[0] for r in sheet[2 + len(body["rows"]) :] if r[0]]
    assert any("正式发布" in line for line in footer)
    # a town officer's sheet holds their town only
    own = _api(users, "changle").get(PATH, year=YEAR, format="xlsx")
    rows = next(iter(inert_xlsx(own.content).values()))
    assert [r[1] for r in rows[2:] if isinstance(r[0], int)] == ["常乐镇"]


@pytest.mark.parametrize("hostile", ['=HYPERLINK("http://x","点此")'])
def test_town_names_cannot_become_formulas(users, world, hostile) -> None:  # type: ignore[no-untyped-def]
    world.town_b.name = hostile
    world.town_b.save(update_fields=["name"])
    content = _api(users, "anweiban").get(PATH, year=YEAR, format="xlsx").content
    sheet = next(iter(inert_xlsx(content).values()))
    assert "'" + hostile in [r[1] for r in sheet]


DECEMBER = (
    "断面名称,监测时间,pH,溶解氧(mg/L),氨氮(mg/L),总磷(mg/L)\n"
    "丙桥,2022-12-22 08:00,7.2,3.0,1.5,0.3\n"
    "丁桥,2022-12-23 08:00,7.4,7.0,0.3,0.1\n"
)


def test_dekad_rank_is_the_ranking_of_the_last_finished_dekad(users, world) -> None:  # type: ignore[no-untyped-def]
    import io

    section_upsert(
        code="S-P1", name="丙桥", level="provincial", region=world.district, responsible_towns=[world.town_a]
    )
    section_upsert(
        code="S-P2", name="丁桥", level="provincial", region=world.district, responsible_towns=[world.town_b]
    )
    bureau = _api(users, "huanjing")
    fh = io.BytesIO(DECEMBER.encode())
    fh.name = "december.csv"
    r = bureau.client.post("/api/v1/water/imports", {"file": fh}, headers=bureau._headers(None))
    assert r.status_code == 200, r.content
    body = _api(users, "anweiban").get(PATH, year=YEAR).json()  # a past year: as of 31 December
    assert body["dekad"] == "2022年12月下旬"
    ranking = _api(users, "anweiban").get("/api/v1/rankings/dekad", on="2022-12-31").json()["ranking"]
    expected = {r["town"]["id"]: r["rank"] for r in ranking}
    assert expected == {world.town_a.pk: 1, world.town_b.pk: 2}  # 丙桥 (常乐镇) is the worse: rank 1
    assert {r["town"]["id"]: r["dekad_rank"] for r in body["rows"]} == expected


@pytest.mark.parametrize(
    ("on", "label"),
    [
        ("2026-12-01", "2026年11月下旬"),  # the current 旬 is still coming in: the one before
        ("2026-12-10", "2026年12月上旬"),  # its last day: its own
        ("2024-02-29", "2024年2月下旬"),  # a leap February's last day
        ("2023-02-28", "2023年2月下旬"),
        ("2024-02-28", "2024年2月中旬"),
        ("2026-01-05", "2025年12月下旬"),  # across the year
    ],
)
def test_last_dekad(on: str, label: str) -> None:
    from datetime import date

    from checklists.selectors.overview import last_dekad

    assert last_dekad(date.fromisoformat(on)).label == label
