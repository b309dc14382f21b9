"""A district's list of divisions (CSV / XLSX) → region rows and row errors, for ``manage.py import_regions``.

Pure: the standard library, shapely and ``kernel.tables`` (format, encoding, delimiter, header search —
shared with the ledger and water imports); no Django. ``REGION_LEVELS`` mirrors ``geo.models.RegionLevel``
(a test keeps them in step). The caller owns the database side: which codes exist, parents, the upsert.

Columns (Chinese or English headers, ``REGION_COLUMNS``): 区划代码 and 名称 are required; 级别, 上级代码,
代码来源, 其他来源代码, 区镇类型, 户数 and 边界 are optional.

- 区划代码: 12 digits; a 9-digit town code (NBS lists towns so) gets "000", a 6-digit county code
  "000000". Blank only for villages and natural villages, which then need 上级代码.
- 级别: district / town / village / natural_village or Chinese (区, 镇, 街道, 园区, 行政村, 社区, 自然村,
  村民小组 …). Blank → read from the code's structure (``level_of_code``: ``320614000000`` a district,
  ``320614103000`` a town, ``320614103201`` a village); given, it must agree with that structure, except for
  natural villages, which have no 统计用区划代码 and so no structure to agree with.
- 上级代码: blank → derived for towns (the code's first 6 digits + "000000") and villages (first 9 +
  "000"); required for natural villages and for villages without a code. When given it wins over the
  derivation (public datasets disagree on town codes; the parent is also found by its ``alt_codes``).
- 代码来源: nbs / other / office / synthetic or 国家统计局, 其他公开数据集, 区办公室核定, 演示.
- 其他来源代码: codes separated by 、,; or spaces (codes the same unit has in other datasets).
- 区镇类型: 镇 / 街道 / 园区 (towns only); blank → from the name's ending (…街道; …园区 / 新区 /
  开发区; …镇 / 乡).
- 户数: natural villages only, a whole number ≥ 0.
- 边界: WKT or GeoJSON (a geometry or a Feature), Polygon or MultiPolygon, in WGS-84 lon/lat. Larger
  boundaries come from GIS files (shapefile / GeoPackage), which this import does not read.

A file that cannot be read raises ``RegionFileError`` (``FILE_ERROR_CODES``); everything else is a
``RowError`` (``ROW_ERROR_CODES``) naming the row, the column, a stable code and a zh-Hans message.
``RegionTable.rows`` holds only rows without errors. A repeated code (or, without a code, the same name
under the same parent code) is an error on the later row. Blank rows are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from kernel import tables
from kernel.tables import Table, TableFileError, TableReader, cell_text, norm, norm_key

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


def parse_regions(data: bytes, filename: str, *, max_rows: int = DEFAULT_MAX_ROWS) -> RegionTable:
    """Read a CSV / XLSX list of divisions. Raises RegionFileError for file-level problems."""
    with _READER.open(data, filename) as table:
        return _parse(table, max_rows)


# ------------------------------------------------------------------------------------------------ codes


def normalise_code(text: str) -> str | None:
    """A division code as 12 digits (9-digit town codes + "000", 6-digit county codes + "000000"); None
    when ``text`` is not 6, 9 or 12 digits."""
    digits = norm(text)
    if not digits.isdigit():
        return None
    return {6: digits + "000000", 9: digits + "000", 12: digits}.get(len(digits))


def level_of_code(code: str) -> str | None:
    """The level a 12-digit code's structure gives (2 province, 2 city, 2 county, 3 town, 3 village
    digits): district, town or village; None for a province or city code."""
    if code[4:] == "0" * 8:
        return None
    if code[6:] == "0" * 6:
        return DISTRICT
    return TOWN if code[9:] == "000" else VILLAGE


def parent_code_of(code: str, level: str) -> str | None:
    """The parent's code as the structure gives it: a town's county, a village's town."""
    if level == TOWN:
        return code[:6] + "0" * 6
    if level == VILLAGE:
        return code[:9] + "000"
    return None


def town_kind_of(name: str) -> str:
    """The kind of a 区镇 from its name's ending; "" when the name says nothing."""
    if name.endswith("街道"):
        return "street"
    if name.endswith(("园区", "新区", "开发区")):
        return "park"
    return "town" if name.endswith(("镇", "乡")) else ""


def boundary_wkt(text: str) -> str:
    """WKT or GeoJSON (geometry or Feature) → the WKT of a valid MultiPolygon in WGS-84 lon/lat.
    Raises ValueError with a zh-Hans reason."""
    text = text.strip()
    try:
        if text.startswith("{"):
            obj = json.loads(text)
            geom = shape(obj.get("geometry") if obj.get("type") == "Feature" else obj)
        else:
            geom = shapely.from_wkt(text)
    except Exception as exc:  # shapely and json raise many kinds
        raise ValueError("无法识别的边界：应为 WKT（POLYGON / MULTIPOLYGON）或 GeoJSON") from exc
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    if not isinstance(geom, MultiPolygon) or geom.is_empty:
        raise ValueError("边界应为面（Polygon 或 MultiPolygon）")
    minx, miny, maxx, maxy = geom.bounds
    if not (
        _LON_RANGE[0] <= minx <= maxx <= _LON_RANGE[1] and _LAT_RANGE[0] <= miny <= maxy <= _LAT_RANGE[1]
    ):
        raise ValueError("边界坐标应为 WGS-84 经纬度（经度在前），且位于中国范围内")
    if not geom.is_valid:
        raise ValueError(f"边界几何无效（{shapely.is_valid_reason(geom)}）")
    return geom.wkt


# ---------------------------------------------------------------------------------------------- header


def _aliases(mapping: Mapping[str, tuple[str, ...]], *extra: Mapping[str, str]) -> dict[str, str]:
    out = {norm_key(a): key for key, aliases in mapping.items() for a in (key, *aliases)}
    for labels in extra:
        out.update({norm_key(label): key for key, label in labels.items()})
    return out


_COLUMNS = _aliases(REGION_COLUMNS)
_LEVELS = _aliases(_LEVEL_ALIASES, REGION_LEVELS)
_SOURCES = _aliases(CODE_SOURCES)
_KINDS = _aliases(TOWN_KINDS)
_SEPARATORS = re.compile(r"[、,;\s/]+")  # after NFKC: ，→ ,  ；→ ;


@dataclass
class _Header:
    row: int
    columns: dict[str, list[tuple[int, str]]]  # field → [(0-based index, header text)]
    ignored: list[str]

    @property
    def recognised(self) -> int:
        return sum(map(len, self.columns.values()))


def _analyse_header(row: int, cells: Sequence[Any]) -> _Header:
    columns: dict[str, list[tuple[int, str]]] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        if not text:
            continue
        name = _COLUMNS.get(norm_key(text))
        if name is None:
            ignored.append(text)
        else:
            columns.setdefault(name, []).append((index, text))
    return _Header(row, columns, ignored)


_READER = TableReader(
    _analyse_header,
    "未找到表头：前 20 行中没有可识别的列名（如 区划代码、名称、级别、上级代码）",
    error=RegionFileError,
)


def _check_header(header: _Header) -> dict[str, tuple[int, str]]:
    missing = [REGION_HEADERS[list(REGION_COLUMNS).index(f)] for f in _REQUIRED if f not in header.columns]
    if missing:
        raise RegionFileError(
            "missing_column", f"缺少必需的列：{'、'.join(missing)}", header_row=header.row, missing=missing
        )
    for group in header.columns.values():
        if len(group) > 1:
            texts = [text for _, text in group]
            raise RegionFileError(
                "duplicate_column",
                f"多列表示同一内容：{'、'.join(texts)}",
                header_row=header.row,
                columns=texts,
            )
    return {name: group[0] for name, group in header.columns.items()}


# ----------------------------------------------------------------------------------------------- rows


@dataclass
class _Cells:
    row: int
    cells: Sequence[Any]
    cols: Mapping[str, tuple[int, str]]
    errors: list[RowError] = field(default_factory=list)

    def text(self, name: str) -> str:
        col = self.cols.get(name)
        if col is None or col[0] >= len(self.cells):
            return ""
        return norm(cell_text(self.cells[col[0]]))

    def error(self, name: str, code: str, message: str) -> None:
        index, text = self.cols.get(name, (-1, REGION_HEADERS[list(REGION_COLUMNS).index(name)]))
        self.errors.append(RowError(self.row, text, code, message, self.text(name), index + 1))

    def name(self) -> str:
        """The name as written (only stripped): full-width brackets are part of official names."""
        col = self.cols["name"]
        return cell_text(self.cells[col[0]]) if col[0] < len(self.cells) else ""

    def code(self, name: str) -> str | None:
        text = self.text(name)
        if not text:
            return None
        code = normalise_code(text)
        if code is None:
            label = self.cols[name][1]
            self.error(name, "invalid_code", f"「{label}」应为 12 位数字（或 9 位乡镇代码、6 位区县代码）")
        return code


def _parse(table: Table[_Header], max_rows: int) -> RegionTable:
    cols = _check_header(table.header)
    rows: list[RegionRow] = []
    errors: list[RowError] = []
    rejected: set[str] = set()
    seen: dict[str, int] = {}
    rows_read = 0
    for row, cells in table.rows:
        if all(not cell_text(c) for c in cells):
            continue
        rows_read += 1
        if rows_read > max_rows:
            raise RegionFileError(
                "too_many_rows", f"文件超过 {max_rows} 行数据的上限，请拆分后分批导入", max_rows=max_rows
            )
        c = _Cells(row, cells, cols)
        code, parent_code, name = c.code("code"), c.code("parent_code"), c.name()
        record = _row(c, code, parent_code, name)
        key = code or (f"{parent_code}/{name}" if parent_code and name else None)
        if key is not None and (first := seen.setdefault(key, row)) != row:
            if code:
                c.error("code", "duplicate_code", f"区划代码「{code}」与第 {first} 行重复")
            else:
                c.error("name", "duplicate_name", f"同一上级下的「{name}」与第 {first} 行重复")
        if c.errors:
            errors.extend(sorted(c.errors, key=lambda e: e.column_number))
            rejected.update(filter(None, [code]))
        elif record is not None:
            rows.append(record)
    if rows_read == 0:
        raise RegionFileError("empty_file", "表头下没有数据行", header_row=table.header.row)
    return RegionTable(
        rows=tuple(rows),
        errors=tuple(errors),
        rejected_codes=frozenset(rejected),
        rows_read=rows_read,
        header_row=table.header.row,
        columns={name: (text, index + 1) for name, (index, text) in cols.items()},
        ignored_columns=tuple(dict.fromkeys(table.header.ignored)),
        file_format=table.format,
        sheet=table.sheet,
        encoding=table.encoding,
    )


def _row(c: _Cells, code: str | None, parent_code: str | None, name: str) -> RegionRow | None:
    if not name:
        c.error("name", "missing_name", "缺少名称")
    level = _level(c, code)
    derived = False
    blank_or_valid = code is not None or not c.text("code")
    if level not in (None, DISTRICT) and parent_code is None and not c.text("parent_code") and blank_or_valid:
        parent_code = parent_code_of(code, level) if code else None  # type: ignore[arg-type]
        derived = True
        if parent_code is None:
            why = "自然村没有统计用区划代码" if level == NATURAL_VILLAGE else "没有区划代码的行政村"
            c.error("parent_code", "missing_parent", f"{why}，请填写上级代码")
    if level in (DISTRICT, TOWN) and not c.text("code"):
        c.error("code", "missing_code", f"{REGION_LEVELS[level]}应填写区划代码")
    source = None
    if text := c.text("code_source"):
        source = _SOURCES.get(norm_key(text))
        if source is None:
            known = "、".join(aliases[0] for aliases in CODE_SOURCES.values())
            c.error("code_source", "unknown_code_source", f"无法识别的代码来源「{text}」（可用：{known}）")
    alt: list[str] = []
    for part in filter(None, _SEPARATORS.split(c.text("alt_codes"))):
        alt_code = normalise_code(part)
        if alt_code is None:
            c.error("alt_codes", "invalid_code", f"其他来源代码「{part}」应为 12 位数字")
        elif alt_code not in alt and alt_code != code:
            alt.append(alt_code)
    kind = _town_kind(c, level)
    households = _households(c, level)
    boundary = None
    if text := c.text("boundary"):
        try:
            boundary = boundary_wkt(text)
        except ValueError as exc:
            c.error("boundary", "invalid_boundary", str(exc))
    if c.errors or level is None or not name:
        return None
    return RegionRow(
        c.row, level, name, code, parent_code if level != DISTRICT else None, source, tuple(alt), kind,
        town_kind_of(name) if level == TOWN else "", households, boundary, derived,
    )  # fmt: skip


def _level(c: _Cells, code: str | None) -> str | None:
    structural = level_of_code(code) if code else None
    if code and structural is None:
        c.error("code", "unsupported_level", "这是省级或市级代码：只导入区（县）及以下的区划")
        return None
    text = c.text("level")
    if not text:
        if structural is None and not c.text("code"):
            c.error("level", "unknown_level", "没有区划代码时须填写级别")
        return structural
    level = _LEVELS.get(norm_key(text))
    if level is None:
        known = "区、镇（街道、园区）、行政村（社区）、自然村"
        c.error("level", "unknown_level", f"无法识别的级别「{text}」（可用：{known}）")
        return None
    if structural is not None and level != NATURAL_VILLAGE and level != structural:
        c.error(
            "level",
            "level_mismatch",
            f"区划代码 {code} 按结构应为{REGION_LEVELS[structural]}，与级别「{text}」不一致",
        )
    return level


def _town_kind(c: _Cells, level: str | None) -> str | None:
    text = c.text("town_kind")
    if not text:
        return None
    if level != TOWN:
        c.error("town_kind", "unknown_town_kind", "只有区镇填写区镇类型")
        return None
    kind = _KINDS.get(norm_key(text))
    if kind is None:
        c.error("town_kind", "unknown_town_kind", f"无法识别的区镇类型「{text}」（可用：镇、街道、园区）")
    return kind


def _households(c: _Cells, level: str | None) -> int | None:
    text = c.text("households")
    if not text:
        return None
    if level != NATURAL_VILLAGE:
        c.error("households", "households_not_natural_village", "只有自然村登记户数")
        return None
    try:
        value = float(text)
        if not value.is_integer():
            raise ValueError(text)
    except ValueError:
        c.error("households", "not_a_number", f"「户数」应为整数，实际为「{text}」")
        return None
    if value < 0:
        c.error("households", "negative_value", "「户数」不能为负数")
        return None
    return int(value)
