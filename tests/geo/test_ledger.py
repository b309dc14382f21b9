"""Sewage facility ledgers (台账): parsing, row errors, data-rule gaps, the town check, writer round trip."""

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal as D
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import coords
from geo.coords import Datum, LonLat
from geo.ledger import (
    FACILITY_STATUSES,
    FILE_ERROR_CODES,
    GAP_CODES,
    LEDGER_HEADERS,
    ROW_ERROR_CODES,
    LedgerFileError,
    LedgerResult,
    LedgerRow,
    LedgerRules,
    check_towns,
    gaps_by_town,
    is_outside,
    outside_message,
    parse_ledger,
    write_ledger,
)
from geo.models import FacilityStatus
from tests.sheets import HOSTILE, inert_xlsx

# ------------------------------------------------------------------------------------------- fixtures

CAP, FUNDING = "设计处理能力（吨/日）", "运维经费（万元/年）"
HEADER = [
    "序号", "区镇", "行政村", "自然村", "设施编码", "设施名称", CAP, "处理工艺", "服务户数",
    "经度", "纬度", "坐标系", "电表号", "运维单位", FUNDING, "状态", "投运日期", "备注",
]  # fmt: skip
GOOD = [
    ["包场镇农村生活污水处理设施台账（2022 年）"],
    HEADER,
    [1, "包场镇", "城河村", "一组(40)、二组（35）", "BC-001", "城河村一号站", "30", "A/O", "",
     121.38, 31.95, "", "3206001", "海门水务运维公司", "3.5", "在运行", "2021-06-30", ""],
    [2, "包场镇", "浩西村", "三组", "BC-002", "浩西村站", "8.5", "人工湿地", "20",
     121.39, 31.96, "WGS-84", "", "海门水务运维公司", "", "停运", "2021年6月", "待维修"],
    [3, "包场镇", "浩西村", "四组", "BC-003", "浩西村二号站", "3", "", "12",
     "", "", "", "", "", "", "", "", ""],
]  # fmt: skip


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ledger(*rows: list[object], header: list[str] = HEADER, **kw: Any) -> LedgerResult:
    return parse_ledger(csv_bytes([header, *rows]), "台账.csv", **kw)


def row(cap: object = "3", **cells: object) -> list[object]:
    """A data row for HEADER: a valid small facility unless overridden (by header text)."""
    values = {"区镇": "包场镇", "行政村": "城河村", "设施编码": "X-1", "设施名称": "站", CAP: cap, **cells}
    return [values.get(h, "") for h in HEADER]


def errors(result: LedgerResult) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.code) for e in result.errors]


def file_error(data: bytes, filename: str = "台账.csv") -> LedgerFileError:
    with pytest.raises(LedgerFileError) as exc:
        parse_ledger(data, filename)
    assert exc.value.code in FILE_ERROR_CODES and exc.value.message
    return exc.value


def test_status_keys_and_labels_mirror_the_model() -> None:
    assert dict(FacilityStatus.choices) == FACILITY_STATUSES
    assert "outside_town" in ROW_ERROR_CODES and {"coordinates_required", "meter_required"} <= GAP_CODES


# -------------------------------------------------------------------------------------- good ledgers


@pytest.mark.parametrize("kind", ["csv-gb18030", "csv-utf8-bom", "xlsx"])
def test_good_ledger_csv_and_xlsx(kind: str) -> None:
    if kind == "xlsx":
        r = parse_ledger(xlsx_bytes(GOOD), "台账.xlsx")
        assert (r.file_format, r.sheet) == ("xlsx", "Sheet")
    else:
        encoding = "gb18030" if kind == "csv-gb18030" else "utf-8-sig"
        r = parse_ledger(csv_bytes(GOOD, encoding), "台账.csv")
        assert (r.file_format, r.encoding) == ("csv", encoding)
    assert (r.ok, r.header_row, r.rows_read, r.error_count) == (True, 2, 3, 0)
    assert r.ignored_columns == ("序号", "备注")
    first, second, third = r.rows
    assert first == LedgerRow(
        3, "包场镇", "城河村", "BC-001", "城河村一号站", D(30), "A/O", (("一组", 40), ("二组", 35)),
        121.38, 31.95, Datum.WGS84, 121.38, 31.95, "3206001", "海门水务运维公司", D("3.5"), "in_service",
        date(2021, 6, 30),
    )  # fmt: skip
    assert (first.row, first.households, first.point) == (3, 75, LonLat(121.38, 31.95))
    assert (second.serves, second.status, second.commissioned_on) == (
        (("三组", 20),),
        "stopped",
        date(2021, 6, 1),
    )
    assert (third.capacity_tpd, third.point, third.status, third.funding) == (D(3), None, "in_service", None)
    # 8.5 t/d with coordinates and 3 t/d without: no rule applies; 30 t/d has coordinates and a meter.
    assert r.gaps == ()
    report = json.loads(json.dumps(r.as_dict(include_rows=True)))
    assert report["rows"][0]["capacity_tpd"] == "30" and report["rows"][0]["funding"] == "3.5"
    assert report["rows"][0]["commissioned_on"] == "2021-06-30" and report["rows"][0]["datum"] == "wgs84"
    assert report["rows"][0]["serves"] == [
        {"name": "一组", "households": 40},
        {"name": "二组", "households": 35},
    ]
    assert report["valid_rows"] == 3 and report["rules"]["meter_from_tpd"] == "20"


def test_header_aliases_units_and_tab_separated_csv() -> None:
    header = [
        "镇（街道）",
        "村（社区）",
        "服务自然村",
        "设施编号",
        "名称",
        "处理规模(t/d)",
        "受益户数",
        "运维经费(万元)",
    ]
    data = "\r\n".join(
        ["\t".join(header), "\t".join(["三星镇", "新东村", "一组", "SX-1", "站", "12", "9", "1"])]
    )
    r = parse_ledger(data.encode(), "x.csv")
    (only,) = r.rows
    assert (only.town, only.village, only.code, only.capacity_tpd, only.serves) == (
        "三星镇", "新东村", "SX-1", D(12), (("一组", 9),)
    )  # fmt: skip
    assert dict(r.columns)["capacity_tpd"] == ("处理规模(t/d)", 6)
    assert parse_ledger(data.replace("(t/d)", "（m³/d）").encode(), "x.csv").ok


def test_total_rows_and_blank_rows_are_skipped() -> None:
    r = ledger(
        row(),
        ["" for _ in HEADER],
        row(序号="合计", 设施编码="", 设施名称="", cap=33),
    )
    assert (r.ok, r.rows_read, len(r.rows)) == (True, 1, 1)


# ------------------------------------------------------------------------------- the bad ledger


def test_bad_ledger_errors_gaps_and_town_check() -> None:
    gcj = coords.wgs84_to_gcj02(LonLat(121.17, 31.90))  # 海门街道, as 高德 reports it
    r = ledger(
        row(设施编码="A-30", cap="30", 经度="121.38", 纬度="31.95"),  # 2: no meter
        row(设施编码="B-12", 区镇="临江镇", 行政村="稻香村", 经度="121.38", 纬度="31.95"),  # 3: in 包场镇
        row(设施编码="C-X", cap="二十吨"),  # 4: text in capacity
        row(设施编码="A-30", 设施名称="重复站"),  # 5: duplicate code
        row(设施编码="G-25", 区镇="海门街道", cap="25", 经度=gcj.lon, 纬度=gcj.lat, 坐标系="GCJ-02（高德）",
            电表号="M9"),  # 6: GCJ-02, converted
        row(设施编码="N-10", cap="10"),  # 7: 10 t/d, no coordinates
        row(设施编码="N-20", 区镇="临江镇", cap="20"),  # 8: ≥ 20 t/d, nothing
    )  # fmt: skip
    assert not r.ok and (r.rows_read, r.error_count, r.rows_with_errors) == (7, 2, 2)
    assert errors(r) == [(4, CAP, "not_a_number"), (5, "设施编码", "duplicate_code")]
    assert r.errors[1].message == "设施编码「A-30」与第 2 行重复" and r.errors[1].cell == "E5"
    assert [(g.row, g.town, g.code) for g in r.gaps] == [
        (2, "包场镇", "meter_required"),
        (7, "包场镇", "coordinates_required"),
        (8, "临江镇", "coordinates_required"),
        (8, "临江镇", "meter_required"),
    ]
    assert {t: [g.row for g in gs] for t, gs in gaps_by_town(r.gaps).items()} == {
        "包场镇": [2, 7],
        "临江镇": [8, 8],
    }
    g25 = next(x for x in r.rows if x.code == "G-25")
    assert g25.datum == "gcj02" and (g25.raw_lon, g25.raw_lat) == (gcj.lon, gcj.lat)
    assert coords.distance_m(g25.point, LonLat(121.17, 31.90)) < 1.0  # type: ignore[arg-type]
    assert 400 < coords.distance_m(g25.point, gcj) < 600  # type: ignore[arg-type]  # the Haimen shift

    # Town boundaries are the caller's: here a 3 km circle around each (made-up) town centre.
    centres = {
        "包场镇": LonLat(121.38, 31.95),
        "临江镇": LonLat(121.05, 31.93),
        "海门街道": LonLat(121.17, 31.9),
    }

    def distance(x: LedgerRow) -> float:
        return max(0.0, coords.distance_m(x.point, centres[x.town]) - 3000)  # type: ignore[arg-type]

    checked = check_towns(r, distance)
    assert errors(checked) == [(3, "经度", "outside_town"), *errors(r)]
    assert (checked.error_count, checked.rows_with_errors) == (3, 3)
    assert "临江镇" in checked.errors[0].message and checked.errors[0].cell == "J3"
    assert [x.code for x in checked.rows] == ["A-30", "G-25", "N-10", "N-20"]
    assert check_towns(r, distance, tolerance_m=50_000).error_count == 2
    as_gap = check_towns(r, distance, as_gap=True)
    assert as_gap.error_count == 2 and (3, "临江镇", "outside_town") in [
        (g.row, g.town, g.code) for g in as_gap.gaps
    ]


def test_dash_slash_and_none_cells_are_blank() -> None:
    (r,) = ledger(row(cap="30", 电表号="/", 经度="—", 纬度="—", 自然村="无", 投运日期="-")).rows
    assert (r.meter_number, r.point, r.serves, r.commissioned_on) == ("", None, (), None)
    assert [g.code for g in ledger(row(cap="30", 电表号="/")).gaps] == [
        "coordinates_required",
        "meter_required",
    ]


def test_rules_are_parameters() -> None:
    rules = LedgerRules(meter_from_tpd=D(10), coordinates_from_tpd=D(1))
    r = ledger(
        row(cap="3"),
        row(设施编码="Y", cap="10"),
        rules=rules,
    )
    assert [(g.row, g.code) for g in r.gaps] == [
        (2, "coordinates_required"),
        (3, "coordinates_required"),
        (3, "meter_required"),
    ]
    assert r.as_dict()["gap_count"] == 3


# ---------------------------------------------------------------------------------------- row errors


def test_missing_fields_numbers_and_coordinates() -> None:
    r = ledger(
        row(设施编码="", 设施名称="", 区镇="", 行政村="", 处理工艺="A/O", cap=""),
        row(设施编码="B", cap="-1", **{FUNDING: "三万"}, 服务户数="4.5", 自然村="一组"),
        row(设施编码="C", 经度="121.3"),
        row(设施编码="D", 经度="31.9", 纬度="121.3"),
        row(设施编码="E", 经度="东经121度", 纬度="31.9", 坐标系="北京54"),
        row(设施编码="F", 状态="报废了", 投运日期="去年"),
    )
    assert errors(r) == [
        (2, "区镇", "missing_town"), (2, "行政村", "missing_village"), (2, "设施编码", "missing_code"),
        (2, "设施名称", "missing_name"), (2, CAP, "missing_capacity"),
        (3, CAP, "negative_value"), (3, "服务户数", "not_a_number"),
        (3, FUNDING, "not_a_number"),
        (4, "纬度", "incomplete_coordinates"),
        (5, "经度", "coordinate_out_of_range"), (5, "纬度", "coordinate_out_of_range"),
        (6, "经度", "not_a_number"), (6, "坐标系", "unknown_datum"),
        (7, "状态", "unknown_status"), (7, "投运日期", "invalid_date"),
    ]  # fmt: skip
    assert r.rows == () and all(e.code in ROW_ERROR_CODES and e.message for e in r.errors)
    assert r.errors[5].value == "-1" and "填反" in r.errors[9].message


def test_max_errors_truncates_the_list_not_the_count() -> None:
    r = ledger(*[row(设施编码="", 设施名称="") for _ in range(5)], max_errors=3)
    assert (r.error_count, len(r.errors), r.as_dict()["errors_truncated"]) == (10, 3, True)


# ---------------------------------------------------------------------------------- natural villages


@pytest.mark.parametrize(
    ("villages", "households", "serves"),
    [
        ("", "", ()),
        ("一组", "", (("一组", None),)),
        ("一组", "40", (("一组", 40),)),
        ("一组(40)", "", (("一组", 40),)),
        ("一组(40)", "40", (("一组", 40),)),
        ("一组(40)、二组(35)", "", (("一组", 40), ("二组", 35))),
        ("一组（40）,二组（35）", "75", (("一组", 40), ("二组", 35))),
        ("一组（40户）；二组 (35)，三组(0)、", "", (("一组", 40), ("二组", 35), ("三组", 0))),
        ("一组、二组", "", (("一组", None), ("二组", None))),
    ],
)
def test_natural_village_lists(villages: str, households: str, serves: tuple[Any, ...]) -> None:
    r = ledger(row(自然村=villages, 服务户数=households))
    assert r.ok and r.rows[0].serves == serves


@pytest.mark.parametrize(
    ("villages", "households", "code", "column"),
    [
        ("一组(40)、二组(35)", "70", "households_mismatch", "服务户数"),
        ("一组(40)", "41", "households_mismatch", "服务户数"),
        ("一组(四十)", "", "invalid_natural_villages", "自然村"),
        ("一组(40)、二组", "", "invalid_natural_villages", "自然村"),
        ("一组、二组", "75", "invalid_natural_villages", "自然村"),
        ("一组(40)、一组(35)", "", "invalid_natural_villages", "自然村"),
        ("、", "", "invalid_natural_villages", "自然村"),
        ("", "40", "invalid_natural_villages", "自然村"),
    ],
)
def test_natural_village_errors(villages: str, households: str, code: str, column: str) -> None:
    assert errors(ledger(row(自然村=villages, 服务户数=households))) == [(2, column, code)]


# --------------------------------------------------------------------------- status, dates, datums


@pytest.mark.parametrize(
    ("text", "status"),
    [("", "in_service"), ("在运行", "in_service"), ("正常运行", "in_service"), ("停运", "stopped"),
     ("损坏无法修复", "beyond_repair"), ("在建 / 改建", "under_construction"), ("改建", "under_construction"),
     ("已退役 / 拆除", "retired"), ("拆除", "retired"), ("retired", "retired"),
     ("Under_Construction", "under_construction")],
)  # fmt: skip
def test_status(text: str, status: str) -> None:
    assert ledger(row(状态=text)).rows[0].status == status


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2021-06-30", date(2021, 6, 30)), ("2021/6/30", date(2021, 6, 30)), ("2021.6.30", date(2021, 6, 30)),
     ("2021年6月30日", date(2021, 6, 30)), ("2021年6月", date(2021, 6, 1)), ("2021-06", date(2021, 6, 1)),
     ("2021/6", date(2021, 6, 1)), ("20210630", date(2021, 6, 30)),
     ("2021-06-30 00:00:00", date(2021, 6, 30))],
)  # fmt: skip
def test_dates(text: str, expected: date) -> None:
    assert ledger(row(投运日期=text)).rows[0].commissioned_on == expected


@pytest.mark.parametrize("text", ["2021-13-01", "2021-02-30", "2021", "去年", "44377"])
def test_invalid_dates(text: str) -> None:
    assert errors(ledger(row(投运日期=text))) == [(2, "投运日期", "invalid_date")]


def test_xlsx_dates_numbers_and_serials() -> None:
    rows = [
        HEADER,
        row(投运日期=datetime(2021, 6, 30)),
        row(设施编码="Y", 投运日期=44377, 电表号=3206001, 服务户数=12.0, 自然村="一组"),
    ]
    a, b = parse_ledger(xlsx_bytes(rows), "x.xlsx").rows
    assert a.commissioned_on == b.commissioned_on == date(2021, 6, 30)
    assert (b.meter_number, b.serves) == ("3206001", (("一组", 12),))


@pytest.mark.parametrize(
    ("text", "datum"),
    [("", Datum.WGS84), ("WGS84", Datum.WGS84), ("GPS", Datum.WGS84), ("gcj02", Datum.GCJ02),
     ("火星坐标", Datum.GCJ02), ("腾讯地图", Datum.GCJ02), ("GCJ-02（高德 / 腾讯）", Datum.GCJ02),
     ("BD-09", Datum.BD09), ("百度", Datum.BD09), ("CGCS2000", Datum.CGCS2000), ("国家2000", Datum.CGCS2000),
     ("天地图", Datum.CGCS2000)],
)  # fmt: skip
def test_datums_convert_to_wgs84(text: str, datum: Datum) -> None:
    (r,) = ledger(row(经度="121.2", 纬度="31.9", 坐标系=text)).rows
    assert r.datum == datum and (r.raw_lon, r.raw_lat) == (121.2, 31.9)
    assert r.point == coords.to_wgs84(LonLat(121.2, 31.9), datum)


# ----------------------------------------------------------------------------------- writer, round trip


def test_writer_layout_and_dict_rows() -> None:
    wgs = LonLat(121.2, 31.9)
    data = write_ledger(
        [{"town": "临江镇", "village": "稻香村", "code": "001", "name": "=1+1", "capacity_tpd": D("12.50"),
          "lon": wgs.lon, "lat": wgs.lat, "datum": "gcj02", "serves": [("一组", 40), ("二组", 35)],
          "status": FacilityStatus.STOPPED}],
        title="临江镇农村生活污水处理设施台账",
    )  # fmt: skip
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "临江镇农村生活污水处理设施台账"
    assert tuple(c.value for c in ws[2]) == LEDGER_HEADERS
    assert [ws.cell(3, i).value for i in (3, 4, 5, 8, 11, 15)] == [
        "一组(40)、二组(35)",
        "001",
        "'=1+1",  # text, never a formula; read back as "=1+1"
        75,
        "GCJ-02",
        "停运",
    ]
    (back,) = parse_ledger(data, "x.xlsx").rows
    assert (back.code, back.name, back.capacity_tpd, back.datum, back.status) == (
        "001",
        "=1+1",
        D("12.5"),
        "gcj02",
        "stopped",
    )
    assert coords.distance_m(back.point, wgs) < 1.0 and back.raw_lon != wgs.lon  # type: ignore[arg-type]


def test_hostile_text_is_written_inert_and_read_back_as_it_was() -> None:
    hostile = {
        "town": "+临江镇", "village": "@稻香村", "code": "-001", "name": HOSTILE, "capacity_tpd": D("12.50"),
        "process": "＝A/O", "serves": [("=一组", 40)], "meter_number": "-", "operator": "'=某公司",
    }  # fmt: skip
    data = write_ledger([hostile], title=f"{HOSTILE}台账")
    rows = inert_xlsx(data)["台账"]
    assert rows[0][0] == f"'{HOSTILE}台账"
    assert rows[2][:5] == ["'+临江镇", "'@稻香村", "'=一组", "-001", f"'{HOSTILE}"]  # a numeral stays
    (back,) = parse_ledger(data, "台账.xlsx").rows
    assert (back.town, back.village, back.code, back.name) == ("+临江镇", "@稻香村", "-001", HOSTILE)
    assert (back.process, back.serves, back.operator) == ("=A/O", (("=一组", 40),), "'=某公司")
    assert back.meter_number == ""  # "-" is how a ledger says "no meter", before and after


def _calls(fn: Any) -> int:
    """Python-level calls made by ``fn()``: a measure of work that does not depend on the machine."""
    import sys

    count = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        count += event in ("call", "c_call")

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return count


def test_the_writer_does_work_in_proportion_to_the_rows() -> None:
    """Issue 13: a 24,000-facility export took 342 s — each row scanned every cell written before it
    (openpyxl's max_row / max_column). Counted, not timed: 4× the rows may cost 4× the calls, not 16×."""
    row = {"town": "常乐镇", "village": "甲村", "code": "WS-1", "name": "站", "capacity_tpd": D("12.5"),
           "serves": [("一组", 40)], "lon": 121.2, "lat": 31.9, "meter_number": "M1",
           "commissioned_on": date(2021, 6, 30)}  # fmt: skip
    small, large = (_calls(lambda n=n: write_ledger([row] * n, title="台账")) for n in (300, 1200))
    assert large / small < 4.5, (small, large)


def test_round_trip_of_the_good_ledger() -> None:
    r = parse_ledger(xlsx_bytes(GOOD), "台账.xlsx")
    again = parse_ledger(write_ledger(r.rows, title="台账"), "台账.xlsx")
    assert again.rows == r.rows and again.ok and again.header_row == 2


plain_text = st.text(alphabet="一二三组村站东西南北河港ABCHM0123456789", min_size=1, max_size=8)
# Names that a spreadsheet would take for a formula, or that look like one already written inert.
text = st.one_of(
    plain_text,
    st.tuples(st.sampled_from(["=", "+", "-", "@", "'=", "''+", "'"]), plain_text).map("".join),
)
optional_text = st.one_of(st.just(""), text)
counts = st.integers(min_value=0, max_value=9999)
serves = st.one_of(
    st.just(()),
    st.tuples(st.tuples(text, st.none() | counts)),
    st.lists(st.tuples(text, counts), min_size=2, max_size=4, unique_by=lambda t: t[0]).map(tuple),
    st.lists(st.tuples(text, st.none()), min_size=2, max_size=4, unique_by=lambda t: t[0]).map(tuple),
)
located = st.one_of(
    st.none(),
    # Eight decimals (about 1 mm): openpyxl writes 16 significant digits, Excel keeps 15.
    st.tuples(st.floats(120.5, 122.5), st.floats(31.5, 32.5), st.sampled_from(list(Datum))).map(
        lambda t: (round(t[0], 8), round(t[1], 8), t[2])
    ),
)


@st.composite
def ledger_rows(draw: st.DrawFn, index: int) -> LedgerRow:
    where = draw(located)
    lon = lat = raw_lon = raw_lat = None
    datum = draw(st.sampled_from(list(Datum)))
    if where is not None:
        raw_lon, raw_lat, datum = where
        p = coords.to_wgs84(LonLat(raw_lon, raw_lat), datum)
        lon, lat = p.lon, p.lat
    return LedgerRow(
        0, draw(text), draw(text), f"HM-{index:03d}{draw(optional_text)}", draw(text),
        draw(st.decimals(min_value=0, max_value=99999, places=2)), draw(optional_text), draw(serves),
        lon, lat, datum, raw_lon, raw_lat, draw(optional_text), draw(optional_text),
        draw(st.none() | st.decimals(min_value=0, max_value=9999, places=2)),
        draw(st.sampled_from(list(FACILITY_STATUSES))),
        draw(st.none() | st.dates(date(1990, 1, 1), date(2099, 12, 31))),
    )  # fmt: skip


@given(st.integers(1, 6).flatmap(lambda n: st.tuples(*(ledger_rows(i) for i in range(n)))))
@settings(max_examples=60, deadline=None)
def test_round_trip_property(rows: tuple[LedgerRow, ...]) -> None:
    r = parse_ledger(write_ledger(rows, title="台账"), "台账.xlsx")
    assert r.ok and r.rows == rows
    assert [x.row for x in r.rows] == list(range(3, 3 + len(rows)))


# ---------------------------------------------------------------------------------------- file errors


def test_file_level_errors() -> None:
    assert file_error(b"").code == "empty_file"
    assert file_error(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "台账.pdf").code == "unsupported_format"
    assert file_error(b"\x00\x01\x02binary", "台账.csv").code == "unsupported_format"
    assert (
        file_error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "台账.xls").code
        == "unsupported_format"
    )
    assert file_error(b"PK\x03\x04broken", "台账.xlsx").code == "unreadable_file"
    assert file_error("这不是表格\r\n只是一些文字\r\n".encode(), "台账.csv").code == "no_header"
    assert file_error(xlsx_bytes([["标题"], ["没有表头"]]), "台账.xlsx").code == "no_header"
    assert file_error(b"\xff\xfe\xfa", "t.csv").code in {"unsupported_encoding", "no_header"}
    assert file_error(csv_bytes([HEADER])).code == "empty_file"


@pytest.mark.parametrize(
    ("header", "code", "detail"),
    [
        (["区镇", "行政村", "设施名称", "设计处理能力"], "missing_column", ["设施编码"]),
        (["区镇", "行政村", "设施编码", "设施名称", "处理规模", "经度"], "missing_column", ["纬度"]),
        (["区镇", "行政村", "设施编码", "设施名称", "处理规模", "服务户数"], "missing_column", ["自然村"]),
        (["区镇", "镇（街道）", "行政村", "设施编码", "设施名称", "处理规模"], "duplicate_column",
         ["区镇", "镇（街道）"]),
        (["区镇", "行政村", "设施编码", "设施名称", "处理规模(L/d)"], "unknown_unit", "处理规模(L/d)"),
        (["区镇", "行政村", "设施编码", "设施名称", "处理规模", "运维经费(元/年)"], "unknown_unit",
         "运维经费(元/年)"),
    ],
)  # fmt: skip
def test_header_errors(header: list[str], code: str, detail: object) -> None:
    err = file_error(csv_bytes([header, ["x"] * len(header)]))
    assert err.code == code
    assert err.details.get("missing", err.details.get("columns", err.details.get("column"))) == detail
    assert err.as_dict()["code"] == code


def test_too_many_rows() -> None:
    with pytest.raises(LedgerFileError) as exc:
        ledger(*[row(设施编码=str(i)) for i in range(4)], max_rows=3)
    assert exc.value.code == "too_many_rows"


@given(
    distance=st.one_of(st.none(), st.floats(min_value=0, max_value=1e6)),
    tolerance=st.floats(min_value=0, max_value=1e4),
)
def test_the_containment_rule_is_one_function(distance: float | None, tolerance: float) -> None:
    # What the registry's facility forms apply, and check_towns: strictly farther than the tolerance,
    # and never outside without a boundary (None).
    assert is_outside(distance, tolerance) == (distance is not None and distance > tolerance)
    assert outside_message("临江镇", 612.4, 500) == (
        "坐标不在临江镇范围内（相距约 612 米，容差 500 米），请核对经纬度、坐标系或所属区镇"
    )
    assert outside_message("甲村", 612.4, 500, level="行政村").endswith("所属行政村")
