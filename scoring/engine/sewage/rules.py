"""The scheme's vocabulary (registry statuses, audit conditions, reasons, error and warning codes) and the
rate rules as data (``RateRules``), validated on construction. Pure: no Django."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

Id = Hashable

STATUS_LABELS = MappingProxyType(
    {
        "in_service": "在运行",
        "stopped": "停运",
        "beyond_repair": "损坏无法修复",
        "under_construction": "在建 / 改建",
        "retired": "已退役 / 拆除",
    }
)
STATUSES = tuple(STATUS_LABELS)
CONDITION_LABELS = MappingProxyType(
    {
        "normal": "正常运行",
        "stopped": "主体设施停运",
        "damaged": "主体设施破损",
        "pipe_network_missing": "管网未配套",
        "capacity_mismatch": "处理能力不符合实际需求",
        "effluent_over_limit": "出水水质不达标",
        "no_meter": "未设立独立电表",
    }
)
CONDITIONS = tuple(CONDITION_LABELS)
NEVER_AUDITED = "never_audited"
OPERATION_REASON_LABELS = MappingProxyType({**CONDITION_LABELS, NEVER_AUDITED: "未经核查"})
STATUS_CONDITIONS = MappingProxyType({"stopped": "stopped", "beyond_repair": "damaged"})
NEVER_AUDITED_RULES = ("not_normal", "excluded")

# Why an administrative village is untreated (AdminVillageResult.reasons).
REASON_LABELS = MappingProxyType(
    {
        "no_natural_village_data": "无自然村数据",
        "no_households": "所辖自然村均无农户",
        "below_threshold": "已治理自然村比例未达到标准（双60）",
        "no_facility": "无治理设施",
        "facility_stopped": "设施停运",
        "facility_beyond_repair": "设施损坏无法修复，重建投运前按未治理计",
        "facility_under_construction": "设施在建 / 改建，尚未投运",
        "facility_retired": "设施已退役 / 拆除",
    }
)
ERROR_CODES = frozenset(
    {
        "duplicate_id",
        "unknown_town",
        "unknown_admin_village",
        "unknown_natural_village",
        "invalid_households",  # not an integer (booleans included)
        "negative_households",
        "invalid_capacity",
        "negative_capacity",
        "unknown_status",
        "unknown_condition",
    }
)
WARNING_CODES = frozenset({"served_exceeds_households", "overlapping_service", "no_service_data"})


# ---------------------------------------------------------------------------------------------- rules


class RulesError(ValueError):
    """Rate rules that cannot be used; ``key`` names the offending setting."""

    def __init__(self, key: str, message: str) -> None:
        self.key, self.message = key, message
        super().__init__(message)


def _to_decimal(key: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise RulesError(key, f"{key} 须为数值")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise RulesError(key, f"{key} 须为数值") from None
    if not result.is_finite():
        raise RulesError(key, f"{key} 须为有限数值")
    return result


def _to_keys(key: str, value: object, allowed: Sequence[str]) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise RulesError(key, f"{key} 须为列表")
    keys = list(value)
    unknown = [k for k in keys if k not in allowed]
    if unknown:
        raise RulesError(
            key, f"{key} 含未知取值：{'、'.join(map(str, unknown))}（可选：{'、'.join(allowed)}）"
        )
    return frozenset(keys)


@dataclass(frozen=True)
class RateRules:
    """The scheme as data. Thresholds are fractions in (0, 1], compared with ≥; targets percentages."""

    household_threshold: Decimal = Decimal("0.6")  # of a natural village's households
    village_threshold: Decimal = Decimal("0.6")  # of an administrative village's natural villages
    treating_statuses: frozenset[str] = frozenset({"in_service", "stopped"})
    operation_statuses: frozenset[str] = frozenset({"in_service", "stopped", "beyond_repair"})
    not_normal_conditions: frozenset[str] = frozenset(CONDITIONS) - {"normal"}
    meter_capacity_tpd: Decimal = Decimal(20)  # no_meter counts from this capacity (t/d) up
    never_audited: str = "not_normal"  # or "excluded"
    treatment_target: Decimal = Decimal(30)
    operation_target: Decimal = Decimal(80)
    places: int = 2

    def __post_init__(self) -> None:
        def put(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        for name in ("household_threshold", "village_threshold"):
            value = _to_decimal(name, getattr(self, name))
            if not 0 < value <= 1:
                raise RulesError(name, f"{name} 须大于 0 且不大于 1（当前为 {value}）")
            put(name, value)
        for name in ("treatment_target", "operation_target"):
            value = _to_decimal(name, getattr(self, name))
            if not 0 <= value <= 100:
                raise RulesError(name, f"{name} 须在 0 至 100（%）之间（当前为 {value}）")
            put(name, value)
        meter = _to_decimal("meter_capacity_tpd", self.meter_capacity_tpd)
        if meter < 0:
            raise RulesError("meter_capacity_tpd", "meter_capacity_tpd 不能为负数")
        put("meter_capacity_tpd", meter)
        put("treating_statuses", _to_keys("treating_statuses", self.treating_statuses, STATUSES))
        put("operation_statuses", _to_keys("operation_statuses", self.operation_statuses, STATUSES))
        put(
            "not_normal_conditions", _to_keys("not_normal_conditions", self.not_normal_conditions, CONDITIONS)
        )
        if self.never_audited not in NEVER_AUDITED_RULES:
            raise RulesError("never_audited", f"never_audited 须为 {' 或 '.join(NEVER_AUDITED_RULES)}")
        if isinstance(self.places, bool) or not isinstance(self.places, int) or not 0 <= self.places <= 6:
            raise RulesError("places", "places 须为 0 至 6 的整数")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> RateRules:
        """Rules from a YAML-ish mapping (numbers may be text or floats; key sets are lists)."""
        if not isinstance(data, Mapping):
            raise RulesError("", "规则须为键值映射")
        known = [f.name for f in fields(cls)]
        unknown = [str(k) for k in data if k not in known]
        if unknown:
            raise RulesError(unknown[0], f"未知的规则项：{'、'.join(unknown)}（可选：{'、'.join(known)}）")
        return cls(**data)


DEFAULT_RULES = RateRules()
