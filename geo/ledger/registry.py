"""A registry's ledger (台账) as a table, pure — the shape shared by the outfall and pump station ledgers:
named columns with header aliases (the export's layout, which re-imports), required columns, and each row
read into plain values or row errors by the kind of its column (text, number, yes / no, date, datum, a
choice among labels), then a registry's own rule across the row's values. No Django: the registry's
``ledger_io`` resolves towns and writes through its services (:mod:`geo.services.registry_ledgers`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from kernel.tables import RowError, TableFileError, TableReader, cell_text, norm_key

from ..coords import Datum
from .layout import _DATUM_ALIASES

MAX_ROWS = 5000
_YES = {"是", "有", "y", "yes", "true", "1", "√"}
_NO = {"否", "无", "n", "no", "false", "0", "×"}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$")
_DATUMS = {norm_key(a): d.value for d, aliases in _DATUM_ALIASES.items() for a in (d.value, *aliases)}
DATUM_MESSAGE = "坐标系应为 WGS-84、GCJ-02（高德）、BD-09（百度）或 CGCS2000"


def read_date(text: str) -> date | None:
    """2024-05-01, 2024/5/1, 2024.5.1, 2024年5月1日 (a time after it ignored); None when not a date."""
    m = _DATE.match(text.strip())
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def yes_no(value: bool) -> str:
    return "是" if value else "否"


@dataclass
class Header:
    row: int
    columns: dict[str, int]  # field → 0-based index (the first column of that name)
    texts: dict[str, str]

    @property
    def recognised(self) -> int:
        return len(self.columns)


@dataclass
class Record:
    """A row read: the values given (only the columns present and filled), or its errors."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class Choice:
    """A column holding one of ``labels`` (value → label as exported); ``extra`` are more spellings."""

    labels: Mapping[str, str]
    extra: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def lookup(self) -> dict[str, str]:
        out = {norm_key(k): k for k in self.labels} | {norm_key(v): k for k, v in self.labels.items()}
        return out | {norm_key(k): v for k, v in self.extra.items()}

    def label(self, value: str) -> str:
        return self.labels.get(value, value)


# A rule across a row's values, run when its cells read cleanly: (field, code, message) of the first
# problem, or None.
RowRule = Callable[[dict[str, Any]], "tuple[str, str, str] | None"]


def coordinates_paired(values: dict[str, Any]) -> tuple[str, str, str] | None:
    if ("lon" in values) != ("lat" in values):
        return ("lon" if "lon" not in values else "lat", "missing_value", "经度、纬度应同时填写")
    return None


@dataclass(frozen=True)
class RegistryLedger:
    """One registry's ledger layout. ``columns``: field → (header as exported, aliases accepted on import);
    ``lon`` / ``lat`` are numbers and ``datum`` a datum wherever they appear; ``bools`` read 是 / 否,
    ``dates`` read a day, ``choices`` one of their labels; every other column is text. ``rules`` run in
    order on a row whose cells read cleanly; the first problem is the row's error."""

    columns: Mapping[str, tuple[str, tuple[str, ...]]]
    required: tuple[str, ...]
    error: type[TableFileError]
    bools: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()
    choices: Mapping[str, Choice] = field(default_factory=dict)
    rules: tuple[RowRule, ...] = (coordinates_paired,)
    max_rows: int = MAX_ROWS

    @property
    def headers(self) -> list[str]:
        return [header for header, _ in self.columns.values()]

    @cached_property
    def _aliases(self) -> dict[str, str]:
        return {norm_key(a): f for f, (h, aliases) in self.columns.items() for a in (h, f, *aliases)}

    @cached_property
    def reader(self) -> TableReader[Header]:
        example = "”“".join(self.columns[f][0] for f in self.required)
        return TableReader(
            analyse=self._analyse, no_header_message=f"找不到表头：前 20 行中没有含“{example}”等列的行",
            error=self.error,
        )  # fmt: skip

    def _analyse(self, row: int, cells: Sequence[Any]) -> Header:
        columns: dict[str, int] = {}
        texts: dict[str, str] = {}
        for index, cell in enumerate(cells):
            text = cell_text(cell)
            found = self._aliases.get(norm_key(text)) if text else None
            if found is not None and found not in columns:
                columns[found], texts[found] = index, text
        return Header(row, columns, texts)

    def read_rows(self, header: Header, rows: Iterable[tuple[int, Sequence[Any]]]) -> list[Record]:
        """Every non-empty row under the header as a ``Record``; a code repeated in the file is an error."""
        missing = [self.columns[f][0] for f in self.required if f not in header.columns]
        if missing:
            raise self.error("missing_column", f"缺少必需的列：{'、'.join(missing)}", missing=missing)
        out: list[Record] = []
        seen: dict[str, int] = {}
        for number, cells in rows:
            texts = {f: cell_text(cells[i]) if i < len(cells) else "" for f, i in header.columns.items()}
            if not any(texts.values()):
                continue
            if len(out) >= self.max_rows:
                raise self.error("too_many_rows", f"台账最多 {self.max_rows} 行", limit=self.max_rows)
            record = self._read(number, texts, header)
            code = record.values.get("code")
            if code and code in seen:
                message = f"编码与第 {seen[code]} 行重复"
                record.errors.append(self.row_error(number, "code", header, "duplicate_in_file", message,
                                                    code))  # fmt: skip
            elif code:
                seen[code] = number
            out.append(record)
        return out

    def row_error(self, row: int, f: str, header: Header, code: str, message: str, value: str) -> RowError:
        column = header.columns.get(f)
        return RowError(row, header.texts.get(f, self.columns[f][0]), code, message, value,
                        column + 1 if column is not None else 0)  # fmt: skip

    def _cell(self, f: str, text: str) -> tuple[Any, tuple[str, str] | None]:
        """The cell's value, or (None, (code, message))."""
        name = self.columns[f][0]
        if f in self.choices:
            value = self.choices[f].lookup.get(norm_key(text))
            labels = "、".join(self.choices[f].labels.values())
            return (value, None) if value is not None else (None, ("invalid_choice", f"{name}应为：{labels}"))
        if f in self.bools:
            key = norm_key(text)
            if key in _YES or key in _NO:
                return key in _YES, None
            return None, ("invalid_bool", f"{name}应填“是”或“否”")
        if f in self.dates:
            day = read_date(text)
            if day is None:
                return None, ("invalid_date", f"{name}应为日期，如 2024-05-01")
            return day, None
        if f in ("lon", "lat"):
            try:
                return float(text), None
            except ValueError:
                return None, ("invalid_number", f"{name}应为数字")
        if f == "datum":
            datum = _DATUMS.get(norm_key(text))
            return (datum, None) if datum is not None else (None, ("invalid_datum", DATUM_MESSAGE))
        return text, None

    def _read(self, number: int, texts: dict[str, str], header: Header) -> Record:
        record = Record(number)

        def fail(f: str, code: str, message: str) -> None:
            record.errors.append(self.row_error(number, f, header, code, message, texts.get(f, "")))

        for f, text in texts.items():
            if f in self.required and not text:
                fail(f, "missing_value", f"{self.columns[f][0]}不能为空")
            elif text:  # a blank cell gives nothing: defaults for a new entry, a known one keeps its own
                value, problem = self._cell(f, text)
                if problem is None:
                    record.values[f] = value
                else:
                    fail(f, *problem)
        for rule in self.rules:
            if record.errors:
                break
            problem = rule(record.values)
            if problem is not None:
                fail(*problem)
        return record


def location_cells(entry: Any) -> list[Any]:
    """An entry's 经度, 纬度, 坐标系 cells as written (raw values in their datum; blank without a point)."""
    if entry.location is None:
        return [None, None, ""]
    return [entry.location_raw_lon, entry.location_raw_lat, entry.location_datum or Datum.WGS84.value]
