"""Reading air and dust-fall files (CSV / XLSX through ``kernel.tables``): one row per station and hour
(``air_hourly``), per station and day (``air_daily``: the day's statistics as a station reports them) or per
dust-fall jar and exposure (``dust``). No Django.

Columns are found by alias (case, spaces, ``_``/``-`` and a bracketed unit ignored): station or point
(编码 or 名称), 时间 (or 日期 + 小时 0–23) / 日期, the pollutants (SO2, NO2, PM10, PM2.5, CO, O3; daily
files O3_1h and O3_8h — a plain O3 column is the day's highest 1 h), 开始日期 / 结束日期 / 降尘量.
Units: μg/m³, CO mg/m³, deposit t/km² over the exposure (converted values are not guessed). An hourly time
is the hour's *start* (13:00 = 13:00–14:00), naive times are Asia/Shanghai (``tz``). An empty cell, "-",
"—" or "NA" is no value that hour (not an error); a negative or non-numeric value is a row error, as is an
unknown station, a bad time and a second row for the same station and time."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

from kernel.tables import RowError, TableFileError, TableReader, cell_text, excel_datetime, norm, norm_key

HOURLY, DAILY, DUST = "air_hourly", "air_daily", "dust"
MAX_ROWS = 200_000

ROW_ERROR_CODES = frozenset(
    {"unknown_station", "missing_time", "invalid_time", "invalid_value", "missing_value", "end_before_start",
     "duplicate_in_file", "duplicate_existing", "overlapping_exposure"}
)  # fmt: skip

_ALIASES: Mapping[str, tuple[str, ...]] = {
    "station": ("站点编码", "站点代码", "站点名称", "站点", "监测站点", "监测点", "点位编码", "点位名称",
                "点位", "降尘点位", "station", "stationcode", "point", "code"),
    "time": ("时间", "监测时间", "数据时间", "日期时间", "时段", "小时", "hour", "datetime", "time"),
    "date": ("日期", "监测日期", "date", "day"),
    "start": ("开始日期", "放缸日期", "起始日期", "start"),
    "end": ("结束日期", "收缸日期", "截止日期", "end"),
    "deposit": ("降尘量", "降尘", "deposit"),
    "so2": ("SO2", "二氧化硫"),
    "no2": ("NO2", "二氧化氮"),
    "pm10": ("PM10", "可吸入颗粒物"),
    "pm25": ("PM2.5", "PM25", "细颗粒物"),
    "co": ("CO", "一氧化碳"),
    "o3": ("O3", "臭氧"),
    "o3_1h": ("O3_1h", "O3 1h", "O3最大1小时", "臭氧1小时", "O3日最大1小时"),
    "o3_8h": ("O3_8h", "O3 8h", "O38小时", "臭氧8小时", "O3最大8小时", "O3日最大8小时", "O3_8h_max"),
}  # fmt: skip
_LOOKUP = {norm_key(a): role for role, aliases in _ALIASES.items() for a in aliases}
_POLLUTANTS = ("so2", "no2", "pm10", "pm25", "co", "o3")
STATISTICS = ("so2", "no2", "pm10", "pm25", "co", "o3_1h", "o3_8h")
_REQUIRED = {
    HOURLY: ("station", "time"),
    DAILY: ("station", "date"),
    DUST: ("station", "start", "end", "deposit"),
}
_BLANK = {"", "-", "—", "--", "na", "n/a", "null", "/"}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H",
                 "%Y/%m/%d %H", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M")  # fmt: skip
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")


class AirFileError(TableFileError):
    """The file as a whole cannot be read (``kernel.tables`` codes, plus missing_column, too_many_rows)."""


def _role(text: str) -> str | None:
    bare = re.sub(r"[（(\[【].*$", "", norm(text))  # "PM2.5（μg/m³）" → "PM2.5"
    return _LOOKUP.get(norm_key(bare)) or _LOOKUP.get(norm_key(text))


@dataclass(frozen=True)
class _Header:
    columns: Mapping[str, int]  # role → 0-based column
    texts: Mapping[str, str]

    @property
    def recognised(self) -> int:
        return len(self.columns)


def _analyse(row: int, cells: Sequence[Any]) -> _Header:
    columns: dict[str, int] = {}
    texts: dict[str, str] = {}
    for i, cell in enumerate(cells):
        role = _role(cell_text(cell))
        if role and role not in columns:
            columns[role], texts[role] = i, cell_text(cell)
    return _Header(columns, texts)


_READER = TableReader(
    analyse=_analyse,
    no_header_message=(
        "前 20 行中没有找到表头：需要「站点编码」「时间」及污染物列"
        "（或「点位编码」「开始日期」「结束日期」「降尘量」）"
    ),
    error=AirFileError,
)


@dataclass(frozen=True)
class AirRecord:
    row: int
    code: str  # station or dust-fall point code
    at: datetime | date  # hourly: the hour's start (aware); daily: the day; dust: the exposure's start
    values: Mapping[str, Decimal | None]  # pollutant or statistic → value; dust: {"deposit": …}
    end: date | None = None  # dust only

    @property
    def key(self) -> tuple[str, Any]:
        return (self.code, self.at)


@dataclass
class ParseResult:
    kind: str
    records: list[AirRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        bad = {e.row for e in self.errors}
        return {
            "kind": self.kind,
            "rows": self.rows,
            "valid_rows": len(self.records),
            "error_count": len(self.errors),
            "error_rows": len(bad),
            "errors": [e.as_dict() for e in self.errors[:500]],
        }


def parse_air(data: bytes, filename: str, *, kind: str, known: Mapping[str, str], tz: tzinfo) -> ParseResult:
    """The file's records and row errors. ``known`` maps codes and names of the registry's points to codes."""
    result = ParseResult(kind)
    with _READER.open(data, filename) as table:
        header = table.header
        missing = [r for r in _REQUIRED[kind] if r not in header.columns]
        wanted = STATISTICS if kind == DAILY else _POLLUTANTS if kind == HOURLY else ()
        if kind == DAILY and "o3" in header.columns and "o3_1h" not in header.columns:
            header = _Header(
                {**header.columns, "o3_1h": header.columns["o3"]},
                {**header.texts, "o3_1h": header.texts["o3"]},
            )
        if wanted and not any(p in header.columns for p in wanted):
            missing.append("pollutants")
        if missing:
            raise AirFileError("missing_column", f"缺少必需的列：{'、'.join(missing)}", missing=missing)
        seen: set[tuple[str, Any]] = set()
        for row, cells in table.rows:
            if all(cell_text(c) == "" for c in cells):
                continue
            result.rows += 1
            if result.rows > MAX_ROWS:
                raise AirFileError("too_many_rows", f"文件超过 {MAX_ROWS} 行，请分批导入", max_rows=MAX_ROWS)
            record = _record(kind, row, cells, header, known, tz, result.errors, wanted)
            if record is None:
                continue
            if record.key in seen:
                col = "time" if kind == HOURLY else "date" if kind == DAILY else "start"
                result.errors.append(
                    _error(header, row, col, "duplicate_in_file", "文件中该点位此时间已有一行", cells)
                )
                continue
            seen.add(record.key)
            result.records.append(record)
    return result


def _cell(cells: Sequence[Any], i: int) -> Any:
    return cells[i] if i < len(cells) else None


def _error(header: _Header, row: int, role: str, code: str, message: str, cells: Sequence[Any]) -> RowError:
    i = header.columns.get(role, -1)
    return RowError(
        row, header.texts.get(role, role), code, message, cell_text(_cell(cells, i)) if i >= 0 else "", i + 1
    )


def _record(
    kind: str, row: int, cells: Sequence[Any], header: _Header, known: Mapping[str, str], tz: tzinfo,
    errors: list[RowError], wanted: Sequence[str],
) -> AirRecord | None:  # fmt: skip
    before = len(errors)
    raw_code = norm(cell_text(_cell(cells, header.columns["station"])))
    code = known.get(raw_code)
    if code is None:
        errors.append(
            _error(header, row, "station", "unknown_station", "点位不存在或已停用（按编码或名称）", cells)
        )
    if kind == HOURLY:
        day = _day(_cell(cells, header.columns["date"])) if "date" in header.columns else None
        at: datetime | date | None = _hour(_cell(cells, header.columns["time"]), tz, day)
        if at is None:
            errors.append(
                _error(header, row, "time", "invalid_time", "时间应为整点，如 2024-03-01 13:00", cells)
            )
    else:
        at = _day(_cell(cells, header.columns["start" if kind == DUST else "date"]))
        if at is None:
            role = "start" if kind == DUST else "date"
            errors.append(_error(header, row, role, "invalid_time", "日期无法识别，应如 2024-03-01", cells))
    end = None
    if kind == DUST:
        end = _day(_cell(cells, header.columns["end"]))
        if end is None:
            errors.append(_error(header, row, "end", "invalid_time", "日期无法识别，应如 2024-03-31", cells))
        elif isinstance(at, date) and end < at:
            errors.append(_error(header, row, "end", "end_before_start", "结束日期早于开始日期", cells))
        wanted = ("deposit",)
    values: dict[str, Decimal | None] = {}
    for key in wanted:
        if key not in header.columns:
            continue
        raw = cell_text(_cell(cells, header.columns[key]))
        if raw.casefold() in _BLANK:
            if kind == DUST:
                errors.append(_error(header, row, key, "missing_value", "缺少降尘量", cells))
            values[key] = None
            continue
        try:
            value = Decimal(norm(raw))
        except InvalidOperation:
            value = Decimal(-1)
        if not value.is_finite() or value < 0 or value >= Decimal("10000000"):
            errors.append(_error(header, row, key, "invalid_value", "应为不小于 0 的数值", cells))
            continue
        values[key] = value
    if len(errors) > before or code is None or at is None:
        return None
    return AirRecord(row, code, at, values, end)


def _hour(cell: Any, tz: tzinfo, day: date | None = None) -> datetime | None:
    """The hour's start from a date-time cell, or — with a 日期 column — an hour of that day: 0–23, "13",
    "13:00" or a time cell."""
    value = cell if isinstance(cell, datetime) else excel_datetime(cell)
    if value is None:
        text = norm(cell_text(cell))
        value = next((v for f in _TIME_FORMATS if (v := _strptime(text, f)) is not None), None)
        if value is None and day is not None:
            if isinstance(cell, time):
                value = datetime.combine(day, cell)
            elif re.fullmatch(r"\d{1,2}", text) and int(text) <= 23:
                value = datetime.combine(day, time(int(text)))
            elif re.fullmatch(r"\d{1,2}:00(:00)?", text) and int(text.split(":")[0]) <= 23:
                value = datetime.combine(day, time(int(text.split(":")[0])))
    if value is None or value.minute or value.second or value.microsecond:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def _day(cell: Any) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    stamp = excel_datetime(cell)
    if stamp is not None:
        return stamp.date()
    text = norm(cell_text(cell)).split(" ")[0]
    parsed = next((v for f in _DATE_FORMATS if (v := _strptime(text, f)) is not None), None)
    return parsed.date() if parsed else None


def _strptime(text: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        return None
