"""Reading one data row's cells: text, required values, numbers within the registry's limits, dates and
natural-village lists."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from kernel.sheets import unneutralise
from kernel.tables import cell_text, excel_datetime, norm

from .header import _Col
from .layout import _NONE, XLSX
from .records import RowError

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
