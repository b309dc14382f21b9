"""Uploaded river-section water-quality measurement files (CSV / XLSX) → normalised records + row errors.

Pure: the standard library, openpyxl and ``kernel.tables`` (the CSV / XLSX reading shared with
``geo.ledger``); no Django. The caller owns the database side (known sections, duplicates against stored
data, the import itself, "valid rows only"); this module only reads and checks.

What it accepts:
- CSV in UTF-8, UTF-8 with BOM, GB18030 (Chinese Excel exports CSV in GBK / GB18030) or UTF-16 with BOM;
  comma, tab or semicolon separated. XLSX (openpyxl, read-only): the first sheet whose first 20 rows hold a
  recognisable header. Legacy .xls and anything else is refused with a file-level error.
- Layout from the header: *long* (section, time, indicator, value, unit, flag — one value per row) when it
  has an indicator and a value column, else *wide* (one row per sample time, one column per indicator).
  Header aliases are Chinese or English; indicator columns are named by the engine's zh name, its key or a
  common abbreviation, optionally followed by a unit in brackets: ``氨氮(mg/L)``, ``汞[μg/L]``, ``COD``.
  A header without a unit means the indicator's table unit. Title rows above the header are skipped.
- Separate date and time-of-day columns (``日期`` + ``时间``) are combined. Naive times are in ``tz``
  (Asia/Shanghai); an explicit offset is kept as written. A date alone is a lab's daily sample: midnight.
- Values: numbers, and the censored forms of ``scoring.engine.water.parse_reading`` ("ND", "未检出",
  "<0.01", "0.01L"; in the long layout also a flag ND / L / <). A bare "ND" takes its detection limit from
  ``detection_limits`` (in the table unit). A blank cell, or a lone dash / slash ("-", "--", "—", "/"),
  means not measured: no record. The censored *rule* (half the detection limit …) is not applied here:
  records keep the reported value and the below-detection flag; the evaluation applies the rule later.
- Units are converted to the table unit (``UNIT_FACTORS``): μg/L → mg/L ÷ 1000, 个/100mL → 个/L × 10,
  mS/cm → μS/cm × 1000 … An unknown unit is an error (in the wide layout once, on the header row).

Errors: anything that makes the whole file unreadable raises ``MeasurementFileError`` (``FILE_ERROR_CODES``);
everything else is a ``RowError`` (``ROW_ERROR_CODES``) with the row number as the user sees it (1-based,
header included; the sheet row in XLSX), the column's header text, a stable code, a zh-Hans message and the
raw value. ``ParseResult.records`` holds only the records of rows without any error, so "import the valid
rows only" is ``result.records`` and "import nothing when there are errors" is ``if not result.ok``.
Duplicates inside the file (same section, time and indicator) are an error on the later row; a value that
parsed is claimed by its row even when something else in that row is wrong.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any

from kernel import tables
from kernel.tables import Table, TableFileError, TableReader, cell_text, excel_datetime, norm, norm_key
from scoring.engine.water import (
    ALL_KEYS,
    OTHER_MEASURES,
    TABLE,
    Reading,
    WaterInputError,
    name_of,
    parse_reading,
    parse_values,
)

DEFAULT_MAX_ROWS = 2_000_000
DEFAULT_MAX_ERRORS = 10_000
HEADER_SCAN_ROWS = tables.HEADER_SCAN_ROWS
WIDE, LONG = "wide", "long"
CSV, XLSX = tables.CSV, tables.XLSX

# kernel.tables.FILE_ERROR_CODES (empty_file, unsupported_format, unreadable_file, unsupported_encoding,
# no_header) and:
FILE_ERROR_CODES = tables.FILE_ERROR_CODES | frozenset(
    {
        "missing_column",  # no section column, no time column, or no indicator column
        "duplicate_column",  # two columns for the same indicator (or the same long-layout role)
        "too_many_rows",
    }
)
ROW_ERROR_CODES = frozenset(
    {
        "missing_section",
        "unknown_section",  # not among known_sections
        "section_conflict",  # the code and the name columns name different sections
        "missing_time",
        "invalid_time",
        "time_conflict",  # the date and time columns disagree
        "missing_indicator",  # long layout: a value without an indicator
        "unknown_unit",  # wide: reported once, on the header row; long: on the row
        "unknown_flag",  # long layout: a flag other than blank / N (normal) or ND / L / < (censored)
        "not_a_number",  # text in a numeric column
        "not_finite",
        "negative_value",
        "ph_out_of_range",  # pH outside 0–14
        "detection_limit_required",  # "ND" / 未检出 with no number and no detection limit for the indicator
        "invalid_detection_limit",  # a detection limit that is not positive
        "censored_not_allowed",  # "ND" / "<x" for pH or water temperature
        "duplicate_in_file",  # same section, time and indicator as an earlier row
    }
)

_TABLE_UNITS: dict[str, str] = {
    **{k: ind.unit for k, ind in TABLE.items()},
    **{k: unit for k, (_, unit) in OTHER_MEASURES.items()},
}

# Accepted units per table unit: normalised unit text (NFKC, casefolded, no spaces) → factor to the table
# unit. Only exact conversions; anything else (g/L, ng/L, FNU, 度 …) is an unknown unit.
_MILLI = Decimal("0.001")
UNIT_FACTORS: Mapping[str, Mapping[str, Decimal]] = {
    "mg/L": {"mg/l": Decimal(1), "毫克/升": Decimal(1), "μg/l": _MILLI, "ug/l": _MILLI, "微克/升": _MILLI},
    "无量纲": {"无量纲": Decimal(1), "无": Decimal(1), "ph": Decimal(1), "ph单位": Decimal(1)},
    "个/L": {"个/l": Decimal(1), "mpn/l": Decimal(1), "个/100ml": Decimal(10), "mpn/100ml": Decimal(10)},
    "℃": {"°c": Decimal(1), "摄氏度": Decimal(1)},
    "μS/cm": {"μs/cm": Decimal(1), "us/cm": Decimal(1), "ms/cm": Decimal(1000), "ms/m": Decimal(10)},
    "NTU": {"ntu": Decimal(1)},
}
_NO_CENSORING = frozenset({"ph", "temp"})  # "below detection" makes no sense for these

# Indicator aliases beyond the engine's keys and zh names (matched after _norm_key).
_INDICATOR_ALIASES: Mapping[str, tuple[str, ...]] = {
    "ph": ("pH值", "酸碱度"),
    "do": ("DO", "溶氧"),
    "codmn": ("CODMn", "COD_Mn", "高锰酸钾指数"),
    "cod": ("COD", "CODcr", "COD_Cr"),
    "bod5": ("BOD5", "BOD", "生化需氧量"),
    "nh3n": ("NH3-N",),
    "tp": ("TP",),
    "tn": ("TN",),
    "f": ("F-", "氟"),
    "cr6": ("Cr6+", "CrVI", "Cr(VI)", "铬(六价)"),
    "cn": ("CN-", "总氰化物"),
    "phenol": ("挥发性酚", "挥发酚类"),
    "oil": ("石油",),
    "las": ("LAS",),
    "s2": ("S2-",),
    "fcoli": ("粪大肠菌群数",),
    "temp": ("温度", "water_temperature", "temperature"),
    "cond": ("conductivity", "EC"),
    "turb": ("turbidity",),
}
SECTION_CODE, SECTION_NAME, TIME = "section_code", "section_name", "time"
INDICATOR, VALUE, UNIT, FLAG = "indicator", "value", "unit", "flag"
_ROLE_ALIASES: Mapping[str, tuple[str, ...]] = {
    SECTION_CODE: ("断面编码", "断面代码", "断面编号", "section_code", "section_id"),
    SECTION_NAME: ("断面名称", "断面", "监测断面", "section", "section_name", "站点名称", "点位名称"),
    TIME: (
        "监测时间",
        "采样时间",
        "时间",
        "日期",
        "采样日期",
        "监测日期",
        "日期时间",
        "数据时间",
        "sampled_at",
        "time",
        "datetime",
        "date",
        "timestamp",
    ),
    INDICATOR: ("指标", "项目", "监测项目", "检测项目", "指标名称", "indicator", "parameter"),
    VALUE: ("数值", "监测值", "值", "浓度", "结果", "监测结果", "检测结果", "value", "result"),
    UNIT: ("单位", "unit", "units"),
    FLAG: ("标识", "标志", "标记", "数据标识", "flag", "qualifier"),
}
_CENSORED_FLAGS = frozenset({"nd", "n.d.", "l", "<", "未检出"})
_NORMAL_FLAGS = frozenset({"", "n", "正常"})
_NOT_MEASURED = frozenset({"-", "--", "—", "——", "/", "//"})


# --------------------------------------------------------------------------------------------- types


class MeasurementFileError(TableFileError):
    """The file as a whole cannot be read: ``code`` (FILE_ERROR_CODES), zh-Hans ``message``, ``details``."""


# row (1-based, header row included; the sheet row in XLSX), column (header text), code (ROW_ERROR_CODES),
# message (zh-Hans), value (raw cell text), column_number; as_dict: row, column, cell, code, message, value.
RowError = tables.RowError


@dataclass(frozen=True, slots=True)
class Record:
    section_code: str
    sampled_at: datetime  # aware
    indicator: str  # an engine key (scoring.engine.water.ALL_KEYS)
    value: Decimal  # in the table unit; the detection limit when below_detection
    below_detection: bool
    source_row: int

    @property
    def key(self) -> tuple[str, datetime, str]:
        return (self.section_code, self.sampled_at, self.indicator)

    @property
    def reading(self) -> Reading:
        return Reading(self.value, self.below_detection)

    def as_dict(self) -> dict[str, Any]:
        return {
            "section_code": self.section_code,
            "sampled_at": self.sampled_at.isoformat(),
            "indicator": self.indicator,
            "value": _dec_str(self.value),
            "unit": _TABLE_UNITS[self.indicator],
            "below_detection": self.below_detection,
            "source_row": self.source_row,
        }


@dataclass(frozen=True)
class SectionSummary:
    section_code: str
    records: int
    indicators: Mapping[str, int]  # key → records, in ALL_KEYS order
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True)
class Summary:
    """What would be imported (the dry-run report): counts per section and indicator, the time range."""

    records: int
    below_detection: int
    indicators: Mapping[str, int]
    sections: Mapping[str, SectionSummary]
    first: datetime | None
    last: datetime | None

    @classmethod
    def of(cls, records: Iterable[Record]) -> Summary:
        per_section: dict[str, Counter[str]] = {}
        ranges: dict[str, tuple[datetime, datetime]] = {}
        total = censored = 0
        for r in records:
            total += 1
            censored += r.below_detection
            per_section.setdefault(r.section_code, Counter())[r.indicator] += 1
            lo_hi = ranges.get(r.section_code)
            ranges[r.section_code] = (
                (r.sampled_at, r.sampled_at)
                if lo_hi is None
                else (min(lo_hi[0], r.sampled_at), max(lo_hi[1], r.sampled_at))
            )
        indicators: Counter[str] = Counter()
        sections = {}
        for code in sorted(per_section):
            counts = per_section[code]
            indicators.update(counts)
            sections[code] = SectionSummary(code, sum(counts.values()), _in_key_order(counts), *ranges[code])
        firsts = [s.first for s in sections.values() if s.first]
        lasts = [s.last for s in sections.values() if s.last]
        return cls(
            total,
            censored,
            _in_key_order(indicators),
            sections,
            min(firsts, default=None),
            max(lasts, default=None),
        )

    def as_dict(self) -> dict[str, Any]:
        def ind(counts: Mapping[str, int]) -> list[dict[str, Any]]:
            return [
                {"key": k, "name": name_of(k), "unit": _TABLE_UNITS[k], "records": n}
                for k, n in counts.items()
            ]

        return {
            "records": self.records,
            "below_detection": self.below_detection,
            "first": _iso(self.first),
            "last": _iso(self.last),
            "indicators": ind(self.indicators),
            "sections": [
                {
                    "section_code": s.section_code,
                    "records": s.records,
                    "first": _iso(s.first),
                    "last": _iso(s.last),
                    "indicators": ind(s.indicators),
                }
                for s in self.sections.values()
            ],
        }


@dataclass(frozen=True)
class ParseResult:
    records: tuple[Record, ...]  # the records of rows without errors, in file order
    errors: tuple[RowError, ...]  # sorted by row, then column; at most max_errors of them
    error_count: int  # all errors, including any beyond max_errors
    rows_read: int  # non-blank data rows under the header
    rows_with_errors: int
    layout: str  # WIDE / LONG
    file_format: str  # CSV / XLSX
    header_row: int
    ignored_columns: tuple[str, ...]  # header texts the parser does not know (站点状态, 备注 …)
    ignored_indicators: tuple[str, ...] = ()  # long layout: indicator names it does not know
    sheet: str = ""  # XLSX: the sheet read
    encoding: str = ""  # CSV: the encoding detected
    summary: Summary = field(default_factory=lambda: Summary.of(()))

    @property
    def ok(self) -> bool:
        """No errors: the whole file may be imported."""
        return self.error_count == 0

    @property
    def errors_truncated(self) -> bool:
        return self.error_count > len(self.errors)

    def as_dict(self, *, include_records: bool = False) -> dict[str, Any]:
        """JSON-ready (Decimals as plain strings, times as ISO 8601): the dry-run report for the API."""
        out: dict[str, Any] = {
            "ok": self.ok,
            "file_format": self.file_format,
            "sheet": self.sheet,
            "encoding": self.encoding,
            "layout": self.layout,
            "header_row": self.header_row,
            "rows_read": self.rows_read,
            "rows_with_errors": self.rows_with_errors,
            "valid_records": len(self.records),
            "error_count": self.error_count,
            "errors_truncated": self.errors_truncated,
            "errors": [e.as_dict() for e in self.errors],
            "ignored_columns": list(self.ignored_columns),
            "ignored_indicators": list(self.ignored_indicators),
            "summary": self.summary.as_dict(),
        }
        if include_records:
            out["records"] = [r.as_dict() for r in self.records]
        return out


def keys(records: Iterable[Record]) -> set[tuple[str, datetime, str]]:
    """(section_code, sampled_at, indicator) of each record: what the caller checks against the database."""
    return {r.key for r in records}


# ----------------------------------------------------------------------------------------- entry point


def parse_measurements(
    data: bytes,
    filename: str,
    *,
    known_sections: Mapping[str, str],
    tz: tzinfo,
    detection_limits: Mapping[str, Decimal] | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_errors: int = DEFAULT_MAX_ERRORS,
) -> ParseResult:
    """Read a CSV / XLSX upload. ``known_sections`` maps section codes *and* names to the canonical code;
    ``tz`` is the zone of naive times; ``detection_limits`` (key → limit in the table unit) serves bare
    "ND" / 未检出 values. Raises MeasurementFileError for file-level problems."""
    with _READER.open(data, filename) as table:
        parser = _Parser(known_sections, tz, detection_limits or {}, max_rows, max_errors, table.format)
        return parser.run(table)


# ------------------------------------------------------------------------------------------- header


def _norm_unit(text: str) -> str:
    return re.sub(r"\s+", "", norm(text).casefold())


def _alias_table() -> tuple[dict[str, str], dict[str, str]]:
    roles = {norm_key(a): role for role, aliases in _ROLE_ALIASES.items() for a in aliases}
    indicators: dict[str, str] = {}
    for key in ALL_KEYS:
        for alias in (key, name_of(key), *_INDICATOR_ALIASES.get(key, ())):
            indicators[norm_key(alias)] = key
    return roles, indicators


_ROLES, _INDICATORS = _alias_table()
_BRACKETED = re.compile(r"^(?P<rest>.*?)\s*[(\[【]\s*(?P<inner>[^()\[\]【】]*?)\s*[)\]】]$")


def _split_unit(text: str) -> tuple[str, list[str]]:
    """Split bracketed tails off a header: ``氨氮(NH3-N)(mg/L)`` → ``("氨氮", ["NH3-N", "mg/L"])``; also
    ``氨氮 mg/L`` when the last word is a known unit."""
    text, inner = norm(text), []
    while (m := _BRACKETED.match(text)) and m["rest"]:
        text = m["rest"]
        inner.insert(0, m["inner"])
    if not inner and " " in text:
        head, _, tail = text.rpartition(" ")
        if any(_norm_unit(tail) in units for units in UNIT_FACTORS.values()):
            return head.strip(), [tail]
    return text, inner


def match_indicator(text: str) -> tuple[str | None, str]:
    """An indicator header / name → (engine key or None, the unit text written with it, "" if none)."""
    whole = _INDICATORS.get(norm_key(text))
    if whole is not None:
        return whole, ""
    name, inner = _split_unit(text)
    key = _INDICATORS.get(norm_key(name))
    if key is None:
        return None, ""
    units = [u for u in inner if _INDICATORS.get(norm_key(u)) != key]  # "化学需氧量(COD)": no unit
    return key, "; ".join(units)


def unit_factor(key: str, unit: str) -> Decimal | None:
    """The factor taking a value of ``key`` written in ``unit`` to the table unit; None if unknown.
    A blank unit is the table unit."""
    table_unit = _TABLE_UNITS[key]
    written = _norm_unit(unit)
    if written in ("", _norm_unit(table_unit)):
        return Decimal(1)
    return UNIT_FACTORS.get(table_unit, {}).get(written)


@dataclass
class _Column:
    index: int  # 0-based
    text: str  # the header as written (stripped)
    role: str  # a role, or "indicator_column" for a wide indicator column
    key: str = ""
    unit: str = ""
    factor: Decimal | None = Decimal(1)


_IND_COLUMN = "indicator_column"


@dataclass
class _Header:
    row: int
    columns: list[_Column]
    ignored: list[str]

    def of(self, role: str) -> list[_Column]:
        return [c for c in self.columns if c.role == role]

    @property
    def recognised(self) -> int:
        return len(self.columns)

    @property
    def layout(self) -> str:
        return LONG if self.of(INDICATOR) and self.of(VALUE) else WIDE


def _analyse_header(row: int, cells: Sequence[Any]) -> _Header:
    columns: list[_Column] = []
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        text = norm(cell_text(cell))
        if not text:
            continue
        role = _ROLES.get(norm_key(text)) or _ROLES.get(norm_key(_split_unit(text)[0]))
        if role:
            columns.append(_Column(index, text, role))
            continue
        key, unit = match_indicator(text)
        if key is None:
            ignored.append(text)
        else:
            columns.append(_Column(index, text, _IND_COLUMN, key, unit, unit_factor(key, unit)))
    return _Header(row, columns, ignored)


_NO_HEADER = "未找到表头：前 20 行中没有可识别的列名（如 断面名称、监测时间、氨氮(mg/L)）"
_READER = TableReader(
    _analyse_header, _NO_HEADER, error=MeasurementFileError, not_text_message="该文件不是文本格式的 CSV 文件"
)


# ---------------------------------------------------------------------------------------------- cells


def _is_blank(cell: Any) -> bool:
    if cell is None:
        return True
    if isinstance(cell, str):
        text = norm(cell)
        return not text or text in _NOT_MEASURED
    return False


_DATETIME = re.compile(
    r"(?P<y>\d{4})[-/.年](?P<mo>\d{1,2})[-/.月](?P<d>\d{1,2})日?"
    r"(?:(?:\s+|T)(?P<time>\d{1,2}(?::\d{1,2}(?::\d{1,2}(?:\.\d{1,6})?)?|时(?:\d{1,2}分)?)))?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?"
)
_TIME_OF_DAY = re.compile(
    r"(?P<h>\d{1,2})(?::(?P<m>\d{1,2})(?::(?P<s>\d{1,2})(?:\.(?P<f>\d{1,6}))?)?|时(?:(?P<m2>\d{1,2})分)?)"
)


def _parse_time_of_day(text: str) -> time | None:
    m = _TIME_OF_DAY.fullmatch(text)
    if m is None:
        return None
    micro = int((m["f"] or "0").ljust(6, "0"))
    return time(int(m["h"]), int(m["m"] or m["m2"] or 0), int(m["s"] or 0), micro)


# A parsed time cell: a datetime (has_time False for a date alone) or a time of day.
_TimePart = tuple[datetime, bool] | time


# The years a sampling time may lie in: the API's own bounds for dates (kernel.kit.FIRST_DAY / LAST_DAY).
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _parse_time_cell(cell: Any, fmt: str) -> _TimePart:
    """Raises ValueError when the cell is not a date / time."""
    if isinstance(cell, datetime):
        return cell, cell.time() != time(0) or cell.tzinfo is not None
    if isinstance(cell, date):
        return datetime.combine(cell, time(0)), False
    if isinstance(cell, time):
        return cell
    if fmt == XLSX and (parsed := excel_datetime(cell)) is not None:
        return parsed, parsed.time() != time(0)  # a date stored as a serial number without a date format
    text = norm(str(cell))
    m = _DATETIME.fullmatch(text)
    if m is None:
        t = _parse_time_of_day(text)
        if t is None:
            raise ValueError(text)
        return t
    t = _parse_time_of_day(m["time"]) if m["time"] else time(0)
    if t is None:  # pragma: no cover - the patterns agree
        raise ValueError(text)
    tz: tzinfo | None = None
    if m["tz"] == "Z":
        tz = UTC
    elif m["tz"]:
        sign = -1 if m["tz"][0] == "-" else 1
        digits = m["tz"][1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0)))
    dt = datetime(int(m["y"]), int(m["mo"]), int(m["d"]), t.hour, t.minute, t.second, t.microsecond, tz)
    if not FIRST_YEAR <= dt.year <= LAST_YEAR:
        # 0001-01-01 in Beijing time is no UTC time at all; 9999-12-31 has no next day.
        raise ValueError(text)
    return dt, bool(m["time"]) or tz is not None


# --------------------------------------------------------------------------------------------- parser


class _Parser:
    def __init__(
        self,
        known_sections: Mapping[str, str],
        tz: tzinfo,
        detection_limits: Mapping[str, Decimal],
        max_rows: int,
        max_errors: int,
        fmt: str,
    ) -> None:
        self.sections = {norm(str(k)): v for k, v in known_sections.items()}
        self.tz, self.detection_limits = tz, detection_limits
        self.max_rows, self.max_errors, self.fmt = max_rows, max_errors, fmt
        self.records: list[Record] = []
        self.errors: list[RowError] = []
        self.error_count = self.rows_read = self.rows_with_errors = 0
        self.seen: dict[tuple[str, datetime, str], int] = {}
        self.ignored_indicators: dict[str, None] = {}

    # -- driving

    def run(self, table: Table[_Header]) -> ParseResult:
        header = table.header
        self._check_header(header)
        self.header = header
        self.section_columns = header.of(SECTION_CODE) + header.of(SECTION_NAME)
        self.time_columns = header.of(TIME)
        layout = header.layout
        if layout == WIDE:
            self.value_columns = [c for c in header.of(_IND_COLUMN) if c.factor is not None]
            for c in header.of(_IND_COLUMN):
                if c.factor is None:
                    self._emit(
                        [self._error(header.row, c, "unknown_unit", _unknown_unit(c.key, c.unit), c.unit)]
                    )
            ignored = header.ignored + [c.text for c in header.of(UNIT) + header.of(FLAG)]
            handle: Callable[[int, Sequence[Any]], None] = self._wide_row
        else:
            (self.ind_col,), (self.val_col,) = header.of(INDICATOR), header.of(VALUE)
            self.unit_col = next(iter(header.of(UNIT)), None)
            self.flag_col = next(iter(header.of(FLAG)), None)
            ignored = header.ignored + [c.text for c in header.of(_IND_COLUMN)]
            handle = self._long_row
        for row, cells in table.rows:
            if all(_is_blank(c) for c in cells):
                continue
            self.rows_read += 1
            if self.rows_read > self.max_rows:
                raise MeasurementFileError(
                    "too_many_rows",
                    f"文件超过 {self.max_rows} 行数据的上限，请拆分后分批导入",
                    max_rows=self.max_rows,
                    row=row,
                )
            handle(row, cells)
        if self.rows_read == 0:
            raise MeasurementFileError("empty_file", "表头下没有数据行", header_row=header.row)
        records = tuple(self.records)
        return ParseResult(
            records=records,
            errors=tuple(sorted(self.errors, key=lambda e: (e.row, e.column_number))),
            error_count=self.error_count,
            rows_read=self.rows_read,
            rows_with_errors=self.rows_with_errors,
            layout=layout,
            file_format=self.fmt,
            header_row=header.row,
            ignored_columns=tuple(dict.fromkeys(ignored)),
            ignored_indicators=tuple(self.ignored_indicators),
            sheet=table.sheet,
            encoding=table.encoding,
            summary=Summary.of(records),
        )

    def _check_header(self, header: _Header) -> None:
        missing = [
            label
            for label, present in (
                ("断面（断面编码 / 断面名称）", header.of(SECTION_CODE) or header.of(SECTION_NAME)),
                ("监测时间", header.of(TIME)),
                (
                    "监测指标（宽表的指标列，或长表的 指标 + 数值 列）",
                    header.layout == LONG or header.of(_IND_COLUMN),
                ),
            )
            if not present
        ]
        if missing:
            raise MeasurementFileError(
                "missing_column",
                f"缺少必需的列：{'、'.join(missing)}",
                header_row=header.row,
                missing=missing,
            )
        roles = [INDICATOR, VALUE, UNIT, FLAG] if header.layout == LONG else []
        for role in roles:
            if len(cols := header.of(role)) > 1:
                raise _duplicate_column(header, cols)
        if header.layout == WIDE:
            by_key: dict[str, list[_Column]] = {}
            for c in header.of(_IND_COLUMN):
                by_key.setdefault(c.key, []).append(c)
            for cols in by_key.values():
                if len(cols) > 1:
                    raise _duplicate_column(header, cols)

    # -- rows

    def _wide_row(self, row: int, cells: Sequence[Any]) -> None:
        present = [(c, _at(cells, c.index)) for c in self.value_columns]
        present = [(c, v) for c, v in present if not _is_blank(v)]
        if not present:
            return  # nothing measured (an automatic station's missing hour)
        errors: list[RowError] = []
        section = self._section(row, cells, errors)
        when = self._time(row, cells, errors)
        records = []
        for col, raw in present:
            reading = self._reading(row, col, col.key, raw, col.factor or Decimal(1), errors)
            if reading is not None and section is not None and when is not None:
                records.append(self._claim(row, col, raw, section, when, col.key, reading, errors))
        self._finish_row(records, errors)

    def _long_row(self, row: int, cells: Sequence[Any]) -> None:
        raw_value = _at(cells, self.val_col.index)
        raw_flag = _at(cells, self.flag_col.index) if self.flag_col else None
        if _is_blank(raw_value) and _is_blank(raw_flag):
            return  # nothing measured
        errors: list[RowError] = []
        name = norm(cell_text(_at(cells, self.ind_col.index)))
        key, unit = match_indicator(name) if name else (None, "")
        if not name:
            errors.append(self._error(row, self.ind_col, "missing_indicator", "缺少监测指标名称", ""))
        elif key is None:
            self.ignored_indicators.setdefault(name, None)
            return  # an indicator the system does not track: reported once, like an unknown column
        section = self._section(row, cells, errors)
        when = self._time(row, cells, errors)
        if key is None:
            self._finish_row([], errors)
            return
        raw_unit = cell_text(_at(cells, self.unit_col.index)) if self.unit_col else ""
        unit = raw_unit or unit
        factor = unit_factor(key, unit)
        if factor is None:
            column = self.unit_col if raw_unit and self.unit_col else self.ind_col
            errors.append(self._error(row, column, "unknown_unit", _unknown_unit(key, unit), unit))
        censored = False
        flag = norm(cell_text(raw_flag)).casefold() if not _is_blank(raw_flag) else ""
        if flag in _CENSORED_FLAGS:
            censored = True
        elif flag not in _NORMAL_FLAGS and self.flag_col is not None:
            errors.append(
                self._error(
                    row,
                    self.flag_col,
                    "unknown_flag",
                    f"无法识别的数据标识「{cell_text(raw_flag)}」（未检出请用 ND、L 或 <，正常数据留空）",
                    cell_text(raw_flag),
                )
            )
        if factor is None:
            self._finish_row([], errors)
            return
        raw = "ND" if censored and _is_blank(raw_value) else raw_value
        reading = self._reading(row, self.val_col, key, raw, factor, errors, censored=censored)
        records = []
        if reading is not None and section is not None and when is not None:
            records.append(self._claim(row, self.val_col, raw, section, when, key, reading, errors))
        self._finish_row(records, errors)

    def _finish_row(self, records: list[Record], errors: list[RowError]) -> None:
        if errors:
            self.rows_with_errors += 1
            self._emit(errors)
        else:
            self.records.extend(records)

    def _emit(self, errors: list[RowError]) -> None:
        self.error_count += len(errors)
        room = self.max_errors - len(self.errors)
        if room > 0:
            self.errors.extend(sorted(errors, key=lambda e: e.column_number)[:room])

    def _error(self, row: int, col: _Column, code: str, message: str, raw: Any) -> RowError:
        return RowError(row, col.text, code, message, cell_text(raw), col.index + 1)

    # -- cells

    def _section(self, row: int, cells: Sequence[Any], errors: list[RowError]) -> str | None:
        found: str | None = None
        first_col: _Column | None = None
        ok = True
        for col in self.section_columns:
            text = norm(cell_text(_at(cells, col.index)))
            if not text:
                continue
            code = self.sections.get(text)
            if code is None:
                errors.append(self._error(row, col, "unknown_section", f"未知断面「{text}」", text))
                ok = False
            elif found is None:
                found, first_col = code, col
            elif code != found:
                assert first_col is not None
                msg = f"「{first_col.text}」与「{col.text}」对应的断面不一致（{found} / {code}）"
                errors.append(self._error(row, col, "section_conflict", msg, text))
                ok = False
        if found is None and ok:
            col = self.section_columns[0]
            errors.append(self._error(row, col, "missing_section", "缺少断面", ""))
        return found if ok else None

    def _time(self, row: int, cells: Sequence[Any], errors: list[RowError]) -> datetime | None:
        dates: list[tuple[_Column, datetime, bool]] = []
        times: list[tuple[_Column, time]] = []
        bad = False
        for col in self.time_columns:
            raw = _at(cells, col.index)
            if _is_blank(raw):
                continue
            try:
                part = _parse_time_cell(raw, self.fmt)
            except (ValueError, OverflowError):
                errors.append(
                    self._error(row, col, "invalid_time", _INVALID_TIME.format(cell_text(raw)), raw)
                )
                bad = True
                continue
            if isinstance(part, time):
                times.append((col, part))
            else:
                dates.append((col, *part))
        if bad:
            return None
        if not dates:
            col = times[0][0] if times else self.time_columns[0]
            msg = "只有时刻、缺少日期" if times else "缺少监测时间"
            errors.append(self._error(row, col, "invalid_time" if times else "missing_time", msg, ""))
            return None
        with_time = [d for d in dates if d[2]]
        col, chosen, _ = with_time[0] if with_time else dates[0]
        if times and not with_time:
            chosen = datetime.combine(chosen.date(), times[0][1])  # 日期 + 时间 columns
        for other_col, other, has_time in dates:
            if other.date() != chosen.date() or (has_time and other != chosen):
                return self._time_conflict(row, col, other_col, _at(cells, other_col.index), errors)
        for other_col, t in times:
            if t.replace(tzinfo=None) != chosen.time():
                return self._time_conflict(row, col, other_col, _at(cells, other_col.index), errors)
        return chosen if chosen.tzinfo is not None else chosen.replace(tzinfo=self.tz)

    def _time_conflict(
        self, row: int, col: _Column, other: _Column, raw: Any, errors: list[RowError]
    ) -> None:
        msg = f"「{col.text}」与「{other.text}」的时间不一致"
        errors.append(self._error(row, other, "time_conflict", msg, raw))

    def _reading(
        self,
        row: int,
        col: _Column,
        key: str,
        raw: Any,
        factor: Decimal,
        errors: list[RowError],
        *,
        censored: bool = False,
    ) -> Reading | None:
        """The cell as a Reading in the table unit, range-checked by the engine; None (+ an error) if bad."""
        value = norm(raw) if isinstance(raw, str) else raw
        try:
            try:
                reading = parse_reading(value, None, key=key)
            except WaterInputError as exc:
                if exc.code != "detection_limit_required":
                    raise
                # A bare "ND": the detection limit comes from the caller, already in the table unit.
                limit = self.detection_limits.get(key) if key not in _NO_CENSORING else Decimal(1)
                if limit is None:
                    raise
                reading, factor = parse_reading(value, limit, key=key), Decimal(1)
            if factor != 1:
                reading = Reading(reading.value * factor, reading.below_detection)
            if censored and not reading.below_detection:
                reading = Reading(reading.value, True)  # a flag ND / L / <: the value is the detection limit
            if reading.below_detection and key in _NO_CENSORING:
                msg = f"{name_of(key)}不能标记为未检出"
                errors.append(self._error(row, col, "censored_not_allowed", msg, raw))
                return None
            if reading.value < 0 or key == "ph":  # only then can the engine's range checks fail
                parse_values({key: reading})  # negative → negative_value (not temp), pH outside 0–14
        except WaterInputError as exc:
            problem = exc.problems[0]
            errors.append(self._error(row, col, problem.code, problem.message, raw))
            return None
        return reading

    def _claim(
        self,
        row: int,
        col: _Column,
        raw: Any,
        section: str,
        when: datetime,
        key: str,
        reading: Reading,
        errors: list[RowError],
    ) -> Record:
        ident = (section, when, key)
        first = self.seen.setdefault(ident, row)
        if first != row:
            msg = (
                f"与第 {first} 行重复（同一断面、时间和指标：{section}、{when.isoformat()}、{name_of(key)}）"
            )
            errors.append(self._error(row, col, "duplicate_in_file", msg, raw))
        return Record(section, when, key, reading.value, reading.below_detection, row)


_INVALID_TIME = "无法识别的时间「{}」（示例：2022-09-20 08:00、2022/9/20 8:00、2022-09-20）"


_UNIT_HINTS = {
    "mg/L": "mg/L、μg/L",
    "无量纲": "不填或“无量纲”",
    "个/L": "个/L、MPN/L、个/100mL、MPN/100mL",
    "μS/cm": "μS/cm、mS/cm、mS/m",
}


def _unknown_unit(key: str, unit: str) -> str:
    table_unit = _TABLE_UNITS[key]
    return f"{name_of(key)}的单位「{unit}」无法识别（可用：{_UNIT_HINTS.get(table_unit, table_unit)}）"


def _duplicate_column(header: _Header, cols: list[_Column]) -> MeasurementFileError:
    texts = [c.text for c in cols]
    return MeasurementFileError(
        "duplicate_column",
        f"多列表示同一内容：{'、'.join(texts)}",
        header_row=header.row,
        columns=texts,
    )


def _at(cells: Sequence[Any], index: int) -> Any:
    return cells[index] if index < len(cells) else None


def _in_key_order(counts: Mapping[str, int]) -> dict[str, int]:
    return {k: counts[k] for k in ALL_KEYS if k in counts}


def _dec_str(value: Decimal) -> str:
    return format(value, "f")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
