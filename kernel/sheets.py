"""Excel and CSV as the district's offices send tables to each other — and the one place where text
from users is made safe to open in a spreadsheet.

Pure: the standard library and openpyxl; no Django, no app code (the import-linter contracts keep it so),
so that every app's exports, ``geo``'s ledger included, write through it.

Layout: a merged, bold title row, a bold header, the rows, then footer lines (rounding rule, status,
export time); CSV in UTF-8 with a BOM so that Excel on Windows opens it correctly.

Formula injection (OWASP "CSV injection"). Excel, WPS and LibreOffice take a cell whose text begins with
``= + - @``, a tab or a line break as a formula — in a CSV always, in an XLSX when a user edits the cell
(and openpyxl itself writes any string starting with ``=`` as a formula). A facility or town named
``=HYPERLINK("http://…","点此")`` would become a live link, or worse, on the desk of whoever opens the
export. So every string cell, header, title and footer line goes through :func:`cell_value`:

- text that begins with one of ``= + - @ \\t \\r \\n`` or their full-width forms ``＝ ＋ － ＠`` (which
  input methods produce and some spreadsheets accept) is prefixed with an apostrophe (``'=HYPERLINK(…)``):
  shown as text everywhere, never evaluated;
- text already beginning with apostrophes followed by such a character gets one more apostrophe, so
  that :func:`unneutralise` restores every original exactly (the ledger's export → import round trip);
- text that is a plain decimal numeral (``-5``, ``+3.20``) is left as it is: a spreadsheet reads it
  as that number and nothing else, and an apostrophe would turn a number into text for every reader;
- numbers, dates, booleans and empty cells are not text and stay what they are (``-5`` the integer is a
  number); Decimals are written positionally in CSV (``100``, never ``1E+2``);
- characters that XML 1.0 cannot hold (control characters other than tab and line breaks) are dropped:
  openpyxl refuses them, and they carry no meaning in a table.

Sheet titles go through :func:`sheet_title`: Excel forbids ``/ \\ ? * [ ] :`` (their full-width forms
are used instead), leading or trailing apostrophes and more than 31 characters. A sheet title is never
evaluated, so it needs no apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, cast

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")
_NUMERAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_SHEET_FORBIDDEN = str.maketrans(
    {"/": "／", "\\": "＼", "?": "？", "*": "＊", "[": "［", "]": "］", ":": "："}
)
SHEET_TITLE_MAX = 31  # Excel's limit, in UTF-16 code units


def needs_quote(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula once leading apostrophes are removed."""
    bare = text.lstrip("'")
    return bare[:1] in FORMULA_STARTS and _NUMERAL.fullmatch(bare) is None


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet shows it but never evaluates it (see the module docstring)."""
    return "'" + text if needs_quote(text) else text


def unneutralise(text: str) -> str:
    """The inverse of :func:`neutralise`: ``unneutralise(neutralise(s)) == s`` for every string. An
    apostrophe before ``= + - @`` … is the spreadsheet's "this is text" mark, as Excel itself treats one
    typed by a user."""
    return text[1:] if text.startswith("'") and needs_quote(text[1:]) else text


def cell_value(value: Any) -> Any:
    """What a writer puts in a cell: strings cleaned and neutralised, everything else unchanged."""
    if isinstance(value, str):
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def sheet_title(text: str) -> str:
    """A title Excel accepts for a sheet: forbidden characters in full width, no apostrophe at either
    end, at most 31 characters, never empty."""
    title = ILLEGAL_CHARACTERS_RE.sub("", text).translate(_SHEET_FORBIDDEN).strip().strip("'")
    while len(title.encode("utf-16-le")) > 2 * SHEET_TITLE_MAX:
        title = title[:-1]
    title = title.rstrip().rstrip("'")
    if title.casefold() == "history":  # reserved by Excel
        title += "1"
    return title or "Sheet1"


def titled_xlsx(
    *,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    sheet_name: str = "",
    footer: Sequence[str] = (),
    number_columns: tuple[int, int] | None = None,  # 1-based, inclusive: formatted "0.00"
) -> bytes:
    wb = Workbook()
    ws = cast(Worksheet, wb.active)  # a new workbook's one sheet: never None
    ws.title = sheet_title(sheet_name or title)
    ws.append([cell_value(title)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([cell_value(h) for h in header])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([cell_value(v) for v in row])
    if number_columns is not None:
        for cells in ws.iter_rows(min_row=3, min_col=number_columns[0], max_col=number_columns[1]):
            for cell in cells:
                cell.number_format = "0.00"
    if footer:
        ws.append([])
        for line in footer:
            ws.append([cell_value(line)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([cell_value(h) for h in header])
    writer.writerows([_csv_value(v) for v in row] for row in rows)
    return ("\ufeff" + buf.getvalue()).encode()


def _csv_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    return cell_value(value)
