"""Uploaded river-section water-quality measurement files (CSV / XLSX) → normalised records + row errors.

Pure: the standard library, openpyxl and ``kernel.tables`` (the CSV / XLSX reading shared with
``geo.ledger``); no Django. The caller owns the database side (known sections, duplicates against stored
data, the import itself, "valid rows only"); this module only reads and checks.

What it accepts:
- CSV in UTF-8, UTF-8 with BOM, GB18030 (Chinese Excel exports CSV in GBK / GB18030) or UTF-16 with BOM;
  comma, tab or semicolon separated. XLSX (openpyxl, read-only): the first sheet whose first 20 rows hold a
  recognisable header. Legacy .xls and anything else is refused with a file-level error.
- Layout from the header: *long* (section, time, indicator, value, unit, flag — one value per row) when it
  has an indicator and a value column, else *wide* (one row per sample time, one column per indicator).
  Header aliases are Chinese or English; indicator columns are named by the engine's zh name, its key or a
  common abbreviation, optionally followed by a unit in brackets: ``氨氮(mg/L)``, ``汞[μg/L]``, ``COD``.
  A header without a unit means the indicator's table unit. Title rows above the header are skipped.
- Separate date and time-of-day columns (``日期`` + ``时间``) are combined. Naive times are in ``tz``
  (Asia/Shanghai); an explicit offset is kept as written. A date alone is a lab's daily sample: midnight.
- Values: numbers, and the censored forms of ``scoring.engine.water.parse_reading`` ("ND", "未检出",
  "<0.01", "0.01L"; in the long layout also a flag ND / L / <). A bare "ND" takes its detection limit from
  ``detection_limits`` (in the table unit). A blank cell, or a lone dash / slash ("-", "--", "—", "/"),
  means not measured: no record. The censored *rule* (half the detection limit …) is not applied here:
  records keep the reported value and the below-detection flag; the evaluation applies the rule later.
- Units are converted to the table unit (``UNIT_FACTORS``): μg/L → mg/L ÷ 1000, 个/100mL → 个/L × 10,
  mS/cm → μS/cm × 1000 … An unknown unit is an error (in the wide layout once, on the header row).

Errors: anything that makes the whole file unreadable raises ``MeasurementFileError`` (``FILE_ERROR_CODES``);
everything else is a ``RowError`` (``ROW_ERROR_CODES``) with the row number as the user sees it (1-based,
header included; the sheet row in XLSX), the column's header text, a stable code, a zh-Hans message and the
raw value. ``ParseResult.records`` holds only the records of rows without any error, so "import the valid
rows only" is ``result.records`` and "import nothing when there are errors" is ``if not result.ok``.
Duplicates inside the file (same section, time and indicator) are an error on the later row; a value that
parsed is claimed by its row even when something else in that row is wrong.

Modules: ``codes`` (limits, error codes), ``units``, ``header`` (aliases, layout, table reading), ``cells``
(blanks, censoring flags, times), ``records`` (the result types), ``parser`` (the entry point and the rows).
"""

from .cells import FIRST_YEAR, LAST_YEAR
from .codes import (
    CSV,
    DEFAULT_MAX_ERRORS,
    DEFAULT_MAX_ROWS,
    FILE_ERROR_CODES,
    HEADER_SCAN_ROWS,
    LONG,
    ROW_ERROR_CODES,
    WIDE,
    XLSX,
)
from .header import FLAG, INDICATOR, SECTION_CODE, SECTION_NAME, TIME, UNIT, VALUE, match_indicator
from .parser import parse_measurements
from .records import MeasurementFileError, ParseResult, Record, RowError, SectionSummary, Summary, keys
from .units import UNIT_FACTORS, unit_factor

__all__ = [
    "CSV",
    "DEFAULT_MAX_ERRORS",
    "DEFAULT_MAX_ROWS",
    "FILE_ERROR_CODES",
    "FIRST_YEAR",
    "FLAG",
    "HEADER_SCAN_ROWS",
    "INDICATOR",
    "LAST_YEAR",
    "LONG",
    "ROW_ERROR_CODES",
    "SECTION_CODE",
    "SECTION_NAME",
    "TIME",
    "UNIT",
    "UNIT_FACTORS",
    "VALUE",
    "WIDE",
    "XLSX",
    "MeasurementFileError",
    "ParseResult",
    "Record",
    "RowError",
    "SectionSummary",
    "Summary",
    "keys",
    "match_indicator",
    "parse_measurements",
    "unit_factor",
]
