"""Limits, layouts, formats and the stable codes of file-level and row errors."""

from __future__ import annotations

from kernel import tables

DEFAULT_MAX_ROWS = 2_000_000
DEFAULT_MAX_ERRORS = 10_000
HEADER_SCAN_ROWS = tables.HEADER_SCAN_ROWS
WIDE, LONG = "wide", "long"
CSV, XLSX = tables.CSV, tables.XLSX

# kernel.tables.FILE_ERROR_CODES (empty_file, unsupported_format, unreadable_file, unsupported_encoding,
# no_header) and:
FILE_ERROR_CODES = tables.FILE_ERROR_CODES | frozenset(
    {
        "missing_column",  # no section column, no time column, or no indicator column
        "duplicate_column",  # two columns for the same indicator (or the same long-layout role)
        "too_many_rows",
    }
)
ROW_ERROR_CODES = frozenset(
    {
        "missing_section",
        "unknown_section",  # not among known_sections
        "section_conflict",  # the code and the name columns name different sections
        "missing_time",
        "invalid_time",
        "time_conflict",  # the date and time columns disagree
        "missing_indicator",  # long layout: a value without an indicator
        "unknown_unit",  # wide: reported once, on the header row; long: on the row
        "unknown_flag",  # long layout: a flag other than blank / N (normal) or ND / L / < (censored)
        "not_a_number",  # text in a numeric column
        "not_finite",
        "negative_value",
        "ph_out_of_range",  # pH outside 0–14
        "detection_limit_required",  # "ND" / 未检出 with no number and no detection limit for the indicator
        "invalid_detection_limit",  # a detection limit that is not positive
        "censored_not_allowed",  # "ND" / "<x" for pH or water temperature
        "duplicate_in_file",  # same section, time and indicator as an earlier row
    }
)
