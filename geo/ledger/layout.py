"""The ledger's layout: its columns and header aliases, the error and gap codes, facility statuses and
datums as written, and the seed's data rules (``LedgerRules``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from geo.coords import Datum
from kernel import tables

DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_ERRORS = 10_000
HEADER_SCAN_ROWS = tables.HEADER_SCAN_ROWS
CSV, XLSX = tables.CSV, tables.XLSX

# kernel.tables.FILE_ERROR_CODES (empty_file, unsupported_format, unreadable_file, unsupported_encoding,
# no_header) and:
FILE_ERROR_CODES = tables.FILE_ERROR_CODES | frozenset(
    {
        "missing_column",  # no code / name / town / village / capacity column; lon without lat …
        "duplicate_column",
        "unknown_unit",  # 处理规模(L/d), 运维经费(元/年) …
        "too_many_rows",
    }
)
ROW_ERROR_CODES = frozenset(
    {
        "missing_code",
        "duplicate_code",  # on the later row
        "missing_name",
        "missing_town",
        "missing_village",
        "missing_capacity",
        "not_a_number",  # text in capacity / households / funding / longitude / latitude
        "negative_value",
        "value_too_large",  # more than the registry holds (capacity, funding, households)
        "coordinate_out_of_range",  # outside China's box (lng 73.66–135.05, lat 3.86–53.55)
        "incomplete_coordinates",  # only one of longitude / latitude
        "unknown_datum",
        "unknown_status",
        "invalid_date",
        "households_mismatch",  # 服务户数 ≠ the sum of the natural-village list
        "invalid_natural_villages",  # unparseable list, repeated name, households without a village
        "outside_town",  # added by check_towns
    }
)
GAP_CODES = frozenset({"coordinates_required", "meter_required", "outside_town"})

# field → header aliases; the first one is what write_ledger writes.
LEDGER_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "town": ("区镇", "镇（街道）", "镇街", "乡镇", "镇", "街道", "town"),
    "village": ("行政村", "村（社区）", "村", "社区", "village"),
    "natural_villages": ("自然村", "服务自然村", "natural_villages", "natural_village"),
    "code": ("设施编码", "设施编号", "设施代码", "code", "facility_code"),
    "name": ("设施名称", "名称", "name"),
    "capacity_tpd": (
        "设计处理能力（吨/日）",
        "处理规模(t/d)",
        "设计处理能力",
        "处理规模",
        "处理能力",
        "capacity_tpd",
    ),
    "process": ("处理工艺", "工艺", "process"),
    "households": ("服务户数", "受益户数", "户数", "households"),
    "lon": ("经度", "lon", "lng", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "datum": ("坐标系", "坐标系统", "datum"),
    "meter_number": ("电表号", "独立电表号", "电表编号", "meter_number", "meter"),
    "operator": ("运维单位", "运维公司", "operator"),
    "funding": ("运维经费（万元/年）", "运维经费", "funding"),
    "status": ("状态", "运行状态", "status"),
    "commissioned_on": ("投运日期", "投运时间", "投入运行日期", "commissioned_on"),
}
LEDGER_FIELDS = tuple(LEDGER_COLUMNS)
LEDGER_HEADERS = tuple(aliases[0] for aliases in LEDGER_COLUMNS.values())
_REQUIRED = ("code", "name", "town", "village", "capacity_tpd")
_UNITS = {
    "capacity_tpd": {"吨/日", "t/d", "吨/天", "m3/d", "立方米/日", "立方米/天", "方/日", "方/天"},
    "funding": {"万元/年", "万元"},
}

# Mirrors geo.models.FacilityStatus (key → zh label); more spellings accepted on import.
FACILITY_STATUSES: Mapping[str, str] = {
    "in_service": "在运行",
    "stopped": "停运",
    "beyond_repair": "损坏无法修复",
    "under_construction": "在建 / 改建",
    "retired": "已退役 / 拆除",
}
_STATUS_ALIASES = {
    "in_service": ("运行", "正常运行", "运行中", "在用"),
    "stopped": ("停用", "停止运行"),
    "beyond_repair": ("无法修复", "损坏"),
    "under_construction": ("在建", "改建", "在建/改建", "建设中"),
    "retired": ("已退役", "退役", "拆除", "已拆除", "已退役/拆除"),
}
DATUM_TEXT = {Datum.WGS84: "WGS-84", Datum.GCJ02: "GCJ-02", Datum.BD09: "BD-09", Datum.CGCS2000: "CGCS2000"}
_DATUM_ALIASES = {
    Datum.WGS84: ("WGS-84", "WGS84", "WGS1984", "GPS"),
    Datum.GCJ02: ("GCJ-02", "火星坐标", "火星坐标系", "高德", "高德地图", "腾讯", "腾讯地图"),
    Datum.BD09: ("BD-09", "百度", "百度地图", "百度坐标"),
    Datum.CGCS2000: ("CGCS2000", "国家2000", "2000国家大地坐标系", "天地图"),
}
_LON_RANGE, _LAT_RANGE = (73.66, 135.05), (3.86, 53.55)  # China's box (geo.coords.in_china)
_TOTALS = frozenset({"合计", "小计", "总计"})
_NONE = frozenset({"-", "--", "—", "——", "/", "无"})  # a cell that says "none": 电表号 "/" is no meter


@dataclass(frozen=True)
class LedgerRules:
    """The seed's registry rules (thresholds in t/d) and the town check's tolerance."""

    meter_from_tpd: Decimal = Decimal(20)  # needs coordinates and a meter number
    coordinates_from_tpd: Decimal = Decimal(5)  # needs coordinates
    town_tolerance_m: float = 500.0


DEFAULT_RULES = LedgerRules()
