"""Water-quality measurement uploads: CSV / XLSX, wide / long, units, censored values, row errors (pure)."""

import io
import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.water.parsing import (
    FILE_ERROR_CODES,
    ROW_ERROR_CODES,
    MeasurementFileError,
    ParseResult,
    Record,
    keys,
    match_indicator,
    parse_measurements,
    unit_factor,
)

SH = ZoneInfo("Asia/Shanghai")
KNOWN = {"HH01": "HH01", "海洪大桥": "HH01", "HL02": "HL02", "货隆大桥": "HL02"}
T8 = datetime(2022, 9, 20, 8, tzinfo=SH)


# ------------------------------------------------------------------------------------------- fixtures


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8", sep: str = ",") -> bytes:
    text = "\r\n".join(sep.join("" if c is None else str(c) for c in row) for row in rows) + "\r\n"
    return text.encode(encoding)


def xlsx_bytes(*sheets: tuple[str, list[list[object]]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse(data: bytes, filename: str = "m.csv", **kw: object) -> ParseResult:
    kw.setdefault("known_sections", KNOWN)
    kw.setdefault("tz", SH)
    return parse_measurements(data, filename, **kw)  # type: ignore[arg-type]


def parse_csv(rows: list[list[object]], **kw: object) -> ParseResult:
    return parse(csv_bytes(rows), **kw)


def values(result: ParseResult) -> dict[tuple[str, datetime, str], tuple[D, bool]]:
    return {r.key: (r.value, r.below_detection) for r in result.records}


def error_list(result: ParseResult) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.code) for e in result.errors]


def file_error(data: bytes, filename: str = "m.csv", **kw: object) -> MeasurementFileError:
    with pytest.raises(MeasurementFileError) as exc:
        parse(data, filename, **kw)
    assert exc.value.code in FILE_ERROR_CODES and exc.value.message
    return exc.value


WIDE = [
    ["断面名称", "监测时间", "pH", "溶解氧(mg/L)", "氨氮(mg/L)", "汞(μg/L)", "站点状态", "备注"],
    ["海洪大桥", "2022-09-20 08:00", "7.2", "6.5", "0.35", "0.05", "正常", ""],
    ["货隆大桥", "2022/9/20 9:00", "7.9", "", "0.4", "", "正常", "缺测"],
]


# ----------------------------------------------------------------------------------------- wide / csv


def test_wide_csv_records_in_table_units_with_ignored_columns_and_summary() -> None:
    r = parse_csv(WIDE)
    assert (r.ok, r.layout, r.file_format, r.encoding, r.header_row, r.rows_read) == (
        True, "wide", "csv", "utf-8", 1, 2
    )  # fmt: skip
    assert r.ignored_columns == ("站点状态", "备注")
    t9 = datetime(2022, 9, 20, 9, tzinfo=SH)
    assert values(r) == {
        ("HH01", T8, "ph"): (D("7.2"), False),
        ("HH01", T8, "do"): (D("6.5"), False),
        ("HH01", T8, "nh3n"): (D("0.35"), False),
        ("HH01", T8, "hg"): (D("0.00005"), False),
        ("HL02", t9, "ph"): (D("7.9"), False),
        ("HL02", t9, "nh3n"): (D("0.4"), False),
    }
    assert [x.source_row for x in r.records] == [2, 2, 2, 2, 3, 3]
    s = r.summary
    assert (s.records, s.first, s.last) == (6, T8, t9)
    assert dict(s.indicators) == {"ph": 2, "do": 1, "nh3n": 2, "hg": 1}
    assert dict(s.sections["HL02"].indicators) == {"ph": 1, "nh3n": 1}
    assert (s.sections["HH01"].records, s.sections["HH01"].first) == (4, T8)


def test_microgram_per_litre_is_divided_by_1000_exactly() -> None:
    for header in ("汞(μg/L)", "汞(µg/L)", "汞（ug/L）", "汞[μg/l]", "汞 μg/L", "Hg(微克/升)"):
        r = parse_csv([["断面编码", "监测时间", header], ["HH01", "2022-09-20 08:00", "0.05"]])
        (rec,) = r.records
        assert rec.value == D("0.00005") and str(rec.value) == "0.00005", header
        assert rec.as_dict()["value"] == "0.00005" and rec.as_dict()["unit"] == "mg/L"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_encodings_give_the_same_records(encoding: str) -> None:
    sep = "\t" if encoding == "utf-16" else ","
    r = parse(csv_bytes(WIDE, encoding, sep))
    assert r.records == parse_csv(WIDE).records
    assert r.encoding == {"utf-8-sig": "utf-8-sig", "utf-16": "utf-16"}.get(encoding, encoding)
    assert r.ignored_columns == ("站点状态", "备注")


def test_semicolon_separated_and_quoted_multiline_cells_keep_record_numbers() -> None:
    data = (
        '断面编码;监测时间;氨氮;备注\r\nHH01;2022-09-20 08:00;0.3;"第一行\n第二行"\r\n'
        "HH01;2022-09-20 09:00;x;\r\n"
    )
    r = parse(data.encode())
    assert error_list(r) == [(3, "氨氮", "not_a_number")]


ALL_HEADERS = {
    "pH": "ph", "水温(℃)": "temp", "溶解氧(mg/L)": "do", "高锰酸盐指数": "codmn", "化学需氧量": "cod",
    "COD": "cod", "五日生化需氧量": "bod5", "BOD5": "bod5", "氨氮(mg/L)": "nh3n", "总磷": "tp", "总氮": "tn",
    "铜": "cu", "锌": "zn", "氟化物": "f", "硒": "se", "砷": "as", "汞(μg/L)": "hg", "镉": "cd",
    "六价铬": "cr6", "铅": "pb", "氰化物": "cn", "挥发酚": "phenol", "石油类": "oil",
    "阴离子表面活性剂": "las", "硫化物": "s2", "粪大肠菌群(个/L)": "fcoli", "电导率(μS/cm)": "cond",
    "浊度(NTU)": "turb", "NH3-N": "nh3n", "nh3n": "nh3n", "CODMn": "codmn", "化学需氧量(COD)": "cod",
    "铬(六价)": "cr6", "DO": "do", "TP": "tp",
}  # fmt: skip


@pytest.mark.parametrize(("header", "key"), ALL_HEADERS.items())
def test_every_indicator_header_maps_to_its_engine_key(header: str, key: str) -> None:
    assert match_indicator(header)[0] == key
    r = parse_csv([["断面编码", "监测时间", header], ["HH01", "2022-09-20 08:00", "3"]])
    assert [x.indicator for x in r.records] == [key] and r.ok


@pytest.mark.parametrize("header", ["断面编码", "断面代码", "断面名称", "断面", "section", "section_code"])
@pytest.mark.parametrize("value", ["HH01", "海洪大桥"])
def test_section_aliases(header: str, value: str) -> None:
    r = parse_csv([[header, "监测时间", "氨氮"], [value, "2022-09-20 08:00", "0.3"]])
    assert [x.section_code for x in r.records] == ["HH01"]


@pytest.mark.parametrize(
    "header", ["监测时间", "采样时间", "时间", "日期", "sampled_at", "time", "Sampled At"]
)
def test_time_aliases(header: str) -> None:
    r = parse_csv([["断面编码", header, "氨氮"], ["HH01", "2022-09-20 08:00", "0.3"]])
    assert [x.sampled_at for x in r.records] == [T8]


def test_section_code_and_name_columns_must_agree() -> None:
    r = parse_csv(
        [
            ["断面名称", "断面编码", "监测时间", "氨氮"],
            ["海洪大桥", "HH01", "2022-09-20 08:00", "0.3"],
            ["", "HL02", "2022-09-20 08:00", "0.3"],
            ["海洪大桥", "HL02", "2022-09-20 09:00", "0.3"],
            ["", "", "2022-09-20 10:00", "0.3"],
        ]
    )
    assert error_list(r) == [(4, "断面名称", "section_conflict"), (5, "断面编码", "missing_section")]
    assert [(x.section_code, x.source_row) for x in r.records] == [("HH01", 2), ("HL02", 3)]


# --------------------------------------------------------------------------------------------- values


def test_censored_forms_keep_the_reported_value_and_the_flag() -> None:
    r = parse_csv(
        [
            ["断面编码", "监测时间", "氨氮", "总磷", "石油类", "挥发酚", "汞(μg/L)"],
            ["HH01", "2022-09-20 08:00", "ND", "未检出", "<0.01", "0.0003L", "＜0.01"],
        ],
        detection_limits={"nh3n": D("0.025"), "tp": D("0.01")},
    )
    assert r.ok
    got = {k[2]: v for k, v in values(r).items()}
    assert got == {
        "nh3n": (D("0.025"), True),  # the detection limit given by the caller (table unit)
        "tp": (D("0.01"), True),
        "oil": (D("0.01"), True),
        "phenol": (D("0.0003"), True),
        "hg": (D("0.00001"), True),  # "<0.01" μg/L → 0.00001 mg/L
    }
    assert r.summary.below_detection == 5


def test_nd_without_a_detection_limit_and_censored_ph_are_errors() -> None:
    r = parse_csv(
        [["断面编码", "监测时间", "氨氮", "pH", "水温"], ["HH01", "2022-09-20 08:00", "ND", "ND", "<1"]]
    )
    assert [(e.column, e.code) for e in r.errors] == [
        ("氨氮", "detection_limit_required"),
        ("pH", "censored_not_allowed"),
        ("水温", "censored_not_allowed"),
    ]
    assert r.records == ()


def test_blank_and_dash_cells_are_not_measured_and_empty_rows_are_skipped() -> None:
    r = parse_csv(
        [
            ["断面编码", "监测时间", "氨氮", "总磷", "备注"],
            ["HH01", "2022-09-20 08:00", "-", "0.1", ""],
            ["HH01", "2022-09-20 09:00", "—", "/", "停电"],  # nothing measured: no record, no error
            [None, None, None, None, None],
            ["HH01", "2022-09-20 10:00", " ", "0.2", ""],
        ]
    )
    assert r.ok and r.rows_read == 3
    assert [(x.indicator, x.source_row) for x in r.records] == [("tp", 2), ("tp", 5)]


def test_unit_conversions_for_coliforms_conductivity_temperature_and_turbidity() -> None:
    r = parse_csv(
        [
            [
                "断面编码",
                "监测时间",
                "粪大肠菌群(MPN/100mL)",
                "电导率(mS/cm)",
                "水温(°C)",
                "浊度(NTU)",
                "铜(mg/L)",
            ],
            ["HH01", "2022-09-20 08:00", "230", "0.512", "-0.5", "12.3", "0.004"],
        ]
    )
    got = {k[2]: v[0] for k, v in values(r).items()}
    assert got == {"fcoli": D(2300), "cond": D(512), "temp": D("-0.5"), "turb": D("12.3"), "cu": D("0.004")}
    assert unit_factor("fcoli", "个/L") == 1 and unit_factor("hg", "g/L") is None
    assert unit_factor("turb", "FNU") is None and unit_factor("ph", "") == 1


# ------------------------------------------------------------------------------------------ bad files


def test_the_bad_file_from_the_issue_gives_exactly_these_row_errors() -> None:
    r = parse_csv(
        [
            ["断面名称", "监测时间", "pH", "溶解氧(mg/L)", "氨氮(mg/L)", "总磷(g/L)", "备注"],
            ["海洪大桥", "2022-09-20 08:00", "7.1", "6.2", "0.30", "0.1", ""],
            ["海洪大桥", "2022-09-20 09:00", "7.0", "abc", "0.31", "", ""],
            ["海洪大桥", "2022-09-20 10:00", "7.0", "6.0", "-0.2", "", ""],
            ["海洪大桥", "2022-09-20 11:00", "15", "6.0", "0.2", "", ""],
            ["不存在的断面", "2022-09-20 12:00", "7.0", "6.0", "0.2", "", ""],
            ["海洪大桥", "2022-09-20 08:00", "7.2", "", "", "", "重复"],
            ["货隆大桥", "2022-09-20 08:00", "7.3", "5.9", "0.5", "", ""],
        ]
    )
    assert error_list(r) == [
        (1, "总磷(g/L)", "unknown_unit"),
        (3, "溶解氧(mg/L)", "not_a_number"),
        (4, "氨氮(mg/L)", "negative_value"),
        (5, "pH", "ph_out_of_range"),
        (6, "断面名称", "unknown_section"),
        (7, "pH", "duplicate_in_file"),
    ]
    assert not r.ok and r.error_count == 6 and r.rows_with_errors == 5 and r.rows_read == 7
    assert "第 2 行" in r.errors[-1].message and r.errors[-1].value == "7.2"
    assert r.errors[1].cell == "D3" and r.errors[1].value == "abc"
    assert all(e.code in ROW_ERROR_CODES and e.message for e in r.errors)
    # Only rows without errors remain ("import the valid rows only"); the 总磷 column is skipped.
    assert sorted({x.source_row for x in r.records}) == [2, 8]
    assert {x.indicator for x in r.records} == {"ph", "do", "nh3n"}


def test_long_layout_bad_rows() -> None:
    r = parse_csv(
        [
            ["断面编码", "采样时间", "指标", "数值", "单位", "标识"],
            ["HH01", "2022-09-20", "氨氮", "0.3", "mg/L", ""],
            ["HH01", "2022-09-20", "汞", "0.05", "ng/L", ""],
            ["HH01", "2022-09-20", "总磷", "0.1", "mg/L", "D"],
            ["HH01", "2022-09-20", "", "0.1", "mg/L", ""],
            ["HH01", "2022-09-20", "氨氮", "0.4", "mg/L", ""],
            ["HH01", "2022-09-20", "叶绿素a", "12", "μg/L", ""],
            ["HH01", "昨天", "总氮", "1.2", "", ""],
        ]
    )
    assert error_list(r) == [
        (3, "单位", "unknown_unit"),
        (4, "标识", "unknown_flag"),
        (5, "指标", "missing_indicator"),
        (6, "数值", "duplicate_in_file"),
        (8, "采样时间", "invalid_time"),
    ]
    assert r.ignored_indicators == ("叶绿素a",) and r.ignored_columns == ()
    assert [(x.indicator, x.source_row) for x in r.records] == [("nh3n", 2)]


def test_max_errors_keeps_the_first_ones_and_counts_all() -> None:
    rows = [["断面编码", "监测时间", "氨氮"]] + [["HH01", f"2022-09-20 {h:02d}:00", "x"] for h in range(10)]
    r = parse_csv(rows, max_errors=3)
    assert [e.row for e in r.errors] == [2, 3, 4] and r.error_count == 10 and r.errors_truncated
    assert r.as_dict()["errors_truncated"] is True


# ---------------------------------------------------------------------------------------- long layout


@pytest.mark.parametrize(
    ("indicator", "value", "unit", "flag"),
    [
        ("指标", "数值", "单位", "标识"),
        ("项目", "监测值", "unit", "flag"),
        ("indicator", "value", "Unit", "Flag"),
    ],
)
def test_long_layout_aliases_flags_and_units(indicator: str, value: str, unit: str, flag: str) -> None:
    r = parse_csv(
        [
            ["section", "time", indicator, value, unit, flag, "备注"],
            ["HH01", "2022-09-20 08:00", "氨氮", "0.35", "mg/L", "", ""],
            ["HH01", "2022-09-20 08:00", "汞", "0.05", "μg/L", "", ""],
            ["HH01", "2022-09-20 08:00", "总磷", "0.01", "mg/L", "ND", ""],
            ["HH01", "2022-09-20 08:00", "石油类", "0.01", "", "L", ""],
            ["HH01", "2022-09-20 08:00", "挥发酚", "0.0003", "", "<", ""],
            ["HH01", "2022-09-20 08:00", "氰化物", "", "", "ND", ""],
            ["HH01", "2022-09-20 08:00", "铅(μg/L)", "2.5", "", "", ""],
            ["HH01", "2022-09-20 08:00", "COD", "未检出", "", "", ""],
        ],
        detection_limits={"cn": D("0.004"), "cod": D("4")},
    )
    assert r.layout == "long" and r.ok, r.errors
    assert {k[2]: v for k, v in values(r).items()} == {
        "nh3n": (D("0.35"), False),
        "hg": (D("0.00005"), False),
        "tp": (D("0.01"), True),
        "oil": (D("0.01"), True),
        "phenol": (D("0.0003"), True),
        "cn": (D("0.004"), True),
        "pb": (D("0.0025"), False),
        "cod": (D("4"), True),
    }
    assert r.ignored_columns == ("备注",)


def test_long_layout_xlsx_with_numbers_and_datetimes() -> None:
    data = xlsx_bytes(
        (
            "数据",
            [
                ["断面编码", "监测时间", "指标", "数值", "单位"],
                ["HH01", datetime(2022, 9, 20, 8), "氨氮", 0.35, "mg/L"],
                ["HH01", datetime(2022, 9, 20, 8), "汞", 0.05, "μg/L"],
                ["HH01", datetime(2022, 9, 20, 8), "pH", 15, None],
            ],
        )
    )
    r = parse(data, "m.xlsx")
    assert (r.file_format, r.sheet, r.layout) == ("xlsx", "数据", "long")
    assert values(r) == {("HH01", T8, "nh3n"): (D("0.35"), False), ("HH01", T8, "hg"): (D("0.00005"), False)}
    assert error_list(r) == [(4, "数值", "ph_out_of_range")]


# --------------------------------------------------------------------------------------------- xlsx


def test_xlsx_skips_a_sheet_without_header_and_a_title_row_and_reports_sheet_rows() -> None:
    data = xlsx_bytes(
        ("说明", [["本表为海门区地表水自动站小时数据"], ["单位：mg/L"]]),
        (
            "小时数据",
            [
                ["海门区水质自动站小时数据（2022年9月）"],
                [],
                ["断面编码", "监测时间", "pH", "溶解氧", "氨氮(mg/L)", "汞(μg/L)", "站点状态"],
                [320684, datetime(2022, 9, 20, 8), 7.2, 6.5, 0.35, 0.05, "正常"],
                [],
                ["HH01", datetime(2022, 9, 20, 9), 7.1, "故障", 0.3, None, "维护"],
                ["HH01", "2022/9/20 10:00", 7, 6, 0.3, None, "正常"],
            ],
        ),
    )
    r = parse(data, "hourly.xlsx", known_sections={**KNOWN, "320684": "HH01"})
    assert (r.sheet, r.header_row, r.rows_read, r.layout) == ("小时数据", 3, 3, "wide")
    assert error_list(r) == [(6, "溶解氧", "not_a_number")]
    assert r.errors[0].cell == "D6"
    assert r.ignored_columns == ("站点状态",)
    assert values(r) == {
        ("HH01", T8, "ph"): (D("7.2"), False),
        ("HH01", T8, "do"): (D("6.5"), False),
        ("HH01", T8, "nh3n"): (D("0.35"), False),
        ("HH01", T8, "hg"): (D("0.00005"), False),
        ("HH01", T8 + timedelta(hours=2), "ph"): (D(7), False),
        ("HH01", T8 + timedelta(hours=2), "do"): (D(6), False),
        ("HH01", T8 + timedelta(hours=2), "nh3n"): (D("0.3"), False),
    }


def test_xlsx_date_column_plus_time_column_are_combined() -> None:
    data = xlsx_bytes(
        (
            "lab",
            [
                ["断面名称", "采样日期", "时间", "化学需氧量"],
                ["海洪大桥", datetime(2022, 9, 20), "08:00", 12],
                ["海洪大桥", datetime(2022, 9, 21), None, 13],  # a lab's daily sample: midnight
                ["海洪大桥", "2022-09-22 08:00", "09:00", 14],
            ],
        )
    )
    r = parse(data, "lab.xlsx")
    assert [x.sampled_at for x in r.records] == [T8, datetime(2022, 9, 21, tzinfo=SH)]
    assert error_list(r) == [(4, "时间", "time_conflict")]


def test_xlsx_serial_number_dates_and_numeric_section_codes() -> None:
    data = xlsx_bytes(
        ("s", [["断面编码", "监测时间", "氨氮"], [320684, 44824 + 1 / 3, 0.3], [320684.0, 12, 0.3]])
    )
    r = parse(data, "m.xlsx", known_sections={"320684": "HH01"})
    assert [(x.section_code, x.sampled_at) for x in r.records] == [("HH01", T8)]
    assert error_list(r) == [(3, "监测时间", "invalid_time")]


# ---------------------------------------------------------------------------------------------- time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-09-20 08:00", T8),
        ("2022/9/20 8:00", T8),
        ("2022-09-20 08:00:00", T8),
        ("2022-09-20T08:00:00", T8),
        ("2022年9月20日 8时", T8),
        ("2022-09-20", datetime(2022, 9, 20, tzinfo=SH)),
        ("2022-09-20T08:00:00+08:00", T8),
        ("2022-09-20T00:00:00Z", datetime(2022, 9, 20, tzinfo=UTC)),
        ("2022-09-20 08:00+0530", datetime(2022, 9, 20, 8, tzinfo=timezone(timedelta(hours=5, minutes=30)))),
    ],
)
def test_time_formats(text: str, expected: datetime) -> None:
    (rec,) = parse_csv([["断面编码", "监测时间", "氨氮"], ["HH01", text, "0.3"]]).records
    assert rec.sampled_at == expected and rec.sampled_at.utcoffset() == expected.utcoffset()


def test_naive_times_are_shanghai_and_an_explicit_offset_is_kept() -> None:
    r = parse_csv(
        [
            ["断面编码", "监测时间", "氨氮"],
            ["HH01", "2022-09-20 08:00", "0.3"],
            ["HL02", "2022-09-20T08:00:00+00:00", "0.3"],
            ["HH01", "2022-09-20T00:00:00Z", "0.4"],  # the same instant as row 2
            ["HH01", "2022-09-31 08:00", "0.4"],
            ["HH01", "08:00", "0.4"],
            ["HH01", "", "0.4"],
        ]
    )
    first, second = r.records
    assert first.sampled_at.isoformat() == "2022-09-20T08:00:00+08:00" and first.sampled_at.tzinfo == SH
    assert second.sampled_at.isoformat() == "2022-09-20T08:00:00+00:00"
    assert error_list(r) == [
        (4, "氨氮", "duplicate_in_file"),
        (5, "监测时间", "invalid_time"),
        (6, "监测时间", "invalid_time"),
        (7, "监测时间", "missing_time"),
    ]


# ----------------------------------------------------------------------------------------- file-level


def test_file_level_errors() -> None:
    header_only = csv_bytes([["断面编码", "监测时间", "氨氮"]])
    no_section = csv_bytes([["监测时间", "氨氮", "总磷"], ["2022-09-20", "1", "1"]])
    no_time = csv_bytes([["断面编码", "氨氮", "总磷"], ["HH01", "1", "1"]])
    no_indicator = csv_bytes([["断面编码", "监测时间", "备注"], ["HH01", "2022-09-20", "x"]])
    twice = csv_bytes([["断面编码", "监测时间", "COD", "化学需氧量"], ["HH01", "2022-09-20", "1", "1"]])
    no_header = csv_bytes([["a", "b"], ["1", "2"]])
    cases = [
        (b"", "m.csv", "empty_file"),
        (b"  \r\n", "m.csv", "empty_file"),
        (header_only, "m.csv", "empty_file"),
        (no_header, "m.csv", "no_header"),
        (no_section, "m.csv", "missing_column"),
        (no_time, "m.csv", "missing_column"),
        (no_indicator, "m.csv", "missing_column"),
        (twice, "m.csv", "duplicate_column"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls", "unsupported_format"),
        (b"%PDF-1.7 ...", "report.pdf", "unsupported_format"),
        (b"\x89PNG\r\n\x1a\n\0\0\0", "m.csv", "unsupported_format"),
        (b"PK\x03\x04 not really a zip", "m.xlsx", "unreadable_file"),
        (b"not a zip at all", "m.xlsx", "unreadable_file"),
        (b"\x81\x30\xff\xff\x80", "m.csv", "unsupported_encoding"),  # neither UTF-8 nor GB18030
        (xlsx_bytes(("a", [["x", "y"], [1, 2]])), "m.xlsx", "no_header"),
    ]
    for data, name, code in cases:
        assert file_error(data, name).code == code, (data[:20], name)
    exc = file_error(no_section)
    assert exc.details["missing"] and exc.as_dict()["code"] == "missing_column"
    assert file_error(twice).details["columns"] == ["COD", "化学需氧量"]


def test_row_cap_is_a_file_level_error() -> None:
    rows = [["断面编码", "监测时间", "氨氮"]] + [["HH01", f"2022-09-20 {h:02d}:00", "0.1"] for h in range(5)]
    assert parse_csv(rows, max_rows=5).rows_read == 5
    exc = file_error(csv_bytes(rows), max_rows=4)
    assert (exc.code, exc.details["max_rows"], exc.details["row"]) == ("too_many_rows", 4, 6)


# ---------------------------------------------------------------------------------------------- api


def test_keys_and_json_report() -> None:
    r = parse_csv(WIDE)
    assert keys(r.records) == {x.key for x in r.records} and ("HH01", T8, "hg") in keys(r.records)
    report = json.loads(json.dumps(r.as_dict(include_records=True)))
    assert report["layout"] == "wide" and report["valid_records"] == 6 and report["ok"] is True
    assert report["summary"]["first"] == "2022-09-20T08:00:00+08:00"
    assert {s["section_code"] for s in report["summary"]["sections"]} == {"HH01", "HL02"}
    assert report["records"][3] == {
        "section_code": "HH01",
        "sampled_at": "2022-09-20T08:00:00+08:00",
        "indicator": "hg",
        "value": "0.00005",
        "unit": "mg/L",
        "below_detection": False,
        "source_row": 2,
    }
    assert "records" not in r.as_dict()
    assert r.records[0].reading.value == D("7.2")


# ------------------------------------------------------------------------------------------ properties

COLUMNS = (("pH", "ph", 14), ("溶解氧(mg/L)", "do", 20), ("氨氮(mg/L)", "nh3n", 50), ("汞(μg/L)", "hg", 10))


@st.composite
def wide_tables(draw: st.DrawFn) -> list[tuple[str, datetime, list[D | None]]]:
    slots = draw(
        st.lists(
            st.tuples(st.sampled_from(["HH01", "HL02"]), st.integers(0, 24 * 90)),
            unique=True,
            min_size=1,
            max_size=12,
        )
    )
    rows = []
    for section, hour in slots:
        vals = [
            draw(st.none() | st.decimals(0, cap, places=3, allow_nan=False, allow_infinity=False))
            for _, _, cap in COLUMNS
        ]
        rows.append((section, datetime(2022, 1, 1) + timedelta(hours=hour), vals))
    return rows


@settings(max_examples=30, deadline=None)
@given(wide_tables())
def test_round_trip_wide_table_via_csv_and_xlsx(table: list[tuple[str, datetime, list[D | None]]]) -> None:
    header = ["断面编码", "监测时间", *(h for h, _, _ in COLUMNS)]
    expected = []
    for i, (section, when, vals) in enumerate(table, start=2):
        for (_, key, _), v in zip(COLUMNS, vals, strict=True):
            if v is not None:
                value = v * D("0.001") if key == "hg" else v
                expected.append(Record(section, when.replace(tzinfo=SH), key, value, False, i))
    csv_rows = [header] + [
        [s, w.strftime("%Y-%m-%d %H:%M"), *(None if v is None else format(v, "f") for v in vals)]
        for s, w, vals in table
    ]
    xlsx_rows = [header] + [[s, w, *(None if v is None else float(v) for v in vals)] for s, w, vals in table]
    for r in (parse(csv_bytes(csv_rows)), parse(xlsx_bytes(("s", xlsx_rows)), "m.xlsx")):
        assert r.ok and r.rows_read == len(table) and list(r.records) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_any_cell_text_is_a_record_or_a_row_error_never_a_crash(text: str) -> None:
    cell = "".join(" " if c in ',"\r\n\0' else c for c in text)
    r = parse_csv([["断面编码", "监测时间", "氨氮", "pH"], ["HH01", "2022-09-20 08:00", cell, "7"]])
    if r.ok:  # blank / a dash → not measured; else a number or a censored form
        assert {x.indicator for x in r.records} in ({"ph"}, {"ph", "nh3n"})
    else:
        assert r.records == () and all(e.code in ROW_ERROR_CODES for e in r.errors)
