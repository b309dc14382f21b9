"""kernel.tables: the CSV / XLSX reading shared by the ledger and the water-measurement parsers."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import openpyxl
import pytest

from geo import ledger
from kernel import tables
from kernel.tables import CSV, XLSX, RowError, TableFileError, TableReader, cell_text, excel_datetime
from scoring.water import parsing

KNOWN = {"断面", "时间", "氨氮"}


@dataclass
class Header:
    row: int
    cells: list[str]

    @property
    def recognised(self) -> int:
        return sum(c in KNOWN for c in self.cells)


def analyse(row: int, cells: Sequence[Any]) -> Header:
    return Header(row, [cell_text(c) for c in cells])


class MyError(TableFileError):
    pass


READER = TableReader(analyse, "未找到表头", MyError)
ROWS = [["标题"], ["断面", "时间", "氨氮"], ["HH01", "2022-09-20", "0.35"]]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", sep: str = ",") -> bytes:
    return "\r\n".join(sep.join(r) for r in rows).encode(encoding)


def xlsx_bytes(*sheets: list[list[Any]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for i, rows in enumerate(sheets):
        ws = wb.create_sheet(f"S{i}")
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def read(data: bytes, filename: str = "t.csv", reader: TableReader[Header] = READER) -> Any:
    with reader.open(data, filename) as table:
        return table, [list(cells) for _, cells in table.rows]


def error(data: bytes, filename: str = "t.csv", reader: TableReader[Header] = READER) -> MyError:
    with pytest.raises(MyError) as exc:
        read(data, filename, reader)
    assert exc.value.code in tables.FILE_ERROR_CODES and exc.value.message
    return exc.value


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("gbk", "gb18030"),
        ("gb18030", "gb18030"),
        ("utf-16", "utf-16"),
    ],
)
def test_csv_encodings(encoding: str, expected: str) -> None:
    table, rows = read(csv_bytes(ROWS, encoding))
    assert (table.format, table.encoding, table.header.row, table.sheet) == (CSV, expected, 2, "")
    assert rows == [["HH01", "2022-09-20", "0.35"]]


def test_encoding_is_checked_over_the_whole_file_across_chunk_boundaries() -> None:
    # > 1 MiB of GB18030 with a two-byte character straddling the 1 MiB chunk boundary.
    data = b"a" + "中".encode("gb18030") * (1 << 19)
    assert READER.detect_encoding(data) == "gb18030"
    assert READER.detect_encoding("中".encode() * 400_000) == "utf-8"
    exc = error(b"\x81\x30\xff\xff\x80")
    assert exc.code == "unsupported_encoding" and exc.details == {"tried": ["utf-8", "gb18030"]}


@pytest.mark.parametrize("sep", [",", "\t", ";"])
def test_delimiter_is_the_one_under_which_a_header_is_found(sep: str) -> None:
    table, rows = read(csv_bytes(ROWS, sep=sep))
    assert table.header.cells == ["断面", "时间", "氨氮"] and rows == [["HH01", "2022-09-20", "0.35"]]
    assert READER.delimiter("x;y\r\n断面;时间\r\n") == ";"
    assert READER.delimiter("no header here") == ","


def test_xlsx_first_sheet_with_a_header() -> None:
    table, rows = read(xlsx_bytes([["封面"]], ROWS), "t.xlsx")
    assert (table.format, table.sheet, table.header.row, table.encoding) == (XLSX, "S1", 2, "")
    assert rows == [["HH01", "2022-09-20", "0.35"]]


def test_header_must_be_within_the_scanned_rows() -> None:
    exc = error(csv_bytes([["标题"]] * 20 + ROWS[1:]))
    assert (exc.code, exc.message, exc.details) == ("no_header", "未找到表头", {"rows_scanned": 20})
    assert error(xlsx_bytes([["x"]], [["y"]]), "t.xlsx").code == "no_header"
    table, _ = read(csv_bytes([["标题"]] * 19 + ROWS[1:]))
    assert table.header.row == 20


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "t.csv", "empty_file"),
        (b"  \r\n ", "t.csv", "empty_file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "t.xls", "unsupported_format"),
        (b"%PDF-1.7", "t.pdf", "unsupported_format"),
        (b"PK\x03\x04broken", "t.zip", "unsupported_format"),
        (b"PK\x03\x04broken", "t.xlsx", "unreadable_file"),
        (b"a,b\r\n", "t.xlsx", "unreadable_file"),
        (b'"' + b"x" * 200_000 + b'"\r\n', "t.csv", "unreadable_file"),  # over csv's field size limit
    ],
)
def test_file_errors(data: bytes, filename: str, code: str) -> None:
    assert error(data, filename).code == code


def test_xls_is_refused_with_a_hint() -> None:
    exc = error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "台账.xls")
    assert "另存为 .xlsx 或 CSV" in exc.message and exc.details == {"filename": "台账.xls"}


def test_a_binary_csv_message_is_the_parsers_choice() -> None:
    binary = b"\x89PNG\r\n\x1a\n\0\0\0"
    exc = error(binary)
    assert (exc.message, exc.details) == (
        tables.UNSUPPORTED_MESSAGE,
        {"filename": "t.csv", "extension": ".csv"},
    )
    exc = error(binary, reader=TableReader(analyse, "未找到表头", MyError, "不是文本"))
    assert (exc.message, exc.details) == ("不是文本", {"filename": "t.csv"})
    assert READER.detect_format(csv_bytes(ROWS, "utf-16"), "t.csv") == CSV  # NULs, but a UTF-16 BOM


def test_each_parser_raises_its_own_error_class() -> None:
    with pytest.raises(ledger.LedgerFileError) as led:
        ledger.parse_ledger(b"%PDF", "x.pdf")
    with pytest.raises(parsing.MeasurementFileError) as mea:
        parsing.parse_measurements(b"%PDF", "x.pdf", known_sections={}, tz=None)  # type: ignore[arg-type]
    assert not isinstance(led.value, parsing.MeasurementFileError)
    assert not isinstance(mea.value, ledger.LedgerFileError)
    assert isinstance(led.value, TableFileError) and isinstance(mea.value, ValueError)
    assert ledger.FILE_ERROR_CODES >= tables.FILE_ERROR_CODES <= parsing.FILE_ERROR_CODES


def test_row_error_as_dict_per_parser() -> None:
    args = (7, "氨氮", "not_a_number", "应为数字", "abc", 3)
    water = parsing.RowError(*args).as_dict()
    assert water == {
        "row": 7,
        "column": "氨氮",
        "cell": "C7",
        "code": "not_a_number",
        "message": "应为数字",
        "value": "abc",
    }
    assert ledger.RowError(*args).as_dict() == {**water, "column_number": 3}
    assert RowError(1, "x", "c", "m", "v").cell == ""


def test_cell_text_and_excel_dates() -> None:
    assert [cell_text(c) for c in (None, 3.0, 2.5, " x ", date(2022, 9, 20))] == [
        "",
        "3",
        "2.5",
        "x",
        "2022-09-20",
    ]
    assert cell_text(datetime(2022, 9, 20, 8, 0)) == "2022-09-20 08:00:00"
    assert cell_text(time(8, 30)) == "08:30:00"
    assert excel_datetime(44824) == datetime(2022, 9, 20)
    assert excel_datetime(44824.5) == datetime(2022, 9, 20, 12)
    assert [excel_datetime(v) for v in (True, 12, 80000, "44824")] == [None, None, None, None]
