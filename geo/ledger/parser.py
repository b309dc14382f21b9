"""``parse_ledger``: a CSV / XLSX ledger → ``LedgerResult`` (valid rows, row errors, data-rule gaps)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from geo.coords import Datum, LonLat, to_wgs84
from kernel.tables import Table, cell_text, norm_key

from .cells import _MAXIMA, _NV_ITEM, _NV_SEPARATORS, _Cells, _parse_date
from .header import _BRACKET_TAIL, _DATUMS, _READER, _STATUSES, _check_header, _Header
from .layout import (
    _LAT_RANGE,
    _LON_RANGE,
    _TOTALS,
    DATUM_TEXT,
    DEFAULT_MAX_ERRORS,
    DEFAULT_MAX_ROWS,
    DEFAULT_RULES,
    FACILITY_STATUSES,
    LedgerRules,
)
from .records import Gap, LedgerFileError, LedgerResult, LedgerRow, RowError, _dec

# ---------------------------------------------------------------------------------------- entry points


def parse_ledger(
    data: bytes,
    filename: str,
    *,
    rules: LedgerRules = DEFAULT_RULES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_errors: int = DEFAULT_MAX_ERRORS,
) -> LedgerResult:
    """Read a CSV / XLSX ledger. Raises LedgerFileError for file-level problems."""
    with _READER.open(data, filename) as table:
        return _Parser(rules, max_rows, max_errors, table.format).run(table)


class _Parser:
    def __init__(self, rules: LedgerRules, max_rows: int, max_errors: int, fmt: str) -> None:
        self.rules, self.max_rows, self.max_errors, self.fmt = rules, max_rows, max_errors, fmt
        self.rows: list[LedgerRow] = []
        self.errors: list[RowError] = []
        self.gaps: list[Gap] = []
        self.error_count = self.rows_read = self.rows_with_errors = 0
        self.seen: dict[str, int] = {}

    def run(self, table: Table[_Header]) -> LedgerResult:
        header = table.header
        self.cols = _check_header(header)
        for row, cells in table.rows:
            if all(not cell_text(c) for c in cells):
                continue
            c = _Cells(row, cells, self.cols)
            if not c.text("code") and any(norm_key(cell_text(x)) in _TOTALS for x in cells):
                continue  # a 合计 / 小计 row
            self.rows_read += 1
            if self.rows_read > self.max_rows:
                raise LedgerFileError(
                    "too_many_rows",
                    f"文件超过 {self.max_rows} 行数据的上限，请拆分后分批导入",
                    max_rows=self.max_rows,
                )
            record = self._row(c)
            if c.errors:
                self.rows_with_errors += 1
                self.error_count += len(c.errors)
                room = self.max_errors - len(self.errors)
                self.errors.extend(sorted(c.errors, key=lambda e: e.column_number)[: max(room, 0)])
            elif record is not None:
                self.rows.append(record)
                self.gaps.extend(self._gaps(record))
        if self.rows_read == 0:
            raise LedgerFileError("empty_file", "表头下没有数据行", header_row=header.row)
        return LedgerResult(
            rows=tuple(self.rows),
            errors=tuple(self.errors),
            error_count=self.error_count,
            gaps=tuple(self.gaps),
            rows_read=self.rows_read,
            rows_with_errors=self.rows_with_errors,
            header_row=header.row,
            columns={name: (col.text, col.number) for name, col in self.cols.items()},
            ignored_columns=tuple(dict.fromkeys(header.ignored)),
            file_format=self.fmt,
            rules=self.rules,
            sheet=table.sheet,
            encoding=table.encoding,
        )

    def _row(self, c: _Cells) -> LedgerRow | None:
        code = c.required("code")
        if code:
            first = self.seen.setdefault(code, c.row)
            if first != c.row:
                c.error("code", "duplicate_code", f"设施编码「{code}」与第 {first} 行重复")
        town, village, name = c.required("town"), c.required("village"), c.required("name")
        capacity = c.number("capacity_tpd")
        if capacity is None and not c.text("capacity_tpd"):
            c.required("capacity_tpd")
        households = c.number("households", integer=True)
        serves = self._serves(c, None if households is None else int(households))
        coords = self._coordinates(c)
        funding = c.number("funding")
        status = "in_service"
        if text := c.text("status"):
            status = _STATUSES.get(norm_key(text), "")
            if not status:
                known = "、".join(FACILITY_STATUSES.values())
                c.error("status", "unknown_status", f"无法识别的状态「{text}」（可用：{known}）")
        commissioned = None
        if c.text("commissioned_on"):
            try:
                commissioned = _parse_date(c.raw("commissioned_on"), self.fmt)
            except (ValueError, OverflowError):
                msg = (
                    f"无法识别的日期「{c.text('commissioned_on')}」（示例：2021-06-30、2021/6/30、2021年6月）"
                )
                c.error("commissioned_on", "invalid_date", msg)
        if c.errors or capacity is None or serves is None or coords is None:
            return None
        return LedgerRow(
            c.row, town, village, code, name, capacity, c.text("process"), serves, *coords,
            meter_number=c.text("meter_number"), operator=c.text("operator"), funding=funding,
            status=status, commissioned_on=commissioned,
        )  # fmt: skip

    def _serves(self, c: _Cells, households: int | None) -> tuple[tuple[str, int | None], ...] | None:
        text = c.text("natural_villages")
        if not text:
            if households is None:
                return ()
            c.error("natural_villages", "invalid_natural_villages", "填写了服务户数，但未填写服务的自然村")
            return None
        items = [s.strip() for s in _NV_SEPARATORS.split(text) if s.strip()]
        matches = [_NV_ITEM.fullmatch(s) for s in items]
        if not items or any(m is None or not m["name"] for m in matches):
            msg = f"无法识别的自然村「{text}」（示例：一组，或 一组(40)、二组(35)）"
            c.error("natural_villages", "invalid_natural_villages", msg)
            return None
        serves = [(m["name"], int(m["n"]) if m["n"] else None) for m in matches if m is not None]
        if any(h is not None and h > _MAXIMA["households"] for _, h in serves):
            msg = f"自然村户数过大（最大 {_MAXIMA['households']}）：「{text}」"
            c.error("natural_villages", "value_too_large", msg)
            return None
        names = [n for n, _ in serves]
        counts = [h for _, h in serves]
        if len(set(names)) < len(names):
            c.error("natural_villages", "invalid_natural_villages", f"自然村名称重复：「{text}」")
            return None
        if len(serves) == 1 and counts[0] is None:
            return ((names[0], households),)
        if None in counts:
            if households is None and all(h is None for h in counts):
                return tuple(serves)
            msg = "多个自然村请逐一注明户数，如 一组(40)、二组(35)"
            c.error("natural_villages", "invalid_natural_villages", msg)
            return None
        total = sum(h for h in counts if h is not None)
        if households is not None and households != total:
            msg = f"服务户数 {households} 与各自然村户数之和 {total} 不一致"
            c.error("households", "households_mismatch", msg)
            return None
        return tuple(serves)

    def _coordinates(self, c: _Cells) -> tuple[Any, ...] | None:
        """(lon, lat, datum, raw_lon, raw_lat) with lon / lat in WGS-84; None after an error."""
        datum: Datum | None = Datum.WGS84
        if text := c.text("datum"):
            datum = _DATUMS.get(norm_key(text)) or _DATUMS.get(norm_key(_BRACKET_TAIL.sub(r"\g<head>", text)))
            if datum is None:
                msg = f"无法识别的坐标系「{text}」（可用：{'、'.join(DATUM_TEXT.values())}）"
                c.error("datum", "unknown_datum", msg)
        if "lon" not in self.cols:
            return (None, None, datum, None, None) if datum else None
        given = {name: bool(c.text(name)) for name in ("lon", "lat")}
        if given["lon"] != given["lat"]:
            blank = "lat" if given["lon"] else "lon"
            c.error(blank, "incomplete_coordinates", "经度和纬度应同时填写或同时留空")
            return None
        values: dict[str, float] = {}
        for name, (lo, hi), label in (("lon", _LON_RANGE, "经度"), ("lat", _LAT_RANGE, "纬度")):
            number = c.number(name, negative=True)
            if number is not None and not lo <= number <= hi:
                msg = f"{label}应在 {lo}–{hi} 之间（中国范围），请检查是否填反或缺少小数点"
                c.error(name, "coordinate_out_of_range", msg)
            elif number is not None:
                values[name] = float(number)
        if datum is None or (any(given.values()) and len(values) < 2):
            return None
        if not values:
            return (None, None, datum, None, None)
        p = to_wgs84(LonLat(values["lon"], values["lat"]), datum)
        return (p.lon, p.lat, datum, values["lon"], values["lat"])

    def _gaps(self, r: LedgerRow) -> Iterator[Gap]:
        rules, cap = self.rules, r.capacity_tpd
        if r.point is None and (cap >= rules.coordinates_from_tpd or cap >= rules.meter_from_tpd):
            floor = min(rules.coordinates_from_tpd, rules.meter_from_tpd)
            msg = f"设计处理能力 {_dec(cap)} 吨/日（≥ {_dec(floor)}）的设施应填写经纬度"
            yield Gap(r.row, r.town, "coordinates_required", r.code, r.name, cap, msg)
        if not r.meter_number and cap >= rules.meter_from_tpd:
            msg = f"设计处理能力 {_dec(cap)} 吨/日（≥ {_dec(rules.meter_from_tpd)}）的设施应填写独立电表号"
            yield Gap(r.row, r.town, "meter_required", r.code, r.name, cap, msg)
