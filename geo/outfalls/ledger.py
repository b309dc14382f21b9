"""The outfall ledger (排污口台账) as a table, pure: the columns (the export's layout, which re-imports) with
their header aliases and kinds, read by the registry ledger shape (:mod:`geo.ledger.registry`). No Django:
the service (:mod:`geo.outfalls.ledger_io`) resolves towns, validates against the registry and writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kernel.tables import TableFileError

from ..ledger.registry import Choice, RegistryLedger, location_cells, yes_no

KINDS = {"industrial": "工业排污口", "sewage_plant": "城镇污水处理厂排污口", "agricultural": "农业排口",
         "other": "其他排口"}  # fmt: skip
DECISIONS = {"": "未定", "ban": "取缔", "merge": "清理合并", "regulate": "规范整治"}
STATES = {"found": "已排查（待整治）", "rectifying": "整治中", "banned": "已取缔", "merged": "已清理合并",
          "compliant": "达标排放"}  # fmt: skip


class OutfallLedgerError(TableFileError):
    """The file as a whole cannot be read (``FILE_ERROR_CODES`` and ``missing_column``, ``too_many_rows``)."""


_KIND_SPELLINGS = {"工业": "industrial", "污水处理厂": "sewage_plant", "城镇污水处理厂": "sewage_plant",
                   "农业": "agricultural", "其他": "other"}  # fmt: skip
LEDGER = RegistryLedger(
    # field → (header as exported, aliases accepted on import)
    columns={
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
    },
    required=("code", "name", "kind", "town"),
    error=OutfallLedgerError,
    bools=frozenset({"has_permit", "is_monitored"}),
    choices={
        "kind": Choice(KINDS, _KIND_SPELLINGS),
        "decision": Choice(DECISIONS, {"-": "", "/": "", "无": ""}),
        "state": Choice(STATES, {"已排查": "found", "待整治": "found", "达标": "compliant"}),
    },
)
HEADERS = LEDGER.headers


def ledger_rows(outfalls: Sequence[Any]) -> list[list[Any]]:
    """The export's rows, in ``HEADERS`` order (values as the import reads them back)."""
    choices = LEDGER.choices
    return [
        [o.code, o.name, choices["kind"].label(o.kind), o.town.name, *location_cells(o), o.receiving_water,
         o.discharger, yes_no(o.has_permit), yes_no(o.is_monitored), choices["decision"].label(o.decision),
         choices["state"].label(o.state), o.note]
        for o in outfalls
    ]  # fmt: skip
