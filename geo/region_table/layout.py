"""The division list's layout: levels, code sources, town kinds, columns and error codes; and what
parsing gives (``RegionRow``, ``RegionTable``, ``RegionFileError``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kernel import tables
from kernel.tables import TableFileError

DEFAULT_MAX_ROWS = 200_000
DISTRICT, TOWN, VILLAGE, NATURAL_VILLAGE = "district", "town", "village", "natural_village"
# Mirrors geo.models.RegionLevel / PARENT_LEVEL, top down.
REGION_LEVELS: Mapping[str, str] = {
    DISTRICT: "区",
    TOWN: "区镇（镇、街道、园区）",
    VILLAGE: "行政村（社区）",
    NATURAL_VILLAGE: "自然村",
}
PARENT_LEVEL: Mapping[str, str] = {TOWN: DISTRICT, VILLAGE: TOWN, NATURAL_VILLAGE: VILLAGE}
# Mirrors geo.models.CodeSource and TownKind.
CODE_SOURCES: Mapping[str, tuple[str, ...]] = {
    "nbs": ("国家统计局", "统计局", "国家统计局统计用区划代码", "统计用区划代码", "NBS"),
    "other": ("其他", "其他公开数据集", "其他公开数据集（待核实）", "其他来源"),
    "office": ("区办公室核定", "办公室核定", "核定", "区核定"),
    "synthetic": ("演示", "演示用合成代码", "合成"),
}
TOWN_KINDS: Mapping[str, tuple[str, ...]] = {
    "town": ("镇", "乡", "乡镇"),
    "street": ("街道", "街道办事处"),
    "park": ("园区", "新区", "开发区", "园区 / 新区 / 开发区", "工业园区", "经济技术开发区"),
}
_LEVEL_ALIASES: Mapping[str, tuple[str, ...]] = {
    DISTRICT: ("区", "县", "区县", "县区", "县级", "区（县）", "县（区）", "市辖区"),
    TOWN: (
        "镇",
        "乡",
        "乡镇",
        "街道",
        "区镇",
        "园区",
        "镇街",
        "镇（街道）",
        "乡级",
        "区镇（镇、街道、园区）",
    ),
    VILLAGE: ("村", "行政村", "社区", "居委会", "村（社区）", "村级", "行政村（社区）"),
    NATURAL_VILLAGE: ("自然村", "村民小组", "组", "小组"),
}

FILE_ERROR_CODES = tables.FILE_ERROR_CODES | frozenset(
    {"missing_column", "duplicate_column", "too_many_rows"}
)
ROW_ERROR_CODES = frozenset(
    {
        "missing_name",
        "missing_code",  # districts and towns need one
        "invalid_code",  # not 6 / 9 / 12 digits (also in 上级代码 and 其他来源代码)
        "unsupported_level",  # a province or city code
        "unknown_level",
        "level_mismatch",  # 级别 disagrees with the code's structure
        "missing_parent",  # natural villages and villages without a code need 上级代码
        "unknown_code_source",
        "unknown_town_kind",
        "not_a_number",
        "negative_value",
        "households_not_natural_village",
        "invalid_boundary",
        "duplicate_code",  # on the later row
        "duplicate_name",  # the same name under the same parent code, on the later row
    }
)

REGION_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "code": ("区划代码", "统计用区划代码", "行政区划代码", "代码", "code"),
    "name": ("名称", "区划名称", "单位名称", "name"),
    "level": ("级别", "层级", "区划级别", "level"),
    "parent_code": ("上级代码", "上级区划代码", "parent_code"),
    "code_source": ("代码来源", "code_source"),
    "alt_codes": ("其他来源代码", "其他代码", "曾用代码", "alt_codes"),
    "town_kind": ("区镇类型", "类型", "town_kind"),
    "households": ("户数", "households"),
    "boundary": ("边界", "边界（WKT/GeoJSON）", "边界(WGS-84)", "boundary", "geometry", "wkt"),
}
REGION_HEADERS = tuple(aliases[0] for aliases in REGION_COLUMNS.values())
_REQUIRED = ("code", "name")
_LON_RANGE, _LAT_RANGE = (73.66, 135.05), (3.86, 53.55)  # China's box, as geo.coords.in_china


class RegionFileError(TableFileError):
    """The file as a whole cannot be read: ``code`` (FILE_ERROR_CODES), zh-Hans ``message``, ``details``."""


RowError = tables.RowError


@dataclass(frozen=True, slots=True)
class RegionRow:
    """One division as the file gives it, normalised. Optional values are None (or ``()``) when the cell
    was blank: the importer then keeps what the system holds. ``town_kind_derived`` is the kind read from
    the name's ending, applied only where the system has none."""

    row: int = field(compare=False)
    level: str
    name: str
    code: str | None
    parent_code: str | None
    code_source: str | None = None
    alt_codes: tuple[str, ...] = ()
    town_kind: str | None = None
    town_kind_derived: str = ""
    households: int | None = None
    boundary_wkt: str | None = None  # a MultiPolygon in WGS-84
    parent_code_derived: bool = field(default=False, compare=False)  # from the code, not 上级代码

    @property
    def key(self) -> str:
        """The row's identity in the file: its code, else its parent's code and its name."""
        return self.code or f"{self.parent_code}/{self.name}"


@dataclass(frozen=True)
class RegionTable:
    rows: tuple[RegionRow, ...]  # rows without errors, in file order
    errors: tuple[RowError, ...]  # sorted by row, then column
    rejected_codes: frozenset[str]  # codes of the rows with errors (their children are not judged)
    rows_read: int
    header_row: int
    columns: Mapping[str, tuple[str, int]]  # field → (header text, 1-based column number)
    ignored_columns: tuple[str, ...]
    file_format: str
    sheet: str = ""
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors
