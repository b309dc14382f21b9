"""``write_ledger``: the registry back out in the ledger's own layout (XLSX), so a town can round-trip it."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from geo.coords import Datum, LonLat, from_wgs84
from kernel.sheets import cell_value

from .layout import DATUM_TEXT, FACILITY_STATUSES, LEDGER_FIELDS, LEDGER_HEADERS
from .records import LedgerRow

# ---------------------------------------------------------------------------------------------- writer


def write_ledger(rows: Iterable[LedgerRow | Mapping[str, Any]], *, title: str) -> bytes:
    """An XLSX ledger: a title row, then LEDGER_HEADERS, one row per facility. Rows are LedgerRows or
    mappings / objects with the same field names; coordinates are written in their declared datum (the raw
    values, or ``lon`` / ``lat`` in WGS-84 converted to it). ``parse_ledger`` reads it back unchanged.

    Streamed (openpyxl's write-only mode): each row is written once and never looked at again, so the
    time per row is the same for 1,000 facilities as for 24,000 (a worksheet kept in memory answers
    "which is the last row?" by scanning every cell written so far: quadratic)."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    for i, header in enumerate(LEDGER_HEADERS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, 2 * len(header) + 2)
    ws.freeze_panes = "A3"
    ws.merged_cells.add(f"A1:{get_column_letter(len(LEDGER_HEADERS))}1")
    title_cell = _styled(
        ws, cell_value(title), font=Font(bold=True, size=14), alignment=Alignment(horizontal="center")
    )
    ws.append([title_cell])
    bold = Font(bold=True)
    ws.append([_styled(ws, header, font=bold) for header in LEDGER_HEADERS])
    text_columns = {LEDGER_FIELDS.index(f) for f in ("code", "meter_number")}
    for r in rows:
        # "=1+1" is written "'=1+1" (kernel.sheets.cell_value): never a formula; read back as it was.
        cells: list[Any] = [cell_value(v) for v in _ledger_cells(r)]
        for i, value in enumerate(cells):
            if i in text_columns and value is not None:
                cells[i] = _styled(ws, value, number_format="@")
            elif isinstance(value, date):
                cells[i] = _styled(ws, value, number_format="yyyy-mm-dd")
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _styled(ws: Any, value: Any, **style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even when it starts with "="
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _ledger_cells(r: LedgerRow | Mapping[str, Any]) -> list[Any]:
    def get(name: str, default: Any = None) -> Any:
        value = r.get(name, default) if isinstance(r, Mapping) else getattr(r, name, default)
        return default if value is None else value

    datum = Datum(str(get("datum", Datum.WGS84)) or Datum.WGS84)
    raw_lon, raw_lat = get("raw_lon"), get("raw_lat")
    if (raw_lon is None or raw_lat is None) and get("lon") is not None and get("lat") is not None:
        raw = from_wgs84(LonLat(float(get("lon")), float(get("lat"))), datum)
        raw_lon, raw_lat = raw.lon, raw.lat
    serves = list(get("serves", ()))
    households: int | None = None
    if len(serves) == 1:
        villages, households = serves[0][0], serves[0][1]
    else:
        villages = "、".join(n if h is None else f"{n}({h})" for n, h in serves) or None
        if serves and all(h is not None for _, h in serves):
            households = sum(h for _, h in serves)
    status = str(get("status", "in_service"))
    values = {
        **{f: get(f) or None for f in LEDGER_FIELDS},
        "natural_villages": villages,
        "households": households,
        "lon": raw_lon,
        "lat": raw_lat,
        "datum": DATUM_TEXT[datum],
        "capacity_tpd": get("capacity_tpd"),
        "funding": get("funding"),
        "status": FACILITY_STATUSES.get(status, status),
    }
    return [values[f] for f in LEDGER_FIELDS]
