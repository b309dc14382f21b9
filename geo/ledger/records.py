"""What parsing a ledger gives: ``LedgerRow``, ``RowError``, ``Gap``, ``LedgerResult`` and
``LedgerFileError``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from geo.coords import Datum, LonLat
from kernel import tables
from kernel.tables import TableFileError

from .layout import DEFAULT_RULES, LedgerRules

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


def _dec(value: Decimal) -> str:
    return format(value, "f")


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _dec(value)
    return value.isoformat() if isinstance(value, date) else value
