"""The entry point and the row parser: wide and long rows, sections, times, readings and in-file
duplicates, each problem a row error."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time, tzinfo
from decimal import Decimal
from typing import Any

from kernel.tables import Table, cell_text, norm
from scoring.engine.water import (
    Reading,
    WaterInputError,
    name_of,
    parse_reading,
    parse_values,
)

from .cells import (
    _CENSORED_FLAGS,
    _INVALID_TIME,
    _NO_CENSORING,
    _NORMAL_FLAGS,
    _at,
    _is_blank,
    _parse_time_cell,
)
from .codes import DEFAULT_MAX_ERRORS, DEFAULT_MAX_ROWS, LONG, WIDE
from .header import (
    _IND_COLUMN,
    _READER,
    FLAG,
    INDICATOR,
    SECTION_CODE,
    SECTION_NAME,
    TIME,
    UNIT,
    VALUE,
    _Column,
    _duplicate_column,
    _Header,
    match_indicator,
)
from .records import MeasurementFileError, ParseResult, Record, RowError, Summary
from .units import _unknown_unit, unit_factor


def parse_measurements(
    data: bytes,
    filename: str,
    *,
    known_sections: Mapping[str, str],
    tz: tzinfo,
    detection_limits: Mapping[str, Decimal] | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_errors: int = DEFAULT_MAX_ERRORS,
) -> ParseResult:
    """Read a CSV / XLSX upload. ``known_sections`` maps section codes *and* names to the canonical code;
    ``tz`` is the zone of naive times; ``detection_limits`` (key → limit in the table unit) serves bare
    "ND" / 未检出 values. Raises MeasurementFileError for file-level problems."""
    with _READER.open(data, filename) as table:
        parser = _Parser(known_sections, tz, detection_limits or {}, max_rows, max_errors, table.format)
        return parser.run(table)


class _Parser:
    def __init__(
        self,
        known_sections: Mapping[str, str],
        tz: tzinfo,
        detection_limits: Mapping[str, Decimal],
        max_rows: int,
        max_errors: int,
        fmt: str,
    ) -> None:
        self.sections = {norm(str(k)): v for k, v in known_sections.items()}
        self.tz, self.detection_limits = tz, detection_limits
        self.max_rows, self.max_errors, self.fmt = max_rows, max_errors, fmt
        self.records: list[Record] = []
        self.errors: list[RowError] = []
        self.error_count = self.rows_read = self.rows_with_errors = 0
        self.seen: dict[tuple[str, datetime, str], int] = {}
        self.ignored_indicators: dict[str, None] = {}

    # -- driving

    def run(self, table: Table[_Header]) -> ParseResult:
        header = table.header
        self._check_header(header)
        self.header = header
        self.section_columns = header.of(SECTION_CODE) + header.of(SECTION_NAME)
        self.time_columns = header.of(TIME)
        layout = header.layout
        if layout == WIDE:
            self.value_columns = [c for c in header.of(_IND_COLUMN) if c.factor is not None]
            for c in header.of(_IND_COLUMN):
                if c.factor is None:
                    self._emit(
                        [self._error(header.row, c, "unknown_unit", _unknown_unit(c.key, c.unit), c.unit)]
                    )
            ignored = header.ignored + [c.text for c in header.of(UNIT) + header.of(FLAG)]
            handle: Callable[[int, Sequence[Any]], None] = self._wide_row
        else:
            (self.ind_col,), (self.val_col,) = header.of(INDICATOR), header.of(VALUE)
            self.unit_col = next(iter(header.of(UNIT)), None)
            self.flag_col = next(iter(header.of(FLAG)), None)
            ignored = header.ignored + [c.text for c in header.of(_IND_COLUMN)]
            handle = self._long_row
        for row, cells in table.rows:
            if all(_is_blank(c) for c in cells):
                continue
            self.rows_read += 1
            if self.rows_read > self.max_rows:
                raise MeasurementFileError(
                    "too_many_rows",
                    f"文件超过 {self.max_rows} 行数据的上限，请拆分后分批导入",
                    max_rows=self.max_rows,
                    row=row,
                )
            handle(row, cells)
        if self.rows_read == 0:
            raise MeasurementFileError("empty_file", "表头下没有数据行", header_row=header.row)
        records = tuple(self.records)
        return ParseResult(
            records=records,
            errors=tuple(sorted(self.errors, key=lambda e: (e.row, e.column_number))),
            error_count=self.error_count,
            rows_read=self.rows_read,
            rows_with_errors=self.rows_with_errors,
            layout=layout,
            file_format=self.fmt,
            header_row=header.row,
            ignored_columns=tuple(dict.fromkeys(ignored)),
            ignored_indicators=tuple(self.ignored_indicators),
            sheet=table.sheet,
            encoding=table.encoding,
            summary=Summary.of(records),
        )

    def _check_header(self, header: _Header) -> None:
        missing = [
            label
            for label, present in (
                ("断面（断面编码 / 断面名称）", header.of(SECTION_CODE) or header.of(SECTION_NAME)),
                ("监测时间", header.of(TIME)),
                (
                    "监测指标（宽表的指标列，或长表的 指标 + 数值 列）",
                    header.layout == LONG or header.of(_IND_COLUMN),
                ),
            )
            if not present
        ]
        if missing:
            raise MeasurementFileError(
                "missing_column",
                f"缺少必需的列：{'、'.join(missing)}",
                header_row=header.row,
                missing=missing,
            )
        roles = [INDICATOR, VALUE, UNIT, FLAG] if header.layout == LONG else []
        for role in roles:
            if len(cols := header.of(role)) > 1:
                raise _duplicate_column(header, cols)
        if header.layout == WIDE:
            by_key: dict[str, list[_Column]] = {}
            for c in header.of(_IND_COLUMN):
                by_key.setdefault(c.key, []).append(c)
            for cols in by_key.values():
                if len(cols) > 1:
                    raise _duplicate_column(header, cols)

    # -- rows

    def _wide_row(self, row: int, cells: Sequence[Any]) -> None:
        present = [(c, _at(cells, c.index)) for c in self.value_columns]
        present = [(c, v) for c, v in present if not _is_blank(v)]
        if not present:
            return  # nothing measured (an automatic station's missing hour)
        errors: list[RowError] = []
        section = self._section(row, cells, errors)
        when = self._time(row, cells, errors)
        records = []
        for col, raw in present:
            reading = self._reading(row, col, col.key, raw, col.factor or Decimal(1), errors)
            if reading is not None and section is not None and when is not None:
                records.append(self._claim(row, col, raw, section, when, col.key, reading, errors))
        self._finish_row(records, errors)

    def _long_row(self, row: int, cells: Sequence[Any]) -> None:
        raw_value = _at(cells, self.val_col.index)
        raw_flag = _at(cells, self.flag_col.index) if self.flag_col else None
        if _is_blank(raw_value) and _is_blank(raw_flag):
            return  # nothing measured
        errors: list[RowError] = []
        name = norm(cell_text(_at(cells, self.ind_col.index)))
        key, unit = match_indicator(name) if name else (None, "")
        if not name:
            errors.append(self._error(row, self.ind_col, "missing_indicator", "缺少监测指标名称", ""))
        elif key is None:
            self.ignored_indicators.setdefault(name, None)
            return  # an indicator the system does not track: reported once, like an unknown column
        section = self._section(row, cells, errors)
        when = self._time(row, cells, errors)
        if key is None:
            self._finish_row([], errors)
            return
        raw_unit = cell_text(_at(cells, self.unit_col.index)) if self.unit_col else ""
        unit = raw_unit or unit
        factor = unit_factor(key, unit)
        if factor is None:
            column = self.unit_col if raw_unit and self.unit_col else self.ind_col
            errors.append(self._error(row, column, "unknown_unit", _unknown_unit(key, unit), unit))
        censored = False
        flag = norm(cell_text(raw_flag)).casefold() if not _is_blank(raw_flag) else ""
        if flag in _CENSORED_FLAGS:
            censored = True
        elif flag not in _NORMAL_FLAGS and self.flag_col is not None:
            errors.append(
                self._error(
                    row,
                    self.flag_col,
                    "unknown_flag",
                    f"无法识别的数据标识「{cell_text(raw_flag)}」（未检出请用 ND、L 或 <，正常数据留空）",
                    cell_text(raw_flag),
                )
            )
        if factor is None:
            self._finish_row([], errors)
            return
        raw = "ND" if censored and _is_blank(raw_value) else raw_value
        reading = self._reading(row, self.val_col, key, raw, factor, errors, censored=censored)
        records = []
        if reading is not None and section is not None and when is not None:
            records.append(self._claim(row, self.val_col, raw, section, when, key, reading, errors))
        self._finish_row(records, errors)

    def _finish_row(self, records: list[Record], errors: list[RowError]) -> None:
        if errors:
            self.rows_with_errors += 1
            self._emit(errors)
        else:
            self.records.extend(records)

    def _emit(self, errors: list[RowError]) -> None:
        self.error_count += len(errors)
        room = self.max_errors - len(self.errors)
        if room > 0:
            self.errors.extend(sorted(errors, key=lambda e: e.column_number)[:room])

    def _error(self, row: int, col: _Column, code: str, message: str, raw: Any) -> RowError:
        return RowError(row, col.text, code, message, cell_text(raw), col.index + 1)

    # -- cells

    def _section(self, row: int, cells: Sequence[Any], errors: list[RowError]) -> str | None:
        found: str | None = None
        first_col: _Column | None = None
        ok = True
        for col in self.section_columns:
            text = norm(cell_text(_at(cells, col.index)))
            if not text:
                continue
            code = self.sections.get(text)
            if code is None:
                errors.append(self._error(row, col, "unknown_section", f"未知断面「{text}」", text))
                ok = False
            elif found is None:
                found, first_col = code, col
            elif code != found:
                assert first_col is not None
                msg = f"「{first_col.text}」与「{col.text}」对应的断面不一致（{found} / {code}）"
                errors.append(self._error(row, col, "section_conflict", msg, text))
                ok = False
        if found is None and ok:
            col = self.section_columns[0]
            errors.append(self._error(row, col, "missing_section", "缺少断面", ""))
        return found if ok else None

    def _time(self, row: int, cells: Sequence[Any], errors: list[RowError]) -> datetime | None:
        dates: list[tuple[_Column, datetime, bool]] = []
        times: list[tuple[_Column, time]] = []
        bad = False
        for col in self.time_columns:
            raw = _at(cells, col.index)
            if _is_blank(raw):
                continue
            try:
                part = _parse_time_cell(raw, self.fmt)
            except (ValueError, OverflowError):
                errors.append(
                    self._error(row, col, "invalid_time", _INVALID_TIME.format(cell_text(raw)), raw)
                )
                bad = True
                continue
            if isinstance(part, time):
                times.append((col, part))
            else:
                dates.append((col, *part))
        if bad:
            return None
        if not dates:
            col = times[0][0] if times else self.time_columns[0]
            msg = "只有时刻、缺少日期" if times else "缺少监测时间"
            errors.append(self._error(row, col, "invalid_time" if times else "missing_time", msg, ""))
            return None
        with_time = [d for d in dates if d[2]]
        col, chosen, _ = with_time[0] if with_time else dates[0]
        if times and not with_time:
            chosen = datetime.combine(chosen.date(), times[0][1])  # 日期 + 时间 columns
        for other_col, other, has_time in dates:
            if other.date() != chosen.date() or (has_time and other != chosen):
                return self._time_conflict(row, col, other_col, _at(cells, other_col.index), errors)
        for other_col, t in times:
            if t.replace(tzinfo=None) != chosen.time():
                return self._time_conflict(row, col, other_col, _at(cells, other_col.index), errors)
        return chosen if chosen.tzinfo is not None else chosen.replace(tzinfo=self.tz)

    def _time_conflict(
        self, row: int, col: _Column, other: _Column, raw: Any, errors: list[RowError]
    ) -> None:
        msg = f"「{col.text}」与「{other.text}」的时间不一致"
        errors.append(self._error(row, other, "time_conflict", msg, raw))

    def _reading(
        self,
        row: int,
        col: _Column,
        key: str,
        raw: Any,
        factor: Decimal,
        errors: list[RowError],
        *,
        censored: bool = False,
    ) -> Reading | None:
        """The cell as a Reading in the table unit, range-checked by the engine; None (+ an error) if bad."""
        value = norm(raw) if isinstance(raw, str) else raw
        try:
            try:
                reading = parse_reading(value, None, key=key)
            except WaterInputError as exc:
                if exc.code != "detection_limit_required":
                    raise
                # A bare "ND": the detection limit comes from the caller, already in the table unit.
                limit = self.detection_limits.get(key) if key not in _NO_CENSORING else Decimal(1)
                if limit is None:
                    raise
                reading, factor = parse_reading(value, limit, key=key), Decimal(1)
            if factor != 1:
                reading = Reading(reading.value * factor, reading.below_detection)
            if censored and not reading.below_detection:
                reading = Reading(reading.value, True)  # a flag ND / L / <: the value is the detection limit
            if reading.below_detection and key in _NO_CENSORING:
                msg = f"{name_of(key)}不能标记为未检出"
                errors.append(self._error(row, col, "censored_not_allowed", msg, raw))
                return None
            if reading.value < 0 or key == "ph":  # only then can the engine's range checks fail
                parse_values({key: reading})  # negative → negative_value (not temp), pH outside 0–14
        except WaterInputError as exc:
            problem = exc.problems[0]
            errors.append(self._error(row, col, problem.code, problem.message, raw))
            return None
        return reading

    def _claim(
        self,
        row: int,
        col: _Column,
        raw: Any,
        section: str,
        when: datetime,
        key: str,
        reading: Reading,
        errors: list[RowError],
    ) -> Record:
        ident = (section, when, key)
        first = self.seen.setdefault(ident, row)
        if first != row:
            msg = (
                f"与第 {first} 行重复（同一断面、时间和指标：{section}、{when.isoformat()}、{name_of(key)}）"
            )
            errors.append(self._error(row, col, "duplicate_in_file", msg, raw))
        return Record(section, when, key, reading.value, reading.below_detection, row)
