"""The 每旬 reverse ranking of towns as a scheme, through the API: one 旬, the history with 持续靠后, the
scope (the district's ranking, shown whole), scheme errors, and the water-only view kept."""

import io
from decimal import Decimal as D

import pytest

from geo.services import section_upsert
from scoring.rankings.indicators import INDICATORS
from tests.conftest import ApiClient, assert_error, make_user

# 乙桥 (S-B, provincial, 四甲镇) is bad in every 旬 of September; 丙桥 (provincial, 常乐镇) is good in the
# first two and has no sample in the third.
DATA = (
    "断面名称,监测时间,pH,溶解氧(mg/L),氨氮(mg/L),总磷(mg/L)\n"
    "乙桥,2022-09-02 08:00,7.2,3.0,1.5,0.3\n"
    "乙桥,2022-09-12 08:00,7.2,3.2,1.4,0.28\n"
    "乙桥,2022-09-25 08:00,7.1,3.1,1.6,0.3\n"
    "丙桥,2022-09-03 08:00,7.4,7.0,0.3,0.1\n"
    "丙桥,2022-09-13 08:00,7.3,6.8,0.35,0.1\n"
)

WATER_ONLY = """\
key: water-only
title: 仅省考断面水质
indicators:
  - {key: water.cwqi, title: 省考断面水质, better: lower, weight: 1}
method: rank_points
missing: reweight
tie_break: [water.cwqi]
persistent: {bottom: 1, in_a_row: 3}
"""


@pytest.fixture
def ranked(world, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    (tmp_path / "schemes" / "dekad").mkdir(parents=True)
    (tmp_path / "schemes" / "dekad" / "water-only.yaml").write_text(WATER_ONLY, encoding="utf-8")
    section_upsert(
        code="S-P", name="丙桥", level="provincial", region=world.district, responsible_towns=[world.town_a]
    )
    bureau = ApiClient(make_user("environment_bureau", world.district, username="huanjing"))
    fh = io.BytesIO(DATA.encode())
    fh.name = "data.csv"
    r = bureau.client.post("/api/v1/water/imports", {"file": fh}, headers=bureau._headers(None))
    assert r.status_code == 200 and r.json()["report"]["imported"] == 20, r.content
    return bureau


def test_water_indicator_is_the_water_views_cwqi(world, ranked) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    values = INDICATORS["water.cwqi"](start=date(2022, 9, 1), end=date(2022, 9, 10))
    water = ranked.get("/api/v1/water/rankings/dekad", on="2022-09-05").json()
    assert values == {r["town"]["id"]: D(str(r["cwqi"])) for r in water["ranking"]}
    assert (
        set(values) == {world.town_a.pk, world.town_b.pk}
        and values[world.town_b.pk] > values[world.town_a.pk]
    )
    # the third 旬: 丙桥 has no sample, its town is still a key (monitored, no data)
    assert INDICATORS["water.cwqi"](start=date(2022, 9, 21), end=date(2022, 9, 30))[world.town_a.pk] is None


def test_dekad_ranking_with_the_shipped_scheme(world, ranked) -> None:  # type: ignore[no-untyped-def]
    r = ranked.get("/api/v1/rankings/dekad", on="2022-09-15")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["scheme"] == "dekad-2022" and body["period"]["key"] == "2022-09-D2"
    assert body["period"]["label"] == "2022年9月中旬"
    assert [(i["key"], i["counted"]) for i in body["indicators"]] == [
        ("air.aqi", True),  # sources for all three; no air station or jar here: no values, reweighted
        ("dust.fall", True),
        ("water.cwqi", True),
    ]
    assert body["persistent"] == {"bottom": 3, "in_a_row": 3}
    rows = [(x["rank"], x["town"]["name"], x["score"], x["at_bottom"]) for x in body["ranking"]]
    assert rows == [(1, "四甲镇", 0.0, True), (2, "常乐镇", 100.0, True)]
    first = body["ranking"][0]
    assert first["values"]["water.cwqi"] > 0 and first["values"]["air.aqi"] is None  # every key, always
    assert first["points"] == {"air.aqi": None, "dust.fall": None, "water.cwqi": 0.0}


def test_history_and_persistent_bottom(world, ranked) -> None:  # type: ignore[no-untyped-def]
    r = ranked.get(
        "/api/v1/rankings/dekad/history", **{"from": "2022-09-05", "to": "2022-09-30", "scheme": "water-only"}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert [d["period"]["key"] for d in body["dekads"]] == ["2022-09-D1", "2022-09-D2", "2022-09-D3"]
    assert [[(x["rank"], x["town"]["name"]) for x in d["ranking"]] for d in body["dekads"]] == [
        [(1, "四甲镇"), (2, "常乐镇")],
        [(1, "四甲镇"), (2, "常乐镇")],
        [(1, "四甲镇"), (None, "常乐镇")],  # 丙桥 not sampled: 常乐镇 unranked, last
    ]
    assert body["persistent_bottom"] == [
        {
            "town": {"id": world.town_b.pk, "name": "四甲镇"},
            "length": 3,
            "first": "2022-09-D1",
            "last": "2022-09-D3",
            "ongoing": True,
        }
    ]
    # two 旬 are not three in a row
    short = ranked.get(
        "/api/v1/rankings/dekad/history", **{"from": "2022-09-01", "to": "2022-09-20", "scheme": "water-only"}
    )
    assert short.json()["persistent_bottom"] == []


def test_a_town_officer_sees_the_whole_district_ranking(world, ranked) -> None:  # type: ignore[no-untyped-def]
    town = ApiClient(make_user("town_officer", world.town_a))
    body = town.get("/api/v1/rankings/dekad", on="2022-09-05", scheme="water-only").json()
    assert [(x["rank"], x["town"]["name"]) for x in body["ranking"]] == [(1, "四甲镇"), (2, "常乐镇")]
    # the water-only view stays scoped to the officer's sections (四甲镇's 乙桥 is not one of them)
    water = town.get("/api/v1/water/rankings/dekad", on="2022-09-05").json()
    assert [x["town"]["name"] for x in water["ranking"]] == ["常乐镇"]
    nobody = ApiClient(make_user(None, None))
    assert_error(nobody.get("/api/v1/rankings/dekad", on="2022-09-05"), 403, "permission_denied")
    assert_error(ApiClient().get("/api/v1/rankings/dekad", on="2022-09-05"), 401)


def test_errors(world, ranked, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert_error(
        ranked.get("/api/v1/rankings/dekad", on="2022-09-05", scheme="nope"), 404, "ranking_scheme_not_found"
    )
    assert_error(ranked.get("/api/v1/rankings/dekad", on="2022-09-05", scheme="../etc/passwd"), 404)
    (tmp_path / "schemes" / "dekad" / "broken.yaml").write_text(
        WATER_ONLY.replace("weight: 1", "weight: -1").replace("key: water-only", "key: broken"),
        encoding="utf-8",
    )
    body = assert_error(
        ranked.get("/api/v1/rankings/dekad", on="2022-09-05", scheme="broken"), 409, "ranking_scheme_invalid"
    )
    assert "broken.yaml" in body["message"] and "indicators[0].weight" in body["message"]
    (tmp_path / "schemes" / "dekad" / "garbled.yaml").write_text("key: [", encoding="utf-8")
    assert_error(
        ranked.get("/api/v1/rankings/dekad", on="2022-09-05", scheme="garbled"), 409, "ranking_scheme_invalid"
    )
    assert_error(ranked.get("/api/v1/rankings/dekad"), 422)
    assert_error(ranked.get("/api/v1/rankings/dekad", on="2022-02-30"), 422)
    body = assert_error(
        ranked.get("/api/v1/rankings/dekad/history", **{"from": "2022-09-30", "to": "2022-09-01"}), 422
    )
    assert "from" in body["details"]["fields"]
    body = assert_error(
        ranked.get("/api/v1/rankings/dekad/history", **{"from": "2020-01-01", "to": "2023-01-01"}),
        422,
        "range_too_long",
    )
    assert "to" in body["details"]["fields"]


def test_office_file_overrides_the_shipped_scheme(world, ranked, tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "schemes" / "dekad" / "dekad-2022.yaml").write_text(
        WATER_ONLY.replace("key: water-only", "key: dekad-2022").replace(
            "title: 仅省考断面水质", "title: 区里的方案"
        ),
        encoding="utf-8",
    )
    body = ranked.get("/api/v1/rankings/dekad", on="2022-09-05").json()
    assert body["title"] == "区里的方案" and [i["key"] for i in body["indicators"]] == ["water.cwqi"]


def test_unscoped_entry_points_for_bulletins_and_the_overview(world, ranked) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from kernel.errors import InvalidInput
    from scoring.rankings import selectors

    by_key = selectors.ranking_of_key(period="2022-09-D3", scheme_key="water-only")
    assert by_key.period.label == "2022年9月下旬"
    assert [(r.rank, r.town.name) for r in by_key.ranking] == [(1, "四甲镇"), (None, "常乐镇")]
    assert selectors.town_ranks(on=date(2022, 9, 5)) == {world.town_b.pk: 1, world.town_a.pk: 2}
    with pytest.raises(InvalidInput) as exc:
        selectors.ranking_of_key(period="2022-09")
    assert exc.value.code == "invalid_period" and "period" in exc.value.details["fields"]


def test_history_queries_do_not_grow_with_towns_or_sections(world, ranked) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from geo.models import RegionLevel
    from kernel.access import Principal
    from scoring.rankings import selectors
    from tests.factories import RegionFactory

    admin = Principal(user_id=0, username="admin", is_superuser=True)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.dekad_history(principal=admin, first=date(2022, 7, 1), last=date(2022, 9, 30))
        return len(ctx.captured_queries)

    before = count()
    for i in range(5):  # five more towns, each with a provincial section of its own
        town = RegionFactory(level=RegionLevel.TOWN, name=f"新镇{i}", parent=world.district)
        section_upsert(
            code=f"S-N{i}",
            name=f"新桥{i}",
            level="provincial",
            region=world.district,
            responsible_towns=[town],
        )
    assert count() == before <= 9 * 6  # nine 旬, a few statements each (water, air, dust fall)


def test_air_and_dust_fall_rank_the_towns_as_the_air_view_gives_them(world) -> None:  # type: ignore[no-untyped-def]
    """The shipped scheme over air and dust only (no provincial section here): 常乐镇's AQI 76.8 is worse than
    四甲镇's 50 and its dust fall is the only one; the values are GET /air/towns' for the same 旬."""
    from geo.models import AirStation, DustFallPoint
    from tests.scoring.test_air_api import DAILY, upload

    AirStation.objects.create(code="AQ-A1", name="常乐镇站", kind="town", town=world.town_a)
    AirStation.objects.create(code="AQ-B1", name="四甲镇站", kind="town", town=world.town_b)
    DustFallPoint.objects.create(code="DF-A", name="常乐降尘", town=world.town_a)
    bureau = ApiClient(make_user("environment_bureau", world.district, username="huanjing"))
    daily = (
        DAILY + "常乐镇站,2024-03-12,5,20,40,55,0.5,80,70\n" + "四甲镇站,2024-03-12,5,20,40,35,0.5,80,70\n"
    )
    assert upload(bureau, daily, "air_daily").json()["status"] == "done"
    dust = "点位编码,开始日期,结束日期,降尘量(t/km²)\nDF-A,2024-03-01,2024-03-31,3.1\n"
    assert upload(bureau, dust, "dust").json()["report"]["imported"] == 1
    body = bureau.get("/api/v1/rankings/dekad", on="2024-03-15").json()
    view = {
        t["town_id"]: t
        for t in bureau.get("/api/v1/air/towns", period="dekad", on="2024-03-15").json()["towns"]
    }
    ranking = {r["town"]["id"]: r for r in body["ranking"]}
    for town, row in ranking.items():
        assert row["values"]["air.aqi"] == view[town]["aqi"]
        assert row["values"]["dust.fall"] == view[town]["dust_fall"]
    assert [r["town"]["name"] for r in body["ranking"]] == ["常乐镇", "四甲镇"]  # the worse air first
    assert ranking[world.town_a.pk]["points"]["air.aqi"] < ranking[world.town_b.pk]["points"]["air.aqi"]


def test_history_reads_each_source_once_for_the_range(world, ranked) -> None:  # type: ignore[no-untyped-def]
    """A longer history costs at most one more statement per 旬 (the water means: a mean of samples per
    span); the towns, sections, stations, jars, days and readings are read once for the range (bench/dekad:
    108 旬 at 7 statements each was 2.5× a plain aggregate). The answers are the 旬's own rankings."""
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from geo.models import AirStation, DustFallPoint
    from scoring.rankings import selectors
    from tests.scoring.test_air_api import DAILY, upload

    AirStation.objects.create(code="AQ-A1", name="常乐镇站", kind="town", town=world.town_a)
    DustFallPoint.objects.create(code="DF-A", name="常乐降尘", town=world.town_a)
    daily = (
        DAILY + "常乐镇站,2022-09-12,5,20,40,55,0.5,80,70\n" + "常乐镇站,2022-09-22,5,20,40,35,0.5,80,70\n"
    )
    assert upload(ranked, daily, "air_daily").json()["status"] == "done"
    dust = "点位编码,开始日期,结束日期,降尘量(t/km²)\nDF-A,2022-09-01,2022-09-30,3.1\n"
    assert upload(ranked, dust, "dust").json()["report"]["imported"] == 1

    def count(first: date, last: date) -> int:
        with CaptureQueriesContext(connection) as ctx:
            selectors.history_of(first=first, last=last)
        return len(ctx.captured_queries)

    short, long = count(date(2022, 9, 1), date(2022, 9, 30)), count(date(2022, 1, 1), date(2022, 12, 31))
    assert long - short <= 36 - 3, (short, long)
    history = selectors.history_of(first=date(2022, 8, 1), last=date(2022, 9, 30))
    assert history.dekads == tuple(selectors.ranking_of(on=d.period.start) for d in history.dekads)
    assert any(r.values["dust.fall"] is not None for d in history.dekads for r in d.ranking)
    assert any(r.values["air.aqi"] is not None for d in history.dekads for r in d.ranking)
