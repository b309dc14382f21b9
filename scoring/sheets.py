"""Excel and CSV as the district's offices send tables to each other: a merged, bold title row, a bold
header, the rows, then footer lines (rounding rule, status, export time); CSV in UTF-8 with a BOM so
that Excel on Windows opens it correctly."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font


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
    ws = wb.active
    ws.title = (sheet_name or title)[:31]
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(list(header))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    if number_columns is not None:
        for cells in ws.iter_rows(min_row=3, min_col=number_columns[0], max_col=number_columns[1]):
            for cell in cells:
                cell.number_format = "0.00"
    if footer:
        ws.append([])
        for line in footer:
            ws.append([line])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(list(header))
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode()
