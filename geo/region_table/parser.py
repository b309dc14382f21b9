"""``parse_regions``: a division list → ``RegionTable`` (valid rows and row errors)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kernel.tables import Table, cell_text, norm, norm_key

from .codes import boundary_wkt, level_of_code, normalise_code, parent_code_of, town_kind_of
from .header import _KINDS, _LEVELS, _READER, _SEPARATORS, _SOURCES, _check_header, _Header
from .layout import (
    CODE_SOURCES,
    DEFAULT_MAX_ROWS,
    DISTRICT,
    NATURAL_VILLAGE,
    REGION_COLUMNS,
    REGION_HEADERS,
    REGION_LEVELS,
    TOWN,
    RegionFileError,
    RegionRow,
    RegionTable,
    RowError,
)


def parse_regions(data: bytes, filename: str, *, max_rows: int = DEFAULT_MAX_ROWS) -> RegionTable:
    """Read a CSV / XLSX list of divisions. Raises RegionFileError for file-level problems."""
    with _READER.open(data, filename) as table:
        return _parse(table, max_rows)


# ----------------------------------------------------------------------------------------------- rows


@dataclass
class _Cells:
    row: int
    cells: Sequence[Any]
    cols: Mapping[str, tuple[int, str]]
    errors: list[RowError] = field(default_factory=list)

    def text(self, name: str) -> str:
        col = self.cols.get(name)
        if col is None or col[0] >= len(self.cells):
            return ""
        return norm(cell_text(self.cells[col[0]]))

    def error(self, name: str, code: str, message: str) -> None:
        index, text = self.cols.get(name, (-1, REGION_HEADERS[list(REGION_COLUMNS).index(name)]))
        self.errors.append(RowError(self.row, text, code, message, self.text(name), index + 1))

    def name(self) -> str:
        """The name as written (only stripped): full-width brackets are part of official names."""
        col = self.cols["name"]
        return cell_text(self.cells[col[0]]) if col[0] < len(self.cells) else ""

    def code(self, name: str) -> str | None:
        text = self.text(name)
        if not text:
            return None
        code = normalise_code(text)
        if code is None:
            label = self.cols[name][1]
            self.error(name, "invalid_code", f"「{label}」应为 12 位数字（或 9 位乡镇代码、6 位区县代码）")
        return code


def _parse(table: Table[_Header], max_rows: int) -> RegionTable:
    cols = _check_header(table.header)
    rows: list[RegionRow] = []
    errors: list[RowError] = []
    rejected: set[str] = set()
    seen: dict[str, int] = {}
    rows_read = 0
    for row, cells in table.rows:
        if all(not cell_text(c) for c in cells):
            continue
        rows_read += 1
        if rows_read > max_rows:
            raise RegionFileError(
                "too_many_rows", f"文件超过 {max_rows} 行数据的上限，请拆分后分批导入", max_rows=max_rows
            )
        c = _Cells(row, cells, cols)
        code, parent_code, name = c.code("code"), c.code("parent_code"), c.name()
        record = _row(c, code, parent_code, name)
        key = code or (f"{parent_code}/{name}" if parent_code and name else None)
        if key is not None and (first := seen.setdefault(key, row)) != row:
            if code:
                c.error("code", "duplicate_code", f"区划代码「{code}」与第 {first} 行重复")
            else:
                c.error("name", "duplicate_name", f"同一上级下的「{name}」与第 {first} 行重复")
        if c.errors:
            errors.extend(sorted(c.errors, key=lambda e: e.column_number))
            rejected.update(filter(None, [code]))
        elif record is not None:
            rows.append(record)
    if rows_read == 0:
        raise RegionFileError("empty_file", "表头下没有数据行", header_row=table.header.row)
    return RegionTable(
        rows=tuple(rows),
        errors=tuple(errors),
        rejected_codes=frozenset(rejected),
        rows_read=rows_read,
        header_row=table.header.row,
        columns={name: (text, index + 1) for name, (index, text) in cols.items()},
        ignored_columns=tuple(dict.fromkeys(table.header.ignored)),
        file_format=table.format,
        sheet=table.sheet,
        encoding=table.encoding,
    )


def _row(c: _Cells, code: str | None, parent_code: str | None, name: str) -> RegionRow | None:
    if not name:
        c.error("name", "missing_name", "缺少名称")
    level = _level(c, code)
    derived = False
    blank_or_valid = code is not None or not c.text("code")
    if level not in (None, DISTRICT) and parent_code is None and not c.text("parent_code") and blank_or_valid:
        parent_code = parent_code_of(code, level) if code else None  # type: ignore[arg-type]
        derived = True
        if parent_code is None:
            why = "自然村没有统计用区划代码" if level == NATURAL_VILLAGE else "没有区划代码的行政村"
            c.error("parent_code", "missing_parent", f"{why}，请填写上级代码")
    if level in (DISTRICT, TOWN) and not c.text("code"):
        c.error("code", "missing_code", f"{REGION_LEVELS[level]}应填写区划代码")
    source = None
    if text := c.text("code_source"):
        source = _SOURCES.get(norm_key(text))
        if source is None:
            known = "、".join(aliases[0] for aliases in CODE_SOURCES.values())
            c.error("code_source", "unknown_code_source", f"无法识别的代码来源「{text}」（可用：{known}）")
    alt: list[str] = []
    for part in filter(None, _SEPARATORS.split(c.text("alt_codes"))):
        alt_code = normalise_code(part)
        if alt_code is None:
            c.error("alt_codes", "invalid_code", f"其他来源代码「{part}」应为 12 位数字")
        elif alt_code not in alt and alt_code != code:
            alt.append(alt_code)
    kind = _town_kind(c, level)
    households = _households(c, level)
    boundary = None
    if text := c.text("boundary"):
        try:
            boundary = boundary_wkt(text)
        except ValueError as exc:
            c.error("boundary", "invalid_boundary", str(exc))
    if c.errors or level is None or not name:
        return None
    return RegionRow(
        c.row, level, name, code, parent_code if level != DISTRICT else None, source, tuple(alt), kind,
        town_kind_of(name) if level == TOWN else "", households, boundary, derived,
    )  # fmt: skip


def _level(c: _Cells, code: str | None) -> str | None:
    structural = level_of_code(code) if code else None
    if code and structural is None:
        c.error("code", "unsupported_level", "这是省级或市级代码：只导入区（县）及以下的区划")
        return None
    text = c.text("level")
    if not text:
        if structural is None and not c.text("code"):
            c.error("level", "unknown_level", "没有区划代码时须填写级别")
        return structural
    level = _LEVELS.get(norm_key(text))
    if level is None:
        known = "区、镇（街道、园区）、行政村（社区）、自然村"
        c.error("level", "unknown_level", f"无法识别的级别「{text}」（可用：{known}）")
        return None
    if structural is not None and level != NATURAL_VILLAGE and level != structural:
        c.error(
            "level",
            "level_mismatch",
            f"区划代码 {code} 按结构应为{REGION_LEVELS[structural]}，与级别「{text}」不一致",
        )
    return level


def _town_kind(c: _Cells, level: str | None) -> str | None:
    text = c.text("town_kind")
    if not text:
        return None
    if level != TOWN:
        c.error("town_kind", "unknown_town_kind", "只有区镇填写区镇类型")
        return None
    kind = _KINDS.get(norm_key(text))
    if kind is None:
        c.error("town_kind", "unknown_town_kind", f"无法识别的区镇类型「{text}」（可用：镇、街道、园区）")
    return kind


def _households(c: _Cells, level: str | None) -> int | None:
    text = c.text("households")
    if not text:
        return None
    if level != NATURAL_VILLAGE:
        c.error("households", "households_not_natural_village", "只有自然村登记户数")
        return None
    try:
        value = float(text)
        if not value.is_integer():
            raise ValueError(text)
    except ValueError:
        c.error("households", "not_a_number", f"「户数」应为整数，实际为「{text}」")
        return None
    if value < 0:
        c.error("households", "negative_value", "「户数」不能为负数")
        return None
    return int(value)
