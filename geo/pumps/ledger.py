"""The pump station ledger (排涝泵站台账) as a table, pure: the columns (the export's layout, which
re-imports), the header with its aliases, and each row read into plain values or row errors — the outfall
ledger's shape (:mod:`geo.outfalls.ledger`). No Django: :mod:`geo.pumps.ledger_io` resolves towns and
writes through the registry's services."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kernel.tables import RowError, TableFileError, TableReader, cell_text, norm_key

from ..coords import Datum
from ..ledger.layout import _DATUM_ALIASES

# field → (header as exported, aliases accepted on import)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": ("泵站编码", ("编码", "泵站编号", "编号")),
    "name": ("泵站名称", ("名称", "泵站")),
    "town": ("责任区镇", ("区镇", "所在区镇", "镇（街道、园区）")),
    "river": ("所在河道", ("河道", "所在河流", "河流")),
    "lon": ("经度", ("lon", "longitude")),
    "lat": ("纬度", ("lat", "latitude")),
    "datum": ("坐标系", ("坐标基准",)),
    "holds_sewage": ("拦蓄污水", ("是否拦蓄污水",)),
    "found_on": ("发现拦蓄污水日期", ("发现日期",)),
    "cleared_on": ("清零日期", ("清零",)),
    "note": ("备注", ()),
}
HEADERS = [header for header, _ in COLUMNS.values()]
REQUIRED = ("code", "name", "town")
MAX_ROWS = 5000

_YES = {"是", "有", "y", "yes", "true", "1", "√"}
_NO = {"否", "无", "n", "no", "false", "0", "×"}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")
_ALIASES = {norm_key(a): f for f, (h, aliases) in COLUMNS.items() for a in (h, f, *aliases)}
_DATUMS = {norm_key(a): d.value for d, aliases in _DATUM_ALIASES.items() for a in (d.value, *aliases)}


class PumpLedgerError(TableFileError):
    """The file as a whole cannot be read (``FILE_ERROR_CODES`` and ``missing_column``, ``too_many_rows``)."""


@dataclass
class Header:
    row: int
    columns: dict[str, int]  # field → 0-based index (the first column of that name)
    texts: dict[str, str]

    @property
    def recognised(self) -> int:
        return len(self.columns)


def _analyse(row: int, cells: Sequence[Any]) -> Header:
    columns: dict[str, int] = {}
    texts: dict[str, str] = {}
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        found = _ALIASES.get(norm_key(text)) if text else None
        if found is not None and found not in columns:
            columns[found], texts[found] = index, text
    return Header(row, columns, texts)


READER: TableReader[Header] = TableReader(
    analyse=_analyse,
    no_header_message=f"找不到表头：前 20 行中没有含“{'”“'.join(HEADERS[:3])}”等列的行",
    error=PumpLedgerError,
)


@dataclass
class Record:
    """A row read: the values given (only the columns present and filled), or its errors."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def read_date(text: str) -> date | None:
    """2024-05-01, 2024/5/1, 2024.5.1, 2024年5月1日 (a time after it ignored); None when not a date."""
    m = _DATE.match(text.strip())
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def read_rows(header: Header, rows: Any) -> list[Record]:
    """Every non-empty row under the header as a ``Record``; a code repeated in the file is an error."""
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in header.columns]
    if missing:
        raise PumpLedgerError("missing_column", f"缺少必需的列：{'、'.join(missing)}", missing=missing)
    out: list[Record] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        texts = {f: cell_text(cells[i]) if i < len(cells) else "" for f, i in header.columns.items()}
        if not any(texts.values()):
            continue
        if len(out) >= MAX_ROWS:
            raise PumpLedgerError("too_many_rows", f"台账最多 {MAX_ROWS} 行", limit=MAX_ROWS)
        record = _read(number, texts, header)
        code = record.values.get("code")
        if code and code in seen:
            record.errors.append(_error(number, "code", header, "duplicate_in_file",
                                        f"编码与第 {seen[code]} 行重复", code))  # fmt: skip
        elif code:
            seen[code] = number
        out.append(record)
    return out


def _error(row: int, f: str, header: Header, code: str, message: str, value: str) -> RowError:
    column = header.columns.get(f)
    return RowError(row, header.texts.get(f, COLUMNS[f][0]), code, message, value,
                    column + 1 if column is not None else 0)  # fmt: skip


def _read(number: int, texts: dict[str, str], header: Header) -> Record:
    record = Record(number)

    def fail(f: str, code: str, message: str) -> None:
        record.errors.append(_error(number, f, header, code, message, texts.get(f, "")))

    for f, text in texts.items():
        if f in REQUIRED and not text:
            fail(f, "missing_value", f"{COLUMNS[f][0]}不能为空")
        elif not text:  # a blank cell gives nothing: defaults for a new station, a known one keeps its own
            continue
        elif f == "holds_sewage":
            key = norm_key(text)
            if key in _YES or key in _NO:
                record.values[f] = key in _YES
            else:
                fail(f, "invalid_bool", f"{COLUMNS[f][0]}应填“是”或“否”")
        elif f in ("found_on", "cleared_on"):
            day = read_date(text)
            if day is None:
                fail(f, "invalid_date", f"{COLUMNS[f][0]}应为日期，如 2024-05-01")
            else:
                record.values[f] = day
        elif f in ("lon", "lat"):
            try:
                record.values[f] = float(text)
            except ValueError:
                fail(f, "invalid_number", f"{COLUMNS[f][0]}应为数字")
        elif f == "datum":
            datum = _DATUMS.get(norm_key(text))
            if datum is None:
                fail(f, "invalid_datum", "坐标系应为 WGS-84、GCJ-02（高德）、BD-09（百度）或 CGCS2000")
            else:
                record.values[f] = datum
        else:
            record.values[f] = text
    values = record.values
    if ("lon" in values) != ("lat" in values) and not record.errors:
        fail("lon" if "lon" not in values else "lat", "missing_value", "经度、纬度应同时填写")
    if values.get("holds_sewage") is True and "cleared_on" in values and not record.errors:
        fail(
            "cleared_on", "cleared_while_holding", "仍拦蓄污水的泵站不能填清零日期（清零后“拦蓄污水”填“否”）"
        )
    if "holds_sewage" not in values and not record.errors:
        for f in ("found_on", "cleared_on"):
            if f in values:
                fail(f, "missing_value", f"填写{COLUMNS[f][0]}时应同时填写“拦蓄污水”（是 / 否）")
                break
    return record


def ledger_rows(stations: Sequence[Any]) -> list[list[Any]]:
    """The export's rows, in ``HEADERS`` order (values as the import reads them back)."""
    rows = []
    for s in stations:
        p = s.location
        rows.append([
            s.code, s.name, s.town.name, s.river,
            s.location_raw_lon if p is not None else None, s.location_raw_lat if p is not None else None,
            (s.location_datum or Datum.WGS84.value) if p is not None else "",
            "是" if s.holds_sewage else "否", s.sewage_found_on, s.sewage_cleared_on, s.note,
        ])  # fmt: skip
    return rows
