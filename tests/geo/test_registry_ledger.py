"""The registry ledger shape (geo.ledger.registry) shared by the outfall and pump station ledgers, pure."""

from __future__ import annotations

from datetime import date

import pytest

from geo.ledger.registry import Choice, Header, RegistryLedger, coordinates_paired
from kernel.tables import TableFileError


class _Error(TableFileError):
    pass


def _no_cleared_without_found(values: dict[str, object]) -> tuple[str, str, str] | None:
    return ("day", "needs_flag", "需同时填写“标记”") if "day" in values and "flag" not in values else None


LEDGER = RegistryLedger(
    columns={"code": ("编码", ("编号",)), "kind": ("类型", ()), "lon": ("经度", ("lon",)),
             "lat": ("纬度", ()), "datum": ("坐标系", ()), "flag": ("标记", ("是否",)),
             "day": ("日期", ()), "note": ("备注", ())},
    required=("code", "kind"), error=_Error, bools=frozenset({"flag"}), dates=frozenset({"day"}),
    choices={"kind": Choice({"a": "甲类", "b": "乙类"}, {"甲": "a"})},
    rules=(coordinates_paired, _no_cleared_without_found), max_rows=3,
)  # fmt: skip


def _read(*rows: list[str], header: list[str] | None = None) -> list:  # type: ignore[type-arg]
    head = LEDGER._analyse(1, header or ["编号", "类型", "LON", "纬度", "坐标系", "是否", "日期", "备注"])
    return LEDGER.read_rows(head, enumerate(rows, start=2))


def test_cells_are_read_by_the_kind_of_their_column() -> None:
    (record,) = _read(["A1", "甲", "121.1", "31.9", "高德", "是", "2024年5月1日", " 旁 "])
    assert record.errors == []
    assert record.values == {"code": "A1", "kind": "a", "lon": 121.1, "lat": 31.9, "datum": "gcj02",
                             "flag": True, "day": date(2024, 5, 1), "note": "旁"}  # fmt: skip


def test_each_bad_cell_is_a_row_error_naming_its_column_and_the_rules_wait_for_clean_cells() -> None:
    bad, rule, pair = _read(
        ["A1", "丙类", "东经", "31.9", "火星", "也许", "昨天", ""],
        ["A2", "乙类", "", "", "", "", "2024-05-01", ""],
        ["A3", "a", "121", "", "", "", "", ""],
        ["", "", "", "", "", "", "", ""],  # a blank row is skipped
    )
    assert [(e.code, e.column) for e in bad.errors] == [
        ("invalid_choice", "类型"), ("invalid_number", "LON"), ("invalid_datum", "坐标系"),
        ("invalid_bool", "是否"), ("invalid_date", "日期"),
    ]  # fmt: skip
    assert "甲类、乙类" in bad.errors[0].message
    assert [(e.code, e.column) for e in rule.errors] == [("needs_flag", "日期")]
    assert [(e.code, e.column) for e in pair.errors] == [("missing_value", "纬度")]


def test_required_columns_values_duplicates_and_row_limit() -> None:
    with pytest.raises(_Error) as missing:
        _read(["A1"], header=["编码", "备注"])
    assert missing.value.code == "missing_column" and "类型" in missing.value.message
    first, again, empty = _read(["A1", "a"], ["A1", "b"], ["", "b"], header=["编码", "类型"])
    assert not first.errors and [e.code for e in again.errors] == ["duplicate_in_file"]
    assert [(e.code, e.column) for e in empty.errors] == [("missing_value", "编码")]
    with pytest.raises(_Error) as many:
        _read(*[[f"A{i}", "a"] for i in range(4)], header=["编码", "类型"])
    assert many.value.code == "too_many_rows"


def test_the_header_is_found_by_any_alias_and_names_the_required_columns_when_absent() -> None:
    head = LEDGER._analyse(3, ["说明", "编号", "类型", "编码"])
    assert isinstance(head, Header) and head.columns == {"code": 1, "kind": 2} and head.recognised == 2
    assert "编码”“类型" in LEDGER.reader.no_header_message
