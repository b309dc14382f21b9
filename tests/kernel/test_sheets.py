"""The one Excel / CSV writer (``kernel.sheets``): no text from users can become a formula, any title
makes a valid sheet, and nothing else in the code base writes a spreadsheet around it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from kernel.sheets import (
    FORMULA_STARTS,
    cell_value,
    csv_bytes,
    needs_quote,
    neutralise,
    sheet_title,
    titled_xlsx,
    unneutralise,
)
from tests.sheets import HOSTILE, inert_csv, inert_xlsx

# Texts made mostly of the characters that matter here, so that hypothesis finds the edge cases.
texts = st.text(alphabet=st.sampled_from([*FORMULA_STARTS, "'", "0", "5", ".", "A", "镇", " ", "("]))
any_text = st.one_of(texts, st.text())


@given(any_text)
def test_neutralised_text_never_starts_like_a_formula_and_comes_back_exactly(text: str) -> None:
    safe = neutralise(text)
    assert unneutralise(safe) == text
    starts_live = safe[:1] in FORMULA_STARTS
    assert not starts_live or re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", safe)
    assert safe in (text, "'" + text)


@given(any_text, any_text)
def test_neutralise_is_one_to_one(a: str, b: str) -> None:
    assert (neutralise(a) == neutralise(b)) == (a == b)


@given(any_text)
def test_text_that_needs_nothing_is_left_alone(text: str) -> None:
    if not needs_quote(text):
        assert neutralise(text) == text == unneutralise(text)


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (HOSTILE, "'" + HOSTILE),
        ("+86 513", "'+86 513"),
        ("-", "'-"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        ("＠A1", "'＠A1"),
        ("'=1", "''=1"),  # one more apostrophe, so that reading back gives "'=1"
        ("-5", "-5"),  # a plain numeral: a spreadsheet reads it as the number, nothing else
        ("+3.20", "+3.20"),
        ("-5+cmd", "'-5+cmd"),
        ("1+1", "1+1"),
        ("常乐镇", "常乐镇"),
        ("", ""),
        ("'", "'"),
    ],
)
def test_neutralise_table(text: str, written: str) -> None:
    assert neutralise(text) == written and unneutralise(written) == text


@pytest.mark.parametrize("value", [-5, -0.5, 3, D("-12.50"), None, True, dt.date(2022, 9, 1)])
def test_values_that_are_not_text_stay_what_they_are(value: object) -> None:
    assert cell_value(value) is value


def test_characters_xml_cannot_hold_are_dropped_before_neutralising() -> None:
    assert cell_value("\x01=1+1\x00") == "'=1+1"


@pytest.mark.parametrize(
    ("title", "sheet"),
    [
        ("常乐/镇:[甲]?*\\问题清单", "常乐／镇：［甲］？＊＼问题清单"),
        ("'常乐镇'", "常乐镇"),
        ("一" * 40, "一" * 31),
        ("", "Sheet1"),
        ("//", "／／"),
        ("History", "History1"),
        ("\x01", "Sheet1"),
        ("😀" * 20, "😀" * 15),  # 31 UTF-16 code units at most
    ],
)
def test_sheet_titles_are_valid_for_excel(title: str, sheet: str) -> None:
    assert sheet_title(title) == sheet
    Workbook().active.title = sheet_title(title)  # openpyxl accepts it


@given(st.text())
def test_any_text_makes_a_sheet_title(title: str) -> None:
    Workbook().active.title = sheet_title(title)


def test_the_writer_neutralises_titles_headers_rows_and_footers() -> None:
    data = titled_xlsx(
        title=HOSTILE,
        header=["序号", "@名称", "得分"],
        rows=[[1, HOSTILE, -5.5], [2, "-5", D("100.00")]],
        footer=["+备注"],
    )
    ((name, rows),) = inert_xlsx(data).items()
    assert name == sheet_title(HOSTILE) == '=HYPERLINK("http：／／evil.example'
    assert rows[0][0] == "'" + HOSTILE and rows[1] == ["序号", "'@名称", "得分"]
    assert rows[2] == [1, "'" + HOSTILE, -5.5] and rows[3] == [2, "-5", 100]
    assert rows[5][0] == "'+备注"


def test_the_csv_writer_neutralises_every_text_cell_and_writes_decimals_plainly() -> None:
    data = csv_bytes(["序号", "=名称"], [[1, HOSTILE, -5, D("1E+2")], [2, "\t@x", D("0.5"), None]])
    assert data.startswith("\ufeff".encode())
    assert inert_csv(data) == [
        ["序号", "'=名称"],
        ["1", "'" + HOSTILE, "-5", "100"],
        ["2", "'\t@x", "0.5", ""],
    ]


def test_nothing_writes_a_spreadsheet_around_the_one_writer() -> None:
    """Every Excel and CSV export goes through ``kernel.sheets``. The ledger writes its own layout but
    puts every cell through ``cell_value``; the demo writes input files, not exports."""
    root = Path(__file__).resolve().parents[2]
    allowed = {"kernel/sheets.py", "geo/ledger/writer.py", "scoring/water/demo.py"}
    writers = re.compile(r"\bWorkbook\(|csv\.(?:writer|DictWriter)\(|\.to_excel\(|xlsxwriter")
    offenders = [
        str(path.relative_to(root))
        for app in ("backend", "checklists", "geo", "media", "scoring")
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts
        and str(path.relative_to(root)) not in allowed
        and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
