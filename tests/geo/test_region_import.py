"""``manage.py import_regions``: a real district set up from its list of divisions, all or nothing."""

import io
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from geo import demo
from geo import region_table as rt
from geo.models import PARENT_LEVEL, CodeSource, Region, RegionLevel, TownKind
from geo.region_import import regions_import
from kernel.audit.models import AuditEvent
from tests.conftest import ApiClient, make_user
from tests.factories import RegionFactory

SAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "samples" / "regions-haimen.csv"
HEADER = "区划代码,名称,级别,上级代码,代码来源,其他来源代码,区镇类型,户数,边界\n"
SQUARE = "POLYGON((121.20 31.90, 121.21 31.90, 121.21 31.91, 121.20 31.91, 121.20 31.90))"


def run(text: str, filename: str = "regions.csv", **options: object) -> dict:  # type: ignore[type-arg]
    return regions_import(data=text.encode(), filename=filename, **options)  # type: ignore[arg-type]


def by_row(report: dict) -> dict[int, set[tuple[str, str]]]:  # type: ignore[type-arg]
    out: dict[int, set[tuple[str, str]]] = {}
    for e in report["errors"]:
        out.setdefault(e["row"], set()).add((e["column"], e["code"]))
    return out


# --- the pure parser ----------------------------------------------------------------------------------


def test_levels_sources_and_kinds_mirror_the_models() -> None:
    assert dict(RegionLevel.choices) == rt.REGION_LEVELS
    assert {k.value: v.value for k, v in PARENT_LEVEL.items()} == rt.PARENT_LEVEL
    assert set(CodeSource.values) == set(rt.CODE_SOURCES)
    assert set(TownKind.values) == set(rt.TOWN_KINDS)


@pytest.mark.parametrize(
    ("text", "code", "level"),
    [
        ("320614", "320614000000", "district"),
        ("320614103", "320614103000", "town"),
        ("３２０６１４１０３２０１", "320614103201", "village"),  # full-width digits, as typed in Excel
        ("320600000000", "320600000000", None),  # a city: not imported
    ],
)
def test_codes_are_normalised_and_read_for_their_level(text, code, level) -> None:  # type: ignore[no-untyped-def]
    assert rt.normalise_code(text) == code
    assert rt.level_of_code(code) == level
    assert rt.normalise_code("32061410") is None and rt.normalise_code("3206141030001") is None


@given(st.from_regex(r"[1-9]\d[0-9][1-9]\d{8}", fullmatch=True))
def test_a_derived_parent_code_is_one_level_up(code: str) -> None:
    level = rt.level_of_code(code)
    parent = rt.parent_code_of(code, level) if level else None
    if level in (rt.TOWN, rt.VILLAGE):
        assert parent is not None and rt.level_of_code(parent) == rt.PARENT_LEVEL[level]
        assert code.startswith(parent.rstrip("0")[: 6 if level == rt.TOWN else 9])
    else:
        assert parent is None


def test_the_sample_file_is_the_demo_district() -> None:
    table = rt.parse_regions(SAMPLE.read_bytes(), SAMPLE.name)
    assert table.ok
    towns = {r.name: r for r in table.rows if r.level == rt.TOWN}
    assert list(towns) == [t.name for t in demo.TOWNS]
    for seed in demo.TOWNS:
        row = towns[seed.name]
        assert row.code == (f"{seed.nbs9}000" if seed.nbs9 else seed.other12)
        assert row.code_source == ("nbs" if seed.nbs9 else "other")
        assert row.town_kind == seed.kind
        assert row.parent_code == demo.DISTRICT["code"]  # derived from the code's structure
    villages = {(r.name, r.parent_code) for r in table.rows if r.level == rt.VILLAGE}
    assert {name for name, _ in villages} == {v for vs in demo.NAMED_VILLAGES.values() for v in vs}


# --- against the registry -----------------------------------------------------------------------------


def test_sample_sets_up_a_district_that_its_users_see_and_a_rerun_changes_nothing(db) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("import_regions", str(SAMPLE), "--dry-run", stdout=out)
    assert "将新增 18 个" in out.getvalue() and not Region.objects.exists()

    call_command("import_regions", str(SAMPLE), "--district-code", "320614", stdout=out)
    district = Region.objects.get(level=RegionLevel.DISTRICT)
    assert (district.code, district.alt_codes, district.code_source) == (
        "320614000000",
        ["320684000000"],
        "nbs",
    )
    for region in Region.objects.select_related("parent"):
        assert region.path == f"{region.parent.path if region.parent else '/'}{region.pk}/"
    baochang = Region.objects.get(name="包场镇")
    assert (baochang.town_kind, baochang.code_source) == ("town", "other")
    assert {r.name for r in Region.objects.filter(parent=baochang)} == {"城河村", "浩西村"}

    office = ApiClient(make_user("district_office", district))
    listed = office.get("/api/v1/geo/regions").json()
    assert listed["count"] == 18
    town_officer = ApiClient(make_user("town_officer", baochang))
    assert town_officer.get("/api/v1/geo/regions").json()["count"] == 3
    assert AuditEvent.objects.filter(action="geo.region.create").count() == 18
    assert AuditEvent.objects.get(action="geo.region.import").region_path == district.path

    again = regions_import(data=SAMPLE.read_bytes(), filename=SAMPLE.name)
    assert (again["ok"], again["created"], again["updated"], again["unchanged"]) == (True, 0, 0, 18)


def test_every_bad_row_is_reported_and_nothing_is_written(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    before = Region.objects.count()
    text = HEADER + "\n".join(
        [
            "32061410,坏代码镇,镇,,,,,,",  # row 2: not 12 digits
            "320614103000,常乐镇,村,,,,,,",  # row 3: a town's code with level 村
            ",一组,自然村,,,,,40,",  # row 4: natural village without a parent code
            "320614999201,孤村,行政村,,,,,,",  # row 5: the derived parent 320614999000 exists nowhere
            "320614103202,新村,行政村,,,,,12,",  # row 6: households on a village
            "320614103202,又一新村,行政村,,,,,,",  # row 7: repeats row 6's code
            # row 8: a bad alternative code and a boundary that is no polygon
            "320614103203,边界村,行政村,,统计局,320614106203、12,,,POLYGON((1 2,3 4))",
            "320614105000,四甲镇,镇,,火星,,,,",  # row 9: unknown code source
            f",甲村,行政村,{world.village_a.code or '320614103000'},,,,,",  # row 10: fine
            ",城北村,省,320614103000,,,,,",  # row 11: unknown level
        ]
    )
    report = run(text)
    assert not report["ok"] and report["created"] == report["updated"] == 0
    assert by_row(report) == {
        2: {("区划代码", "invalid_code")},
        3: {("级别", "level_mismatch")},
        4: {("上级代码", "missing_parent")},
        5: {("区划代码", "unknown_parent")},
        6: {("户数", "households_not_natural_village")},
        7: {("区划代码", "duplicate_code")},
        8: {("其他来源代码", "invalid_code"), ("边界", "invalid_boundary")},
        9: {("代码来源", "unknown_code_source")},
        11: {("级别", "unknown_level")},
    }
    assert all(e["message"] and e["cell"] for e in report["errors"])
    assert Region.objects.count() == before
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_regions", _file(tmp_path, text), stdout=StringIO(), stderr=StringIO())
    assert Region.objects.count() == before


def _file(directory: Path, text: str, encoding: str = "utf-8") -> str:
    path = directory / "regions.csv"
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_upsert_by_code_renames_moves_with_subtree_and_adds(world) -> None:  # type: ignore[no-untyped-def]
    Region.objects.filter(pk=world.village_a.pk).update(code="320614103201")
    text = HEADER + "\n".join(
        [
            "320614103000,常乐镇（新）,镇,,区办公室核定,,,,",  # rename + code source
            "320614103201,甲村,行政村,320614105000,,,,,",  # move 甲村 to 四甲镇 (given parent wins)
            f',二组,自然村,320614103201,,,,25,"{SQUARE}"',  # a new natural village with a boundary
            ",一组,自然村,320614103201,,,,40,",  # unchanged
        ]
    )
    dry = run(text, dry_run=True)
    assert (dry["would_create"], dry["would_update"], dry["unchanged"]) == (1, 2, 1), dry["errors"]
    report = run(text)
    assert (report["created"], report["updated"]) == (1, 2)
    town, village = Region.objects.get(pk=world.town_a.pk), Region.objects.get(pk=world.village_a.pk)
    assert (town.name, town.code_source) == ("常乐镇（新）", "office")
    assert village.parent_id == world.town_b.pk and village.path == f"{world.town_b.path}{village.pk}/"
    natural = Region.objects.get(pk=world.natural_a.pk)
    assert natural.path == f"{village.path}{natural.pk}/"
    new = Region.objects.get(name="二组")
    assert new.households == 25 and new.boundary.valid and new.geometry_quality == "surveyed"
    assert run(text)["unchanged"] == 4


def test_name_taken_under_the_parent_by_another_code_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    report = run(HEADER + "320614999000,常乐镇,镇,,,,,,\n")
    assert by_row(report) == {2: {("名称", "duplicate_name")}}


def test_district_code_keeps_other_districts_out(world) -> None:  # type: ignore[no-untyped-def]
    text = HEADER + "320684000000,老海门市,区,,,,,,\n320684101000,外镇,镇,,,,,,\n320614120000,新镇,镇,,,,,,\n"
    report = run(text, district_code="320614000000")
    assert by_row(report) == {2: {("区划代码", "outside_district")}, 3: {("区划代码", "outside_district")}}
    with pytest.raises(rt.RegionFileError) as exc:
        run(text, district_code="320699000000")
    assert exc.value.code == "unknown_district"


def test_xlsx_with_a_title_row_and_gbk_csv(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["海门区区划代码表"])
    ws.append(["名称", "区划代码", "级别"])
    ws.append(["新镇", 320614120, None])  # a 9-digit number cell; level from the code
    buf = io.BytesIO()
    wb.save(buf)
    report = regions_import(data=buf.getvalue(), filename="regions.xlsx")
    assert report["ok"] and report["created"] == 1, report["errors"]
    town = Region.objects.get(code="320614120000")
    assert (town.level, town.parent_id, town.town_kind) == ("town", world.district.pk, "town")

    gbk = HEADER + ",丙村,行政村,320614120000,,,,,\n"
    out = StringIO()
    call_command("import_regions", _file(tmp_path, gbk, encoding="gbk"), stdout=out)
    assert Region.objects.get(name="丙村").parent_id == town.pk


def test_a_code_wins_over_another_towns_alternative_code(world) -> None:  # type: ignore[no-untyped-def]
    # 常乐镇 is 320614106000 in another dataset, which is 余东镇's code at the NBS.
    yudong = RegionFactory(level="town", parent=world.district, name="余东镇", code="320614106000")
    Region.objects.filter(pk=world.town_b.pk).update(alt_codes=["320614111000"])
    text = HEADER + "\n".join(
        [
            "320614103000,常乐镇,镇,,,320614106000,,,",
            "320614106201,余东村,行政村,,,,,,",  # 320614106000: 余东镇's code, 常乐镇's alternative
            "320614111201,四甲一村,行政村,,,,,,",  # 320614111000: only 四甲镇's alternative code
        ]
    )
    assert run(text)["ok"]
    assert Region.objects.get(name="余东村").parent_id == yudong.pk
    assert Region.objects.get(name="四甲一村").parent_id == world.town_b.pk
