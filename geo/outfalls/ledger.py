"""The outfall ledger (排污口台账) as a table, pure: the columns (the export's layout, which re-imports), the
header with its aliases, and each row read into plain values or row errors. No Django: the service
(:mod:`geo.outfalls.ledger_io`) resolves towns, validates against the registry and writes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kernel.tables import RowError, TableFileError, TableReader, cell_text, norm_key

from ..coords import Datum
from ..ledger.layout import _DATUM_ALIASES

# field → (header as exported, aliases accepted on import)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": ("排污口编码", ("编码", "排口编码", "排污口编号", "编号")),
    "name": ("排污口名称", ("名称", "排口名称")),
    "kind": ("类型", ("排污口类型", "排口类型")),
    "town": ("责任区镇", ("区镇", "所在区镇", "镇（街道、园区）")),
    "lon": ("经度", ("lon", "longitude")),
    "lat": ("纬度", ("lat", "latitude")),
    "datum": ("坐标系", ("坐标基准",)),
    "receiving_water": ("受纳水体", ("受纳河流", "入河名称")),
    "discharger": ("排污单位", ("责任主体", "排污主体")),
    "has_permit": ("排污许可", ("持有排污许可", "是否持证")),
    "is_monitored": ("开展监测", ("监测", "是否监测")),
    "decision": ("整治方式", ("整治类型",)),
    "state": ("整治状态", ("状态",)),
    "note": ("备注", ()),
}
HEADERS = [header for header, _ in COLUMNS.values()]
REQUIRED = ("code", "name", "kind", "town")
MAX_ROWS = 5000

KINDS = {"industrial": "工业排污口", "sewage_plant": "城镇污水处理厂排污口", "agricultural": "农业排口",
         "other": "其他排口"}  # fmt: skip
DECISIONS = {"": "未定", "ban": "取缔", "merge": "清理合并", "regulate": "规范整治"}
STATES = {"found": "已排查（待整治）", "rectifying": "整治中", "banned": "已取缔", "merged": "已清理合并",
          "compliant": "达标排放"}  # fmt: skip
_EXTRA = {
    "kind": {"工业": "industrial", "污水处理厂": "sewage_plant", "城镇污水处理厂": "sewage_plant",
             "农业": "agricultural", "其他": "other"},
    "decision": {"-": "", "/": "", "无": ""},
    "state": {"已排查": "found", "待整治": "found", "达标": "compliant"},
}  # fmt: skip
_YES = {"是", "有", "y", "yes", "true", "1", "√"}
_NO = {"否", "无", "n", "no", "false", "0", "×"}

_ALIASES = {norm_key(a): f for f, (h, aliases) in COLUMNS.items() for a in (h, f, *aliases)}


def _choices(labels: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    out = {norm_key(k): k for k in labels} | {norm_key(v): k for k, v in labels.items()}
    return out | {norm_key(k): v for k, v in extra.items()}


_CHOICES = {
    "kind": _choices(KINDS, _EXTRA["kind"]),
    "decision": _choices(DECISIONS, _EXTRA["decision"]),
    "state": _choices(STATES, _EXTRA["state"]),
}
_DATUMS = {norm_key(a): d.value for d, aliases in _DATUM_ALIASES.items() for a in (d.value, *aliases)}


class OutfallLedgerError(TableFileError):
    """The file as a whole cannot be read (``FILE_ERROR_CODES`` and ``missing_column``, ``too_many_rows``)."""


@dataclass
class Header:
    row: int
    columns: dict[str, int]  # field → 0-based index (the first column of that name)
    texts: dict[str, str]

    @property
    def recognised(self) -> int:
        return len(self.columns)


def _analyse(row: int, cells: Sequence[Any]) -> Header:
    columns: dict[str, int] = {}
    texts: dict[str, str] = {}
    for index, cell in enumerate(cells):
        text = cell_text(cell)
        found = _ALIASES.get(norm_key(text)) if text else None
        if found is not None and found not in columns:
            columns[found], texts[found] = index, text
    return Header(row, columns, texts)


READER: TableReader[Header] = TableReader(
    analyse=_analyse,
    no_header_message=f"找不到表头：前 20 行中没有含“{'”“'.join(HEADERS[:4])}”等列的行",
    error=OutfallLedgerError,
)


@dataclass
class Record:
    """A row read: the values given (only the columns present), or its errors."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def read_rows(header: Header, rows: Any) -> list[Record]:
    """Every non-empty row under the header as a ``Record``; a code repeated in the file is an error."""
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in header.columns]
    if missing:
        raise OutfallLedgerError("missing_column", f"缺少必需的列：{'、'.join(missing)}", missing=missing)
    out: list[Record] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        texts = {f: cell_text(cells[i]) if i < len(cells) else "" for f, i in header.columns.items()}
        if not any(texts.values()):
            continue
        if len(out) >= MAX_ROWS:
            raise OutfallLedgerError("too_many_rows", f"台账最多 {MAX_ROWS} 行", limit=MAX_ROWS)
        record = _read(number, texts, header)
        code = record.values.get("code")
        if code and code in seen:
            record.errors.append(_error(number, "code", header, "duplicate_in_file",
                                        f"编码与第 {seen[code]} 行重复", code))  # fmt: skip
        elif code:
            seen[code] = number
        out.append(record)
    return out


def _error(row: int, f: str, header: Header, code: str, message: str, value: str) -> RowError:
    column = header.columns.get(f)
    return RowError(row, header.texts.get(f, COLUMNS[f][0]), code, message, value,
                    column + 1 if column is not None else 0)  # fmt: skip


def _read(number: int, texts: dict[str, str], header: Header) -> Record:
    record = Record(number)

    def fail(f: str, code: str, message: str) -> None:
        record.errors.append(_error(number, f, header, code, message, texts.get(f, "")))

    for f, text in texts.items():
        if f in REQUIRED and not text:
            fail(f, "missing_value", f"{COLUMNS[f][0]}不能为空")
        elif not text:  # a blank cell gives nothing: defaults for a new outfall, a known one keeps its own
            continue
        elif f in _CHOICES:
            value = _CHOICES[f].get(norm_key(text))
            if value is None:
                labels = {"kind": KINDS, "decision": DECISIONS, "state": STATES}[f]
                fail(f, "invalid_choice", f"{COLUMNS[f][0]}应为：{'、'.join(v for v in labels.values())}")
            else:
                record.values[f] = value
        elif f in ("has_permit", "is_monitored"):
            key = norm_key(text)
            if key in _YES or key in _NO:
                record.values[f] = key in _YES
            else:
                fail(f, "invalid_bool", f"{COLUMNS[f][0]}应填“是”或“否”")
        elif f in ("lon", "lat"):
            try:
                record.values[f] = float(text)
            except ValueError:
                fail(f, "invalid_number", f"{COLUMNS[f][0]}应为数字")
        elif f == "datum":
            datum = _DATUMS.get(norm_key(text))
            if datum is None:
                fail(f, "invalid_datum", "坐标系应为 WGS-84、GCJ-02（高德）、BD-09（百度）或 CGCS2000")
            else:
                record.values[f] = datum
        else:
            record.values[f] = text
    if ("lon" in record.values) != ("lat" in record.values) and not record.errors:
        fail("lon" if "lon" not in record.values else "lat", "missing_value", "经度、纬度应同时填写")
    return record


def ledger_rows(outfalls: Sequence[Any]) -> list[list[Any]]:
    """The export's rows, in ``HEADERS`` order (values as the import reads them back)."""
    rows = []
    for o in outfalls:
        p = o.location
        rows.append([
            o.code, o.name, KINDS.get(o.kind, o.kind), o.town.name,
            o.location_raw_lon if p is not None else None, o.location_raw_lat if p is not None else None,
            (o.location_datum or Datum.WGS84.value) if p is not None else "",
            o.receiving_water, o.discharger, "是" if o.has_permit else "否", "是" if o.is_monitored else "否",
            DECISIONS.get(o.decision, o.decision), STATES.get(o.state, o.state), o.note,
        ])  # fmt: skip
    return rows
