"""Reading uploaded tables (CSV / XLSX) for the import parsers: ``geo.ledger`` and ``scoring.water.parsing``.

Pure: the standard library and openpyxl; no Django, no app code (the import-linter contracts keep it so).
What a row *means* is the parser's business; this module only gets the parser to its header row:

- the format, from magic bytes and extension: XLSX (also .xlsm, or a zip named .csv / without extension),
  CSV; legacy .xls, PDFs and other binary files are refused;
- CSV: the encoding (UTF-16 and UTF-8 by their BOM, else UTF-8, then GB18030 — Chinese Excel exports CSV in
  GBK) and the delimiter (the first of comma, tab, semicolon under which a header is found, else comma);
- XLSX: openpyxl read-only, the first sheet with a header;
- the header: the first of the first ``scan_rows`` rows in which the parser's ``analyse`` recognises at
  least two columns (title rows above it are skipped).

A file that cannot be read raises the parser's ``TableFileError`` subclass (``TableReader.error``) with a
stable code (``FILE_ERROR_CODES``), a zh-Hans message and ``details``. ``RowError`` is the shape of a row
error both parsers report. ``norm`` / ``norm_key`` / ``cell_text`` / ``excel_datetime`` are the cell helpers
both parsers share.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any, Generic, Protocol, TypeVar

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

HEADER_SCAN_ROWS = 20
CSV, XLSX = "csv", "xlsx"

# The codes a TableReader raises; each parser adds its own (missing_column, too_many_rows …).
FILE_ERROR_CODES = frozenset(
    {
        "empty_file",  # no bytes (or only whitespace); the parsers also: no data row under the header
        "unsupported_format",  # not CSV / XLSX (legacy .xls, a PDF, a binary file …)
        "unreadable_file",  # an .xlsx that openpyxl cannot open, a malformed CSV
        "unsupported_encoding",  # CSV neither UTF-8 nor GB18030
        "no_header",  # no row in the first 20 (of any sheet) with at least two known columns
    }
)
UNSUPPORTED_MESSAGE = "只支持 CSV（.csv）和 Excel（.xlsx）文件"

Rows = Iterator[tuple[int, Sequence[Any]]]  # (1-based row number, cells)

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_DELIMITERS = ",\t;"


class TableFileError(ValueError):
    """The file as a whole cannot be read: ``code`` (FILE_ERROR_CODES), zh-Hans ``message``, ``details``."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        self.code, self.message, self.details = code, message, details
        super().__init__(message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # 1-based, as the user sees it (header row included; the sheet row in XLSX)
    column: str  # the column's header text
    code: str  # the parser's ROW_ERROR_CODES
    message: str  # zh-Hans
    value: str  # the raw cell value as text
    column_number: int = 0  # 1-based; 0 when unknown

    @property
    def cell(self) -> str:
        """The cell reference ("C7"); "" when the column is unknown."""
        return f"{get_column_letter(self.column_number)}{self.row}" if self.column_number else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "code": self.code,
            "message": self.message,
            "value": self.value,
        }


# ----------------------------------------------------------------------------------------------- cells


def norm(text: str) -> str:
    """NFKC (full-width letters, digits and brackets → ASCII), stripped."""
    return unicodedata.normalize("NFKC", text).strip()


def norm_key(text: str) -> str:
    """Alias matching: NFKC, casefolded, without spaces, underscores, hyphens and middle dots."""
    return re.sub(r"[\s_\-·]+", "", norm(text).casefold())


def cell_text(cell: Any) -> str:
    """A cell as the user wrote it: "" for empty, 3.0 → "3", dates and times ISO, text stripped."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date | time):
        return cell.isoformat(sep=" ") if isinstance(cell, datetime) else cell.isoformat()
    return str(cell).strip()


def excel_datetime(cell: Any) -> datetime | None:
    """An XLSX number that is a date stored as a serial number without a date format (1990–2099); else
    None. Only for XLSX cells: in a CSV, 44000 is a number."""
    if isinstance(cell, int | float) and not isinstance(cell, bool) and 32874 <= cell < 73051:
        parsed = from_excel(cell)
        if isinstance(parsed, datetime):
            return parsed
    return None


# ---------------------------------------------------------------------------------------------- reader


class Header(Protocol):
    """What a parser's ``analyse(row, cells)`` returns: its reading of a candidate header row."""

    @property
    def recognised(self) -> int:
        """How many of the row's cells name a known column."""
        ...


H = TypeVar("H", bound=Header)


@dataclass(frozen=True)
class Table(Generic[H]):
    """A table found in an upload: the header row and the rows under it (read lazily; in XLSX only while
    ``TableReader.open`` is open)."""

    format: str  # CSV / XLSX
    header: H
    rows: Rows
    sheet: str = ""  # XLSX: the sheet read
    encoding: str = ""  # CSV: the encoding detected


@dataclass(frozen=True)
class TableReader(Generic[H]):
    """One parser's way of finding its table: ``analyse`` reads a candidate header row, ``error`` is the
    parser's file error, ``no_header_message`` names its example columns. ``not_text_message`` is the
    message for a .csv holding NUL bytes (details: filename); None gives the unsupported-format message
    (details: filename, extension)."""

    analyse: Callable[[int, Sequence[Any]], H]
    no_header_message: str
    error: type[TableFileError] = TableFileError
    not_text_message: str | None = None
    scan_rows: int = HEADER_SCAN_ROWS

    @contextmanager
    def open(self, data: bytes, filename: str) -> Iterator[Table[H]]:
        """The table in ``data`` (an upload named ``filename``); raises ``error`` when there is none. An
        XLSX workbook stays open until the ``with`` block ends, so read the rows inside it."""
        fmt = self.detect_format(data, filename)
        if fmt == CSV:
            encoding = self.detect_encoding(data)
            found = self.find_header(self.csv_rows(data, encoding))
            if found is None:
                raise self._no_header()
            yield Table(CSV, *found, encoding=encoding)
            return
        wb = self._workbook(data)
        try:
            for ws in wb.worksheets:
                ws.reset_dimensions()  # some writers record a wrong sheet dimension; read what is there
                found = self.find_header(enumerate(ws.iter_rows(values_only=True), start=1))
                if found is not None:
                    yield Table(XLSX, *found, sheet=ws.title)
                    return
        finally:
            wb.close()
        raise self._no_header()

    def find_header(self, rows: Rows) -> tuple[H, Rows] | None:
        """The header (a row within the first ``scan_rows`` with two recognised columns) and the rest of
        ``rows`` (the iterator, advanced past it); None when there is none."""
        for row, cells in rows:
            if row > self.scan_rows:
                return None
            header = self.analyse(row, cells)
            if header.recognised >= 2:
                return header, rows
        return None

    def detect_format(self, data: bytes, filename: str) -> str:
        """CSV or XLSX, from the magic bytes and the extension."""
        ext = PurePath(filename or "").suffix.lower()
        if not data or (len(data) < 4096 and not data.strip()):
            raise self.error("empty_file", "文件为空", filename=filename)
        if data.startswith(_ZIP_MAGIC):
            if ext not in (".xlsx", ".xlsm", ".csv", ""):
                raise self._unsupported(filename, ext)
            return XLSX
        if data.startswith(_OLE_MAGIC):
            raise self.error(
                "unsupported_format",
                "不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后上传",
                filename=filename,
            )
        if ext in (".xlsx", ".xlsm"):
            raise self.error("unreadable_file", "该文件不是有效的 xlsx 文件", filename=filename)
        if ext not in (".csv", ""):
            raise self._unsupported(filename, ext)
        head = data[:8192]
        if b"\x00" in head and not head.startswith(_UTF16_BOMS):
            if self.not_text_message is None:
                raise self._unsupported(filename, ext)
            raise self.error("unsupported_format", self.not_text_message, filename=filename)
        return CSV

    def detect_encoding(self, data: bytes) -> str:
        """A CSV's encoding: "utf-16" / "utf-8-sig" by the BOM, else "utf-8", then "gb18030"."""
        if data.startswith(_UTF16_BOMS):
            candidates: tuple[str, ...] = ("utf-16",)
        elif data.startswith(codecs.BOM_UTF8):
            candidates = ("utf-8-sig",)
        else:
            candidates = ("utf-8", "gb18030")
        for encoding in candidates:
            if _decodes(data, encoding):
                return encoding
        raise self.error(
            "unsupported_encoding",
            "无法识别文件编码：请将 CSV 保存为 UTF-8 或 GB18030（GBK）编码",
            tried=list(candidates),
        )

    def csv_rows(self, data: bytes, encoding: str) -> Rows:
        """The CSV's rows, numbered from 1; a malformed CSV raises ``unreadable_file`` when reached."""
        delimiter = self.delimiter(data[:65536].decode(encoding, errors="ignore"))
        reader = csv.reader(
            io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline=""), delimiter=delimiter
        )
        try:
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise self.error(
                "unreadable_file", f"CSV 格式错误（第 {reader.line_num} 行附近）：{exc}", line=reader.line_num
            ) from exc

    def delimiter(self, sample: str) -> str:
        """The first of comma, tab, semicolon under which ``sample`` has a header (else comma)."""
        return next((d for d in _DELIMITERS if self.find_header(_sample_rows(sample, d)) is not None), ",")

    def _workbook(self, data: bytes) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "no default style" and the like
            try:
                return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            except Exception as exc:  # BadZipFile, KeyError, InvalidFileException, XML errors …
                raise self.error(
                    "unreadable_file",
                    "无法读取该 xlsx 文件，请确认文件未损坏并用 Excel 另存后重试",
                    reason=str(exc),
                ) from exc

    def _unsupported(self, filename: str, ext: str) -> TableFileError:
        return self.error("unsupported_format", UNSUPPORTED_MESSAGE, filename=filename, extension=ext)

    def _no_header(self) -> TableFileError:
        return self.error("no_header", self.no_header_message, rows_scanned=self.scan_rows)


def _decodes(data: bytes, encoding: str, chunk: int = 1 << 20) -> bool:
    """Whether ``data`` decodes, checked chunk by chunk (nothing decoded is kept)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        for start in range(0, len(data), chunk):
            decoder.decode(data[start : start + chunk])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _sample_rows(sample: str, delimiter: str) -> Rows:
    """The sample's rows under ``delimiter``; a CSV error (the sample may end mid-field) ends them."""
    try:
        yield from enumerate(csv.reader(io.StringIO(sample), delimiter=delimiter), start=1)
    except csv.Error:
        return
