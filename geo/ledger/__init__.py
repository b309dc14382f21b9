"""Towns' rural sewage facility ledgers (台账, CSV / XLSX) → facility rows, row errors and data-rule gaps;
and the writer of the same layout, so a town can round-trip its ledger.

Pure: the standard library, openpyxl, ``kernel.tables``, ``kernel.sheets`` and ``geo.coords``; no Django
(``FACILITY_STATUSES`` mirrors ``geo.models.FacilityStatus``; a test keeps them in step). The caller owns the
database side: known towns and villages, town boundaries, the dry run and the upsert by facility code.

Reading is ``kernel.tables``, shared with ``scoring.water.parsing``: CSV in UTF-8 (± BOM), GB18030 or
UTF-16, comma / tab / semicolon separated; XLSX (openpyxl, read-only), the first sheet with a header in its
first 20 rows (title rows above it are skipped). Header aliases are Chinese or English (``LEDGER_COLUMNS``);
a unit in brackets on the capacity or funding header must be t/d or 万元/年. Blank rows and 合计 / 小计 rows
without a code are skipped; a cell holding only "-", "—", "/" or "无" is blank. Text is written through
``kernel.sheets.cell_value`` (a name like ``=1+1`` is written ``'=1+1``, never a formula) and read back
through ``kernel.sheets.unneutralise``: an apostrophe before ``= + - @`` is the spreadsheet's text mark, as
Excel treats one typed by a user.
自然村 holds one name (服务户数 gives its households) or a list ``一组(40)、二组(35)`` (full-width brackets,
、，,；; accepted; 服务户数 is then optional and must equal the sum). Coordinates are converted from the
declared datum (坐标系, blank = WGS-84) to WGS-84 with ``geo.coords.to_wgs84``; raw values and datum are kept.

A file that cannot be read raises ``LedgerFileError`` (``FILE_ERROR_CODES``); everything else is a
``RowError`` (``ROW_ERROR_CODES``): the row as the user sees it (1-based, the sheet row in XLSX), the header
text, a stable code, a zh-Hans message, the raw value. ``LedgerResult.rows`` holds only rows without errors:
"nothing imported when any row is invalid" is ``if not result.ok``, "valid rows only" is ``result.rows``.
A repeated facility code is an error on the later row, naming the first.

The seed's data rules (``LedgerRules``) are *gaps*, not errors — ≥ 20 t/d needs coordinates and a meter
number, 5–20 t/d needs coordinates — listed per row with its town (``gaps_by_town``).

"Coordinates fall in the facility's town" needs the town boundaries, which this module does not have: the
caller passes ``check_towns`` a distance function (metres from the row's WGS-84 point to its declared town,
0 inside; e.g. GEOS on ``Region.boundary``). Farther than ``town_tolerance_m`` is an ``outside_town`` error
by default — coordinates in another town are wrong data, and the row leaves ``rows`` — or, with
``as_gap=True``, a gap. The rule and its message (``is_outside``, ``outside_message``) are also what the
registry applies to a facility entered by hand, so a point the ledger refuses is refused there too.
"""

from .containment import check_towns, is_outside, outside_message
from .layout import (
    CSV,
    DATUM_TEXT,
    DEFAULT_MAX_ERRORS,
    DEFAULT_MAX_ROWS,
    DEFAULT_RULES,
    FACILITY_STATUSES,
    FILE_ERROR_CODES,
    GAP_CODES,
    HEADER_SCAN_ROWS,
    LEDGER_COLUMNS,
    LEDGER_FIELDS,
    LEDGER_HEADERS,
    ROW_ERROR_CODES,
    XLSX,
    LedgerRules,
)
from .parser import parse_ledger
from .records import Gap, LedgerFileError, LedgerResult, LedgerRow, RowError, gaps_by_town
from .writer import _ledger_cells, write_ledger

__all__ = [
    "CSV",
    "DATUM_TEXT",
    "DEFAULT_MAX_ERRORS",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_RULES",
    "FACILITY_STATUSES",
    "FILE_ERROR_CODES",
    "GAP_CODES",
    "HEADER_SCAN_ROWS",
    "LEDGER_COLUMNS",
    "LEDGER_FIELDS",
    "LEDGER_HEADERS",
    "ROW_ERROR_CODES",
    "XLSX",
    "Gap",
    "LedgerFileError",
    "LedgerResult",
    "LedgerRow",
    "LedgerRules",
    "RowError",
    "_ledger_cells",  # bench/ledger_export times the cell layout alone
    "check_towns",
    "gaps_by_town",
    "is_outside",
    "outside_message",
    "parse_ledger",
    "write_ledger",
]
