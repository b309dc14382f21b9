"""The pump station ledger (排涝泵站台账) as a table, pure: the columns (the export's layout, which
re-imports) with their header aliases and kinds, read by the registry ledger shape
(:mod:`geo.ledger.registry`), and the station's own rules across a row. No Django: :mod:`geo.pumps.ledger_io`
resolves towns and writes through the registry's services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kernel.tables import TableFileError

from ..ledger.registry import RegistryLedger, coordinates_paired, location_cells, read_date, yes_no

__all__ = ["HEADERS", "LEDGER", "PumpLedgerError", "ledger_rows", "read_date"]


class PumpLedgerError(TableFileError):
    """The file as a whole cannot be read (``FILE_ERROR_CODES`` and ``missing_column``, ``too_many_rows``)."""


def _cleared_only_when_not_holding(values: dict[str, Any]) -> tuple[str, str, str] | None:
    if values.get("holds_sewage") is True and "cleared_on" in values:
        message = "仍拦蓄污水的泵站不能填清零日期（清零后“拦蓄污水”填“否”）"
        return "cleared_on", "cleared_while_holding", message
    return None


def _dates_with_holding(values: dict[str, Any]) -> tuple[str, str, str] | None:
    if "holds_sewage" not in values:
        for f in ("found_on", "cleared_on"):
            if f in values:
                return f, "missing_value", f"填写{LEDGER.columns[f][0]}时应同时填写“拦蓄污水”（是 / 否）"
    return None


LEDGER = RegistryLedger(
    # field → (header as exported, aliases accepted on import)
    columns={
        "code": ("泵站编码", ("编码", "泵站编号", "编号")),
        "name": ("泵站名称", ("名称", "泵站")),
        "town": ("责任区镇", ("区镇", "所在区镇", "镇（街道、园区）")),
        "river": ("所在河道", ("河道", "所在河流", "河流")),
        "lon": ("经度", ("lon", "longitude")),
        "lat": ("纬度", ("lat", "latitude")),
        "datum": ("坐标系", ("坐标基准",)),
        "holds_sewage": ("拦蓄污水", ("是否拦蓄污水",)),
        "found_on": ("发现拦蓄污水日期", ("发现日期",)),
        "cleared_on": ("清零日期", ("清零",)),
        "note": ("备注", ()),
    },
    required=("code", "name", "town"),
    error=PumpLedgerError,
    bools=frozenset({"holds_sewage"}),
    dates=frozenset({"found_on", "cleared_on"}),
    rules=(coordinates_paired, _cleared_only_when_not_holding, _dates_with_holding),
)
HEADERS = LEDGER.headers


def ledger_rows(stations: Sequence[Any]) -> list[list[Any]]:
    """The export's rows, in ``HEADERS`` order (values as the import reads them back)."""
    return [
        [s.code, s.name, s.town.name, s.river, *location_cells(s), yes_no(s.holds_sewage), s.sewage_found_on,
         s.sewage_cleared_on, s.note]
        for s in stations
    ]  # fmt: skip
