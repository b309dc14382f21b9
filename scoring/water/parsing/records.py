"""What a parse returns: normalised records, the summary, row errors and the file-level error."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from kernel import tables
from kernel.tables import TableFileError
from scoring.engine.water import (
    ALL_KEYS,
    Reading,
    name_of,
)

from .units import _TABLE_UNITS


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


def _in_key_order(counts: Mapping[str, int]) -> dict[str, int]:
    return {k: counts[k] for k in ALL_KEYS if k in counts}


def _dec_str(value: Decimal) -> str:
    return format(value, "f")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
