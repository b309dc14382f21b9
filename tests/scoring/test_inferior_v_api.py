"""``GET /api/v1/water/sections/{id}/inferior-v``: tributary monitoring points (sections of level
``tributary``) measured through the ordinary import, within 10 km upstream along the network, on the 劣Ⅴ
list from the month measured 劣Ⅴ to the month found better (清零), and the list's count per month."""

from __future__ import annotations

import pytest

from geo.demo import SYSTEM
from geo.rivers import engine as river_engine
from geo.rivers.services import river_network_import
from geo.services import LocationInput, section_upsert
from scoring.water import services as water_services
from tests.conftest import assert_error, make_user
from tests.geo.river_files import SECTION_AT, river_features, write_geojson

pytestmark = pytest.mark.django_db

NH3N = {2: 0.3, 3: 0.8, 4: 1.2, 6: 2.5}  # the class the ammonia value gives (the rest is Ⅱ)


@pytest.fixture(autouse=True)
def _no_cached_network():  # type: ignore[no-untyped-def]
    river_engine.forget()
    yield
    river_engine.forget()


def _csv(rows: list[tuple[str, str, int]]) -> bytes:
    lines = ["断面名称,监测时间,pH,溶解氧(mg/L),高锰酸盐指数(mg/L),氨氮(mg/L),总磷(mg/L)"]
    lines += [f"{name},{month}-15 10:00,7.5,7.0,3.0,{NH3N[klass]},0.08" for name, month, klass in rows]
    return "\n".join(lines).encode("utf-8")


@pytest.fixture
def network(world, tmp_path):  # type: ignore[no-untyped-def]
    section = section_upsert(
        code="S-A", name="甲桥", level="municipal", region=world.district,
        responsible_towns=[world.town_a], location=LocationInput(*SECTION_AT),
    )  # fmt: skip
    points = {}
    for code, name, level, at in (
        ("TP-1", "支河一号点", "tributary", (121.1503, 31.93)),  # ~8 km up along the water
        ("TP-2", "支河二号点", "tributary", (121.1503, 31.945)),  # ~9.6 km up
        ("TP-3", "主河下游点", "tributary", (121.23, 31.9002)),  # downstream: not on the list
        ("TP-4", "支河考核断面", "district", (121.1503, 31.935)),  # upstream but not a tributary point
    ):
        river = "支河" if "支河" in name else "主河"
        points[code] = section_upsert(
            code=code, name=name, level=level, region=world.district, responsible_towns=[world.town_a],
            river=river, location=LocationInput(*at),
        )  # fmt: skip
    river_network_import(
        principal=SYSTEM, path=write_geojson(tmp_path / "r.geojson", river_features()), dry_run=False
    )
    series = {
        "支河一号点": {"2025-01": 6, "2025-02": 6, "2025-03": 3, "2025-05": 6, "2025-06": 4},
        "支河二号点": {"2024-12": 6, "2025-01": 6, "2025-02": 6, "2025-06": 2},  # on the list since before
        "主河下游点": {"2025-01": 6, "2025-02": 6},
        "支河考核断面": {"2025-01": 6},
    }
    rows = [(name, month, k) for name, months in series.items() for month, k in months.items()]
    importer = make_user("environment_bureau", world.district)
    from accounts.selectors import principal_for

    record = water_services.measurement_import_create(
        principal=principal_for(importer), data=_csv(rows), filename="支流监测.csv", source="manual",
        dry_run=False, on_duplicate="reject", valid_rows_only=False,
    )  # fmt: skip
    record.refresh_from_db()
    assert record.status == "done" and record.report["imported"] == len(rows) * 5, record.report
    return section, points


def test_entries_exits_and_the_monthly_count(world, network, api_as) -> None:  # type: ignore[no-untyped-def]
    section, _ = network
    api = api_as("environment_bureau", world.district)
    r = api.get(f"/api/v1/water/sections/{section.pk}/inferior-v", **{"from": "2025-01", "to": "2025-06"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["from_month"], body["to_month"], body["points_monitored"]) == ("2025-01", "2025-06", 2)
    got = {p["code"]: p for p in body["points"]}
    assert list(got) == ["TP-1", "TP-2"]  # by distance; TP-3 is downstream, TP-4 is not a tributary point
    assert got["TP-1"]["spells"] == [
        {"entered": "2025-01", "left": "2025-03"}, {"entered": "2025-05", "left": "2025-06"},
    ]  # fmt: skip
    assert not got["TP-1"]["on_list"] and (got["TP-1"]["latest_class"], got["TP-1"]["latest_month"]) == (
        4, "2025-06",
    )  # fmt: skip
    assert got["TP-2"]["spells"] == [{"entered": "2024-12", "left": "2025-06"}]  # entered before the window
    assert 7000 < got["TP-1"]["distance_m"] < got["TP-2"]["distance_m"] <= 10_000
    assert [(c["month"], c["count"]) for c in body["count_by_month"]] == [
        ("2025-01", 2), ("2025-02", 2), ("2025-03", 1), ("2025-04", 1), ("2025-05", 2), ("2025-06", 0),
    ]  # fmt: skip
    # 9 km: the farther point is out of reach
    near = api.get(
        f"/api/v1/water/sections/{section.pk}/inferior-v", km=9, **{"from": "2025-01", "to": "2025-06"}
    )
    assert [p["code"] for p in near.json()["points"]] == ["TP-1"]
    # the upstream answer's tributary carries its monitoring points' latest class (June: TP-1 Ⅳ, TP-2 Ⅱ)
    up = {r["river_id"]: r for r in api.get(f"/api/v1/water/sections/{section.pk}/upstream").json()["rivers"]}
    assert (up["T"]["water_class_month"], up["T"]["water_class_section"]) == ("2025-06", "支河一号点")


def test_scope_and_bad_months(world, network, api_as) -> None:  # type: ignore[no-untyped-def]
    section, _ = network
    path = f"/api/v1/water/sections/{section.pk}/inferior-v"
    assert_error(api_as("town_officer", world.town_b).get(path), 404, "not_found")
    api = api_as("town_officer", world.town_a)
    assert api.get(path).status_code == 200  # default: the last twelve months
    bad = (
        ({"from": "2025-13"}, "from"), ({"to": "2025/01"}, "to"),
        ({"from": "2025-06", "to": "2025-01"}, "from"), ({"from": "2015-01", "to": "2025-01"}, "from"),
    )  # fmt: skip
    for params, field in bad:
        body = assert_error(api.get(path, **params), 422)
        assert field in str(body["details"]["fields"]), (params, body)


def test_tributary_points_are_not_assessed_sections(world, network, api_as) -> None:  # type: ignore[no-untyped-def]
    """Measured and classed, but never in the towns' water indicators (a ranking input) or the monthly
    section table; a point's own evaluations are still there."""
    _, points = network
    bureau = api_as("environment_bureau", world.district)
    towns = bureau.get("/api/v1/water/towns", period="month", on="2025-01-15").json()["towns"]
    codes = {s["code"] for t in towns for s in t["sections"]}
    assert not codes & {"TP-1", "TP-2", "TP-3"} and "TP-4" in codes  # TP-4 is a district section
    report = bureau.get("/api/v1/water/reports/monthly", year=2025, month=1, format="csv")
    assert report.status_code == 200, report.content
    text = report.content.decode("utf-8-sig")
    assert "支河考核断面" in text and "支河一号点" not in text
    own = bureau.get(
        "/api/v1/water/evaluations", period="month", on="2025-01-15", section_id=points["TP-1"].pk
    )
    assert own.status_code == 200, own.content
    assert own.json()["sections"][0]["evaluation"]["class"] == 6
