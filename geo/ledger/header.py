"""Finding and checking the ledger's header row: aliases, units in brackets, missing or repeated columns."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kernel.tables import TableReader, cell_text, norm, norm_key

from .layout import (
    _DATUM_ALIASES,
    _REQUIRED,
    _STATUS_ALIASES,
    _UNITS,
    FACILITY_STATUSES,
    LEDGER_COLUMNS,
    LEDGER_FIELDS,
    LEDGER_HEADERS,
)
from .records import LedgerFileError

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
