"""Towns' rural sewage facility ledgers (台账, CSV / XLSX) → facility rows, row errors and data-rule gaps;
and the writer of the same layout, so a town can round-trip its ledger.

Pure: the standard library, openpyxl, ``kernel.tables``, ``kernel.sheets`` and ``geo.coords``; no Django
(``FACILITY_STATUSES`` mirrors ``geo.models.FacilityStatus``; a test keeps them in step). The caller owns the
database side: known towns and villages, town boundaries, the dry run and the upsert by facility code.

Reading is ``kernel.tables``, shared with ``scoring.water.parsing``: CSV in UTF-8 (± BOM), GB18030 or
UTF-16, comma / tab / semicolon separated; XLSX (openpyxl, read-only), the first sheet with a header in its
first 20 rows (title rows above it are skipped). Header aliases are Chinese or English (``LEDGER_COLUMNS``);
a unit in brackets on the capacity or funding header must be t/d or 万元/年. Blank rows and 合计 / 小计 rows
without a code are skipped; a cell holding only "-", "—", "/" or "无" is blank. Text is written through
``kernel.sheets.cell_value`` (a name like ``=1+1`` is written ``'=1+1``, never a formula) and read back
through ``kernel.sheets.unneutralise``: an apostrophe before ``= + - @`` is the spreadsheet's text mark, as
Excel treats one typed by a user.
自然村 holds one name (服务户数 gives its households) or a list ``一组(40)、二组(35)`` (full-width brackets,
、，,；; accepted; 服务户数 is then optional and must equal the sum). Coordinates are converted from the
declared datum (坐标系, blank = WGS-84) to WGS-84 with ``geo.coords.to_wgs84``; raw values and datum are kept.

A file that cannot be read raises ``LedgerFileError`` (``FILE_ERROR_CODES``); everything else is a
``RowError`` (``ROW_ERROR_CODES``): the row as the user sees it (1-based, the sheet row in XLSX), the header
text, a stable code, a zh-Hans message, the raw value. ``LedgerResult.rows`` holds only rows without errors:
"nothing imported when any row is invalid" is ``if not result.ok``, "valid rows only" is ``result.rows``.
A repeated facility code is an error on the later row, naming the first.

The seed's data rules (``LedgerRules``) are *gaps*, not errors — ≥ 20 t/d needs coordinates and a meter
number, 5–20 t/d needs coordinates — listed per row with its town (``gaps_by_town``).

"Coordinates fall in the facility's town" needs the town boundaries, which this module does not have: the
caller passes ``check_towns`` a distance function (metres from the row's WGS-84 point to its declared town,
0 inside; e.g. GEOS on ``Region.boundary``). Farther than ``town_tolerance_m`` is an ``outside_town`` error
by default — coordinates in another town are wrong data, and the row leaves ``rows`` — or, with
``as_gap=True``, a gap. The rule and its message (``is_outside``, ``outside_message``) are also what the
registry applies to a facility entered by hand, so a point the ledger refuses is refused there too.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from geo.coords import Datum, LonLat, from_wgs84, to_wgs84
from kernel import tables
from kernel.sheets import cell_value, unneutralise
from kernel.tables import Table, TableFileError, TableReader, cell_text, excel_datetime, norm, norm_key

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


# --------------------------------------------------------------------------------------------- types


class LedgerFileError(TableFileError):
    """The file as a whole cannot be read: ``code`` (FILE_ERROR_CODES), zh-Hans ``message``, ``details``."""


@dataclass(frozen=True, slots=True)
class RowError(tables.RowError):
    """``kernel.tables.RowError`` (row, column, code in ROW_ERROR_CODES, message, value, column_number);
    the ledger's report also gives ``column_number``."""

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "cell": self.cell}


@dataclass(frozen=True, slots=True)
class Gap:
    """A data rule the row does not meet (GAP_CODES); the row is still imported."""

    row: int
    town: str
    code: str
    facility_code: str
    facility_name: str
    capacity_tpd: Decimal
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {k: _json(v) for k, v in asdict(self).items()}


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One facility. ``lon`` / ``lat`` are WGS-84; ``raw_lon`` / ``raw_lat`` as written, in ``datum``.
    ``row`` is not part of equality, so rows read back from a re-written ledger compare equal."""

    row: int = field(compare=False)
    town: str
    village: str
    code: str
    name: str
    capacity_tpd: Decimal
    process: str = ""
    serves: tuple[tuple[str, int | None], ...] = ()  # (natural village, households or None)
    lon: float | None = None
    lat: float | None = None
    datum: Datum = Datum.WGS84
    raw_lon: float | None = None
    raw_lat: float | None = None
    meter_number: str = ""
    operator: str = ""
    funding: Decimal | None = None  # 万元/年
    status: str = "in_service"  # a FACILITY_STATUSES key
    commissioned_on: date | None = None

    @property
    def point(self) -> LonLat | None:
        return LonLat(self.lon, self.lat) if self.lon is not None and self.lat is not None else None

    @property
    def households(self) -> int | None:
        """All households served; None when some natural village has no count."""
        counts = [n for _, n in self.serves if n is not None]
        return sum(counts) if self.serves and len(counts) == len(self.serves) else None

    def as_dict(self) -> dict[str, Any]:
        out = {k: _json(v) for k, v in asdict(self).items()}
        out["serves"] = [{"name": n, "households": h} for n, h in self.serves]
        return {**out, "households": self.households}


@dataclass(frozen=True)
class LedgerResult:
    rows: tuple[LedgerRow, ...]  # rows without errors, in file order
    errors: tuple[RowError, ...]  # sorted by row, then column; at most max_errors of them
    error_count: int
    gaps: tuple[Gap, ...]  # of the rows without errors, in file order
    rows_read: int  # non-blank data rows under the header
    rows_with_errors: int
    header_row: int
    columns: Mapping[str, tuple[str, int]]  # field → (header text, 1-based column number)
    ignored_columns: tuple[str, ...]  # header texts the parser does not know (序号, 备注 …)
    file_format: str
    rules: LedgerRules = DEFAULT_RULES
    sheet: str = ""
    encoding: str = ""

    @property
    def ok(self) -> bool:
        """No errors: the whole ledger may be imported."""
        return self.error_count == 0

    def as_dict(self, *, include_rows: bool = False) -> dict[str, Any]:
        """JSON-ready (Decimals as strings, dates ISO): the dry-run report."""
        out: dict[str, Any] = {
            "ok": self.ok,
            "file_format": self.file_format,
            "sheet": self.sheet,
            "encoding": self.encoding,
            "header_row": self.header_row,
            "rows_read": self.rows_read,
            "rows_with_errors": self.rows_with_errors,
            "valid_rows": len(self.rows),
            "error_count": self.error_count,
            "errors_truncated": self.error_count > len(self.errors),
            "errors": [e.as_dict() for e in self.errors],
            "gap_count": len(self.gaps),
            "gaps_by_town": {t: [g.as_dict() for g in gs] for t, gs in gaps_by_town(self.gaps).items()},
            "ignored_columns": list(self.ignored_columns),
            "rules": {k: _json(v) for k, v in asdict(self.rules).items()},
        }
        if include_rows:
            out["rows"] = [r.as_dict() for r in self.rows]
        return out


def gaps_by_town(gaps: Iterable[Gap]) -> dict[str, list[Gap]]:
    """Gaps grouped by town, towns and gaps in file order."""
    out: dict[str, list[Gap]] = {}
    for gap in gaps:
        out.setdefault(gap.town, []).append(gap)
    return out


# ---------------------------------------------------------------------------------------- entry points


def parse_ledger(
    data: bytes,
    filename: str,
    *,
    rules: LedgerRules = DEFAULT_RULES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_errors: int = DEFAULT_MAX_ERRORS,
) -> LedgerResult:
    """Read a CSV / XLSX ledger. Raises LedgerFileError for file-level problems."""
    with _READER.open(data, filename) as table:
        return _Parser(rules, max_rows, max_errors, table.format).run(table)


def check_towns(
    result: LedgerResult,
    distance_to_town_m: Callable[[LedgerRow], float | None],
    *,
    tolerance_m: float | None = None,
    as_gap: bool = False,
) -> LedgerResult:
    """Add the "coordinates in the facility's town" check. ``distance_to_town_m(row)`` gives the metres
    from ``row.point`` (WGS-84) to the row's declared town (0 inside it), or None when unknown (no
    boundary). Farther than the tolerance (default ``result.rules.town_tolerance_m``) is an
    ``outside_town`` error on the longitude cell, and the row leaves ``rows`` — or a gap with ``as_gap``."""
    tolerance = result.rules.town_tolerance_m if tolerance_m is None else tolerance_m
    text, number = result.columns.get("lon", ("经度", 0))
    keep: list[LedgerRow] = []
    errors: list[RowError] = []
    gaps = list(result.gaps)
    for r in result.rows:
        distance = distance_to_town_m(r) if r.point is not None else None
        if distance is None or not is_outside(distance, tolerance):
            keep.append(r)
            continue
        message = outside_message(r.town, distance, tolerance)
        if as_gap:
            keep.append(r)
            gaps.append(Gap(r.row, r.town, "outside_town", r.code, r.name, r.capacity_tpd, message))
        else:
            errors.append(RowError(r.row, text, "outside_town", message, f"{r.raw_lon}, {r.raw_lat}", number))
    bad = {e.row for e in errors}
    return replace(
        result,
        rows=tuple(keep),
        errors=tuple(sorted((*result.errors, *errors), key=lambda e: (e.row, e.column_number))),
        error_count=result.error_count + len(errors),
        rows_with_errors=result.rows_with_errors + len(bad),
        gaps=tuple(sorted((g for g in gaps if g.row not in bad), key=lambda g: g.row)),
    )


def is_outside(distance_m: float | None, tolerance_m: float) -> bool:
    """The containment rule, shared by the ledger and the registry's own forms: a point farther than the
    tolerance from its region's boundary is outside it. ``None`` (no boundary, no point) is never outside:
    the check needs data we may not have, and a town without a drawn boundary must still register."""
    return distance_m is not None and distance_m > tolerance_m


def outside_message(region: str, distance_m: float, tolerance_m: float, *, level: str = "区镇") -> str:
    """What ``outside_town`` (and ``outside_village``) say: which region, how far, the tolerance."""
    return (
        f"坐标不在{region}范围内（相距约 {distance_m:.0f} 米，容差 {tolerance_m:.0f} 米），"
        f"请核对经纬度、坐标系或所属{level}"
    )


# ---------------------------------------------------------------------------------------------- writer


def write_ledger(rows: Iterable[LedgerRow | Mapping[str, Any]], *, title: str) -> bytes:
    """An XLSX ledger: a title row, then LEDGER_HEADERS, one row per facility. Rows are LedgerRows or
    mappings / objects with the same field names; coordinates are written in their declared datum (the raw
    values, or ``lon`` / ``lat`` in WGS-84 converted to it). ``parse_ledger`` reads it back unchanged.

    Streamed (openpyxl's write-only mode): each row is written once and never looked at again, so the
    time per row is the same for 1,000 facilities as for 24,000 (a worksheet kept in memory answers
    "which is the last row?" by scanning every cell written so far: quadratic)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    for i, header in enumerate(LEDGER_HEADERS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, 2 * len(header) + 2)
    ws.freeze_panes = "A3"
    ws.merged_cells.add(f"A1:{get_column_letter(len(LEDGER_HEADERS))}1")
    title_cell = _styled(
        ws, cell_value(title), font=Font(bold=True, size=14), alignment=Alignment(horizontal="center")
    )
    ws.append([title_cell])
    bold = Font(bold=True)
    ws.append([_styled(ws, header, font=bold) for header in LEDGER_HEADERS])
    text_columns = {LEDGER_FIELDS.index(f) for f in ("code", "meter_number")}
    for r in rows:
        # "=1+1" is written "'=1+1" (kernel.sheets.cell_value): never a formula; read back as it was.
        cells: list[Any] = [cell_value(v) for v in _ledger_cells(r)]
        for i, value in enumerate(cells):
            if i in text_columns and value is not None:
                cells[i] = _styled(ws, value, number_format="@")
            elif isinstance(value, date):
                cells[i] = _styled(ws, value, number_format="yyyy-mm-dd")
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _styled(ws: Any, value: Any, **style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even when it starts with "="
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _ledger_cells(r: LedgerRow | Mapping[str, Any]) -> list[Any]:
    def get(name: str, default: Any = None) -> Any:
        value = r.get(name, default) if isinstance(r, Mapping) else getattr(r, name, default)
        return default if value is None else value

    datum = Datum(str(get("datum", Datum.WGS84)) or Datum.WGS84)
    raw_lon, raw_lat = get("raw_lon"), get("raw_lat")
    if (raw_lon is None or raw_lat is None) and get("lon") is not None and get("lat") is not None:
        raw = from_wgs84(LonLat(float(get("lon")), float(get("lat"))), datum)
        raw_lon, raw_lat = raw.lon, raw.lat
    serves = list(get("serves", ()))
    households: int | None = None
    if len(serves) == 1:
        villages, households = serves[0][0], serves[0][1]
    else:
        villages = "、".join(n if h is None else f"{n}({h})" for n, h in serves) or None
        if serves and all(h is not None for _, h in serves):
            households = sum(h for _, h in serves)
    status = str(get("status", "in_service"))
    values = {
        **{f: get(f) or None for f in LEDGER_FIELDS},
        "natural_villages": villages,
        "households": households,
        "lon": raw_lon,
        "lat": raw_lat,
        "datum": DATUM_TEXT[datum],
        "capacity_tpd": get("capacity_tpd"),
        "funding": get("funding"),
        "status": FACILITY_STATUSES.get(status, status),
    }
    return [values[f] for f in LEDGER_FIELDS]


# ---------------------------------------------------------------------------------------------- header


_ALIASES = {norm_key(a): f for f, aliases in LEDGER_COLUMNS.items() for a in aliases}
_STATUSES = {
    norm_key(a): key for key, label in FACILITY_STATUSES.items() for a in (key, label, *_STATUS_ALIASES[key])
}
_DATUMS = {norm_key(a): d for d, aliases in _DATUM_ALIASES.items() for a in (d.value, *aliases)}
_BRACKET_TAIL = re.compile(r"^(?P<head>.+?)\s*[(\[【]\s*(?P<unit>[^()\[\]【】]*?)\s*[)\]】]$")


@dataclass(frozen=True)
class _Col:
    index: int  # 0-based
    text: str
    unit: str = ""

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass
class _Header:
    row: int
    columns: dict[str, list[_Col]]
    ignored: list[str]

    @property
    def recognised(self) -> int:
        return sum(map(len, self.columns.values()))


def _analyse_header(row: int, cells: Sequence[Any]) -> _Header:
    columns: dict[str, list[_Col]] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        text = cell_text(cell)  # as written: what errors name
        if not text:
            continue
        name, unit = _ALIASES.get(norm_key(text)), ""
        if name is None and (m := _BRACKET_TAIL.match(norm(text))):
            name, unit = _ALIASES.get(norm_key(m["head"])), m["unit"]
        if name is None:
            ignored.append(text)
        else:
            columns.setdefault(name, []).append(_Col(index, text, unit))
    return _Header(row, columns, ignored)


_NO_HEADER = "未找到表头：前 20 行中没有可识别的列名（如 区镇、行政村、设施编码、设施名称）"
# No not_text_message: a .csv holding NUL bytes gets the generic unsupported-format message (with extension).
_READER = TableReader(_analyse_header, _NO_HEADER, error=LedgerFileError)


def _check_header(header: _Header) -> dict[str, _Col]:
    cols = header.columns
    missing = [LEDGER_HEADERS[LEDGER_FIELDS.index(f)] for f in _REQUIRED if f not in cols]
    for a, b in (("lon", "lat"), ("lat", "lon"), ("households", "natural_villages")):
        if a in cols and b not in cols:
            missing.append(LEDGER_HEADERS[LEDGER_FIELDS.index(b)])
    if missing:
        raise LedgerFileError(
            "missing_column", f"缺少必需的列：{'、'.join(missing)}", header_row=header.row, missing=missing
        )
    for group in cols.values():
        if len(group) > 1:
            texts = [c.text for c in group]
            raise LedgerFileError(
                "duplicate_column",
                f"多列表示同一内容：{'、'.join(texts)}",
                header_row=header.row,
                columns=texts,
            )
    for name, units in _UNITS.items():
        col = cols.get(name, [_Col(0, "")])[0]
        if col.unit and norm_key(col.unit) not in {norm_key(u) for u in units}:
            raise LedgerFileError(
                "unknown_unit",
                f"「{col.text}」的单位无法识别（应为 {' 或 '.join(sorted(units)[:2])}）",
                header_row=header.row,
                column=col.text,
            )
    return {name: group[0] for name, group in cols.items()}


# ----------------------------------------------------------------------------------------------- cells


# The largest values the registry's columns hold: SewageFacility.capacity_tpd has 8 digits with 2
# decimals, funding_wan 10 with 2; households go to an integer column, and no natural village served by
# one facility has 100,000 households. Larger numbers are a row error, never a failed INSERT.
_MAXIMA = {
    "capacity_tpd": Decimal("999999.99"),
    "funding": Decimal("99999999.99"),
    "households": Decimal(100_000),
}


def _decimal(cell: Any) -> Decimal:
    """Raises ValueError when the cell is not a finite number."""
    if isinstance(cell, bool | datetime | date):
        raise ValueError(cell)
    try:
        value = Decimal(repr(cell) if isinstance(cell, float) else norm(str(cell)))
    except InvalidOperation as exc:
        raise ValueError(cell) from exc
    if not value.is_finite():
        raise ValueError(cell)
    return value


_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*(?:月|[-/.]\s*(?P<d>\d{1,2})|月\s*(?P<d2>\d{1,2})\s*日?)?"
    r"(?:[\sT]+\d{1,2}:\d{2}(?::\d{2})?)?"
)
_COMPACT_DATE = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")


def _parse_date(cell: Any, fmt: str) -> date:
    """Raises ValueError. A month alone ("2021-06", "2021年6月") is the first of that month."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    if fmt == XLSX and (serial := excel_datetime(cell)) is not None:
        return serial.date()  # a date stored as a serial number without a date format
    text = norm(cell_text(cell))
    m = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if m is None:
        raise ValueError(text)
    day = m.groupdict().get("d") or m.groupdict().get("d2") or 1
    return date(int(m["y"]), int(m["m"]), int(day))


_NV_SEPARATORS = re.compile(r"[、,;\n]")  # after NFKC: ，→ ,  ；→ ;
_NV_ITEM = re.compile(r"(?P<name>[^()]*?)\s*(?:\(\s*(?P<n>\d+)\s*户?\s*\))?")


# ---------------------------------------------------------------------------------------------- parser


@dataclass
class _Cells:
    """One data row: its cells by field, and the errors found in it."""

    row: int
    cells: Sequence[Any]
    cols: Mapping[str, _Col]
    errors: list[RowError] = field(default_factory=list)

    def raw(self, name: str) -> Any:
        col = self.cols.get(name)
        return self.cells[col.index] if col is not None and col.index < len(self.cells) else None

    def text(self, name: str) -> str:
        # "'=1+1" is how write_ledger (kernel.sheets) keeps a name from becoming a formula: "=1+1".
        text = norm(unneutralise(cell_text(self.raw(name))))
        return "" if text in _NONE else text

    def error(self, name: str, code: str, message: str) -> None:
        col = self.cols[name]
        self.errors.append(RowError(self.row, col.text, code, message, cell_text(self.raw(name)), col.number))

    def required(self, name: str) -> str:
        text = self.text(name)
        if not text:
            code = "missing_capacity" if name == "capacity_tpd" else f"missing_{name}"
            self.error(name, code, f"缺少{self.cols[name].text}")
        return text

    def number(self, name: str, *, integer: bool = False, negative: bool = False) -> Decimal | None:
        if not self.text(name):
            return None
        try:
            value = _decimal(self.raw(name))
            if integer and value != value.to_integral_value():
                raise ValueError(value)
        except ValueError:
            kind = "整数" if integer else "数字"
            self.error(
                name, "not_a_number", f"「{self.cols[name].text}」应为{kind}，实际为「{self.text(name)}」"
            )
            return None
        if value < 0 and not negative:
            self.error(name, "negative_value", f"「{self.cols[name].text}」不能为负数")
            return None
        top = _MAXIMA.get(name)
        if top is not None and value > top:
            self.error(name, "value_too_large", f"「{self.cols[name].text}」过大（最大 {top}）")
            return None
        return value


class _Parser:
    def __init__(self, rules: LedgerRules, max_rows: int, max_errors: int, fmt: str) -> None:
        self.rules, self.max_rows, self.max_errors, self.fmt = rules, max_rows, max_errors, fmt
        self.rows: list[LedgerRow] = []
        self.errors: list[RowError] = []
        self.gaps: list[Gap] = []
        self.error_count = self.rows_read = self.rows_with_errors = 0
        self.seen: dict[str, int] = {}

    def run(self, table: Table[_Header]) -> LedgerResult:
        header = table.header
        self.cols = _check_header(header)
        for row, cells in table.rows:
            if all(not cell_text(c) for c in cells):
                continue
            c = _Cells(row, cells, self.cols)
            if not c.text("code") and any(norm_key(cell_text(x)) in _TOTALS for x in cells):
                continue  # a 合计 / 小计 row
            self.rows_read += 1
            if self.rows_read > self.max_rows:
                raise LedgerFileError(
                    "too_many_rows",
                    f"文件超过 {self.max_rows} 行数据的上限，请拆分后分批导入",
                    max_rows=self.max_rows,
                )
            record = self._row(c)
            if c.errors:
                self.rows_with_errors += 1
                self.error_count += len(c.errors)
                room = self.max_errors - len(self.errors)
                self.errors.extend(sorted(c.errors, key=lambda e: e.column_number)[: max(room, 0)])
            elif record is not None:
                self.rows.append(record)
                self.gaps.extend(self._gaps(record))
        if self.rows_read == 0:
            raise LedgerFileError("empty_file", "表头下没有数据行", header_row=header.row)
        return LedgerResult(
            rows=tuple(self.rows),
            errors=tuple(self.errors),
            error_count=self.error_count,
            gaps=tuple(self.gaps),
            rows_read=self.rows_read,
            rows_with_errors=self.rows_with_errors,
            header_row=header.row,
            columns={name: (col.text, col.number) for name, col in self.cols.items()},
            ignored_columns=tuple(dict.fromkeys(header.ignored)),
            file_format=self.fmt,
            rules=self.rules,
            sheet=table.sheet,
            encoding=table.encoding,
        )

    def _row(self, c: _Cells) -> LedgerRow | None:
        code = c.required("code")
        if code:
            first = self.seen.setdefault(code, c.row)
            if first != c.row:
                c.error("code", "duplicate_code", f"设施编码「{code}」与第 {first} 行重复")
        town, village, name = c.required("town"), c.required("village"), c.required("name")
        capacity = c.number("capacity_tpd")
        if capacity is None and not c.text("capacity_tpd"):
            c.required("capacity_tpd")
        households = c.number("households", integer=True)
        serves = self._serves(c, None if households is None else int(households))
        coords = self._coordinates(c)
        funding = c.number("funding")
        status = "in_service"
        if text := c.text("status"):
            status = _STATUSES.get(norm_key(text), "")
            if not status:
                known = "、".join(FACILITY_STATUSES.values())
                c.error("status", "unknown_status", f"无法识别的状态「{text}」（可用：{known}）")
        commissioned = None
        if c.text("commissioned_on"):
            try:
                commissioned = _parse_date(c.raw("commissioned_on"), self.fmt)
            except (ValueError, OverflowError):
                msg = (
                    f"无法识别的日期「{c.text('commissioned_on')}」（示例：2021-06-30、2021/6/30、2021年6月）"
                )
                c.error("commissioned_on", "invalid_date", msg)
        if c.errors or capacity is None or serves is None or coords is None:
            return None
        return LedgerRow(
            c.row, town, village, code, name, capacity, c.text("process"), serves, *coords,
            meter_number=c.text("meter_number"), operator=c.text("operator"), funding=funding,
            status=status, commissioned_on=commissioned,
        )  # fmt: skip

    def _serves(self, c: _Cells, households: int | None) -> tuple[tuple[str, int | None], ...] | None:
        text = c.text("natural_villages")
        if not text:
            if households is None:
                return ()
            c.error("natural_villages", "invalid_natural_villages", "填写了服务户数，但未填写服务的自然村")
            return None
        items = [s.strip() for s in _NV_SEPARATORS.split(text) if s.strip()]
        matches = [_NV_ITEM.fullmatch(s) for s in items]
        if not items or any(m is None or not m["name"] for m in matches):
            msg = f"无法识别的自然村「{text}」（示例：一组，或 一组(40)、二组(35)）"
            c.error("natural_villages", "invalid_natural_villages", msg)
            return None
        serves = [(m["name"], int(m["n"]) if m["n"] else None) for m in matches if m is not None]
        if any(h is not None and h > _MAXIMA["households"] for _, h in serves):
            msg = f"自然村户数过大（最大 {_MAXIMA['households']}）：「{text}」"
            c.error("natural_villages", "value_too_large", msg)
            return None
        names = [n for n, _ in serves]
        counts = [h for _, h in serves]
        if len(set(names)) < len(names):
            c.error("natural_villages", "invalid_natural_villages", f"自然村名称重复：「{text}」")
            return None
        if len(serves) == 1 and counts[0] is None:
            return ((names[0], households),)
        if None in counts:
            if households is None and all(h is None for h in counts):
                return tuple(serves)
            msg = "多个自然村请逐一注明户数，如 一组(40)、二组(35)"
            c.error("natural_villages", "invalid_natural_villages", msg)
            return None
        total = sum(h for h in counts if h is not None)
        if households is not None and households != total:
            msg = f"服务户数 {households} 与各自然村户数之和 {total} 不一致"
            c.error("households", "households_mismatch", msg)
            return None
        return tuple(serves)

    def _coordinates(self, c: _Cells) -> tuple[Any, ...] | None:
        """(lon, lat, datum, raw_lon, raw_lat) with lon / lat in WGS-84; None after an error."""
        datum: Datum | None = Datum.WGS84
        if text := c.text("datum"):
            datum = _DATUMS.get(norm_key(text)) or _DATUMS.get(norm_key(_BRACKET_TAIL.sub(r"\g<head>", text)))
            if datum is None:
                msg = f"无法识别的坐标系「{text}」（可用：{'、'.join(DATUM_TEXT.values())}）"
                c.error("datum", "unknown_datum", msg)
        if "lon" not in self.cols:
            return (None, None, datum, None, None) if datum else None
        given = {name: bool(c.text(name)) for name in ("lon", "lat")}
        if given["lon"] != given["lat"]:
            blank = "lat" if given["lon"] else "lon"
            c.error(blank, "incomplete_coordinates", "经度和纬度应同时填写或同时留空")
            return None
        values: dict[str, float] = {}
        for name, (lo, hi), label in (("lon", _LON_RANGE, "经度"), ("lat", _LAT_RANGE, "纬度")):
            number = c.number(name, negative=True)
            if number is not None and not lo <= number <= hi:
                msg = f"{label}应在 {lo}–{hi} 之间（中国范围），请检查是否填反或缺少小数点"
                c.error(name, "coordinate_out_of_range", msg)
            elif number is not None:
                values[name] = float(number)
        if datum is None or (any(given.values()) and len(values) < 2):
            return None
        if not values:
            return (None, None, datum, None, None)
        p = to_wgs84(LonLat(values["lon"], values["lat"]), datum)
        return (p.lon, p.lat, datum, values["lon"], values["lat"])

    def _gaps(self, r: LedgerRow) -> Iterator[Gap]:
        rules, cap = self.rules, r.capacity_tpd
        if r.point is None and (cap >= rules.coordinates_from_tpd or cap >= rules.meter_from_tpd):
            floor = min(rules.coordinates_from_tpd, rules.meter_from_tpd)
            msg = f"设计处理能力 {_dec(cap)} 吨/日（≥ {_dec(floor)}）的设施应填写经纬度"
            yield Gap(r.row, r.town, "coordinates_required", r.code, r.name, cap, msg)
        if not r.meter_number and cap >= rules.meter_from_tpd:
            msg = f"设计处理能力 {_dec(cap)} 吨/日（≥ {_dec(rules.meter_from_tpd)}）的设施应填写独立电表号"
            yield Gap(r.row, r.town, "meter_required", r.code, r.name, cap, msg)


def _dec(value: Decimal) -> str:
    return format(value, "f")


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _dec(value)
    return value.isoformat() if isinstance(value, date) else value
