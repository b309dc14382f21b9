"""Rural domestic sewage (农村生活污水治理) of 海政办发〔2022〕65号 section 三: the treatment rate (治理率) by
the national 双60 rule and the facility normal-operation rate (正常运行率), per town (区镇) and for the
district, with the district targets. Pure: no Django. Counts are integers and thresholds exact fractions,
so the hot loops over 200,000 natural villages do no Decimal arithmetic.

Facts (seed and shared domain file):
- A natural village (自然村) is treated when its treated households are ≥ 60 % of its households; an
  administrative village (行政村) is treated when its treated natural villages are ≥ 60 % of its natural
  villages; 治理率 = treated administrative villages / all administrative villages. Both 60 % are
  ``RateRules`` parameters, compared inclusively on integers (3 of 5 households is treated, 299 of 500
  is not; 3 of 5 natural villages is treated, 2 of 4 is not).
- A village whose facility is completely broken counts as untreated until the rebuilt facility runs.
- Not normal: main equipment stopped or damaged, pipe network not matched, capacity not matching the
  real demand, effluent over the standard, no independent electricity meter (小型集中式设施).
- District targets for 2022: 治理率 ≥ 30 %, 正常运行率 ≥ 80 % (parameters).

Engine choices where the sources leave a detail open (*unconfirmed*; parameters unless said otherwise):
- Treated households of a natural village = min(households, Σ households served by its treating
  facilities). A facility claiming more households of a natural village than it has, or several
  facilities together doing so, is capped and reported as a data warning, not an error.
- Treating statuses (``treating_statuses``): in_service and stopped. 治理率 measures coverage and the
  normal-operation rate is where a stopped facility is penalised. beyond_repair never treats (65号: the
  village is untreated until the rebuilt facility runs), nor do under_construction and retired.
- A natural village with 0 households is left out of its administrative village's count (neither treated
  nor untreated) and listed with ``counted=False``. An administrative village with no natural villages on
  record, or only empty ones, is untreated and flagged (no_natural_village_data / no_households).
- A facility may serve natural villages of a neighbouring administrative village (cross-village service
  is real): it is listed under both villages. Its own administrative village gives its town for the
  normal-operation rate. A treating facility with no served households on record is a data warning.
- Normal-operation scope (``operation_statuses``): in_service, stopped and beyond_repair (a broken
  facility stays on the books until the district approves retiring it); under_construction and retired
  are out of scope and listed as such.
- The registry status implies a condition whatever the latest audit says: stopped → "stopped",
  beyond_repair → "damaged" (fixed, ``STATUS_CONDITIONS``). A facility is not normal when one of its
  conditions is in ``not_normal_conditions`` (default: every condition but "normal"; "normal" next to a
  problem does not cancel it). An audit that recorded no condition at all counts as normal.
- "小型集中式设施无独立电表": no_meter makes a facility not normal only at capacity ≥ 20 t/d
  (``meter_capacity_tpd``): 65号 checks meters on the ≥ 20 t/d facilities and the registry needs a
  meter number from 20 t/d. Below it the condition does not count.
- A never-audited facility in scope (conditions None) is not normal with reason "never_audited"
  (``never_audited="not_normal"``) or, with "excluded", leaves the denominator — unless its registry
  status already makes it not normal.
- Rates are percentages rounded half-up to ``places`` (2); an empty denominator gives None (a town
  without administrative villages; a town without facilities in scope). A town with villages but no
  facilities has 治理率 0 %. Targets are compared on the exact fraction, not the rounded percentage
  (29.996 % shows as 30.00 % but misses 30 %); a None rate is neither met nor missed (met None).
- Unknown or duplicate ids, unknown status / condition keys, non-integer or negative households and
  invalid or negative capacities are errors: ``SewageInputError`` lists every problem found.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from types import MappingProxyType
from typing import Any, NamedTuple

from .checklist import round_half_up

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


# ---------------------------------------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class Town:
    id: Id
    name: str = ""


@dataclass(frozen=True, slots=True)
class AdminVillage:
    id: Id
    town_id: Id
    name: str = ""


@dataclass(frozen=True, slots=True)
class NaturalVillage:
    id: Id
    admin_village_id: Id
    households: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class Facility:
    id: Id
    admin_village_id: Id  # where it is sited: gives its town
    status: str  # one of STATUSES
    capacity_tpd: Decimal | int | float
    conditions: frozenset[str] | None = None  # latest approved audit; None: never audited
    serves: Mapping[Id, int] = field(default_factory=dict)  # natural village id → households served


@dataclass(frozen=True)
class Problem:
    kind: str  # "town", "admin_village", "natural_village" or "facility"
    id: Id  # the offending record's id
    code: str  # one of ERROR_CODES
    message: str  # zh-Hans


class SewageInputError(ValueError):
    """Input that cannot be evaluated: ``problems`` lists all; code, message and id repeat the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        self.code, self.message, self.id = first.code, first.message, first.id
        super().__init__("；".join(p.message for p in self.problems[:20]))  # the first 20 in the text


@dataclass(frozen=True)
class DataWarning:
    code: str  # one of WARNING_CODES
    message: str  # zh-Hans
    facility_id: Id | None = None
    natural_village_id: Id | None = None


# --------------------------------------------------------------------------------------------- output


class NaturalVillageResult(NamedTuple):
    id: Id
    households: int
    served: int  # Σ households claimed by treating facilities (uncapped)
    treated_households: int  # min(households, served)
    treated: bool
    counted: bool  # False for a natural village without households


@dataclass(frozen=True)
class AdminVillageResult:
    id: Id
    town_id: Id
    treated: bool
    treated_natural: int
    counted_natural: int  # natural villages with households
    # One plain tuple per natural village, in NaturalVillageResult's field order: plain tuples of plain
    # values leave the garbage collector's books, which halves the time for 200,000 natural villages.
    natural_rows: tuple[tuple[Id, int, int, int, bool, bool], ...]
    facility_ids: tuple[Id, ...]  # sited here or serving one of its natural villages, input order
    reasons: tuple[str, ...] = ()  # REASON_LABELS keys, for an untreated village

    @property
    def natural_villages(self) -> tuple[NaturalVillageResult, ...]:
        return tuple(NaturalVillageResult._make(row) for row in self.natural_rows)


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int
    percent: Decimal | None  # None when the denominator is 0


@dataclass(frozen=True)
class FacilityIssue:
    facility_id: Id
    reasons: tuple[str, ...]  # OPERATION_REASON_LABELS keys


@dataclass(frozen=True)
class TownResult:
    id: Id
    name: str
    treatment: Rate
    treated_ids: tuple[Id, ...]  # administrative villages
    untreated_ids: tuple[Id, ...]
    operation: Rate
    normal_ids: tuple[Id, ...]  # facilities
    not_normal: tuple[FacilityIssue, ...]
    excluded_ids: tuple[Id, ...] = ()  # never audited, with never_audited="excluded"
    out_of_scope_ids: tuple[Id, ...] = ()  # status outside operation_statuses


@dataclass(frozen=True)
class TargetCheck:
    key: str  # "treatment" or "operation"
    label: str
    target: Decimal  # percent
    rate: Rate
    met: bool | None  # None: no data


@dataclass(frozen=True)
class SewageReport:
    villages: Mapping[Id, AdminVillageResult]  # input order
    towns: Mapping[Id, TownResult]
    treatment: Rate  # district
    operation: Rate  # district
    targets: tuple[TargetCheck, ...]
    warnings: tuple[DataWarning, ...] = ()


def rate(numerator: int, denominator: int, places: int = 2) -> Rate:
    if denominator == 0:
        return Rate(numerator, 0, None)
    return Rate(numerator, denominator, round_half_up(Decimal(numerator * 100) / denominator, places))


def meets(r: Rate, target_percent: Decimal) -> bool | None:
    """The exact fraction against the target (not the rounded percentage)."""
    if r.denominator == 0:
        return None
    return r.numerator * 100 >= Fraction(target_percent) * r.denominator


# ---------------------------------------------------------------------------------------- validation


_NV, _FAC = "natural_village", "facility"


def _finite_number(value: object) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _validate(
    towns: Sequence[Town] | None,
    admin_villages: Sequence[AdminVillage],
    natural_villages: Sequence[NaturalVillage],
    facilities: Sequence[Facility],
) -> tuple[dict[Id, str], dict[Id, Id], dict[Id, int], dict[Id, Id]]:
    """Town names, village → town, natural village → households and → administrative village."""
    problems: list[Problem] = []

    def bad(kind: str, id_: Id, code: str, message: str) -> None:
        problems.append(Problem(kind, id_, code, message))

    town_names: dict[Id, str] = {}
    for t in towns or ():
        if t.id in town_names:
            bad("town", t.id, "duplicate_id", f"区镇编号重复：{t.id}")
        town_names[t.id] = t.name
    av_town: dict[Id, Id] = {}
    for av in admin_villages:
        if av.id in av_town:
            bad("admin_village", av.id, "duplicate_id", f"行政村编号重复：{av.id}")
        if towns is None:
            town_names.setdefault(av.town_id, "")
        elif av.town_id not in town_names:
            bad("admin_village", av.id, "unknown_town", f"行政村 {av.id} 所属区镇 {av.town_id} 不存在")
        av_town[av.id] = av.town_id
    nv_households: dict[Id, int] = {}
    nv_av: dict[Id, Id] = {}
    for nv in natural_villages:
        hh = nv.households
        if nv.id in nv_households:
            bad(_NV, nv.id, "duplicate_id", f"自然村编号重复：{nv.id}")
        if nv.admin_village_id not in av_town:
            bad(
                _NV, nv.id, "unknown_admin_village", f"自然村 {nv.id} 所属行政村 {nv.admin_village_id} 不存在"
            )
        if isinstance(hh, bool) or not isinstance(hh, int):
            bad(_NV, nv.id, "invalid_households", f"自然村 {nv.id} 的户数须为整数")
            hh = 0
        elif hh < 0:
            bad(_NV, nv.id, "negative_households", f"自然村 {nv.id} 的户数不能为负数")
        nv_households[nv.id] = hh
        nv_av[nv.id] = nv.admin_village_id
    seen: set[Id] = set()
    for f in facilities:
        if f.id in seen:
            bad(_FAC, f.id, "duplicate_id", f"设施编号重复：{f.id}")
        seen.add(f.id)
        if f.admin_village_id not in av_town:
            bad(_FAC, f.id, "unknown_admin_village", f"设施 {f.id} 所在行政村 {f.admin_village_id} 不存在")
        if f.status not in STATUS_LABELS:
            bad(_FAC, f.id, "unknown_status", f"设施 {f.id} 的状态未知：{f.status}")
        cap = f.capacity_tpd
        if not _finite_number(cap):
            bad(_FAC, f.id, "invalid_capacity", f"设施 {f.id} 的处理能力须为有限数值")
        elif cap < 0:
            bad(_FAC, f.id, "negative_capacity", f"设施 {f.id} 的处理能力不能为负数")
        unknown = [c for c in f.conditions or () if c not in CONDITION_LABELS]
        if unknown:
            bad(
                _FAC, f.id, "unknown_condition", f"设施 {f.id} 的运行情况未知：{'、'.join(map(str, unknown))}"
            )
        for nv_id, n in f.serves.items():
            if nv_id not in nv_households:
                bad(_FAC, f.id, "unknown_natural_village", f"设施 {f.id} 服务的自然村 {nv_id} 不存在")
            if isinstance(n, bool) or not isinstance(n, int):
                bad(_FAC, f.id, "invalid_households", f"设施 {f.id} 服务自然村 {nv_id} 的户数须为整数")
            elif n < 0:
                bad(_FAC, f.id, "negative_households", f"设施 {f.id} 服务自然村 {nv_id} 的户数为负数")
    if problems:
        raise SewageInputError(problems)
    return town_names, av_town, nv_households, nv_av


# ---------------------------------------------------------------------------------------- evaluation


def operation_reasons(facility: Facility, rules: RateRules = DEFAULT_RULES) -> tuple[str, ...] | None:
    """Why an in-scope facility is not normal (empty: normal); None: never audited and excluded."""
    conditions = facility.conditions or frozenset()
    implied = STATUS_CONDITIONS.get(facility.status)
    reasons = [
        c
        for c in CONDITIONS
        if (c in conditions or c == implied)
        and c in rules.not_normal_conditions
        and (c != "no_meter" or facility.capacity_tpd >= rules.meter_capacity_tpd)
    ]
    if facility.conditions is None:
        if rules.never_audited == "not_normal":
            reasons.append(NEVER_AUDITED)
        elif not reasons:
            return None
    return tuple(reasons)


def evaluate(
    admin_villages: Sequence[AdminVillage],
    natural_villages: Sequence[NaturalVillage],
    facilities: Sequence[Facility],
    rules: RateRules = DEFAULT_RULES,
    *,
    towns: Sequence[Town] | None = None,
) -> SewageReport:
    """Both rates per administrative village, town and district. ``towns`` lists every town (so a town
    without administrative villages appears, rate None); without it the towns come from the villages."""
    town_names, av_town, nv_households, nv_av = _validate(towns, admin_villages, natural_villages, facilities)
    hh_threshold, av_threshold = Fraction(rules.household_threshold), Fraction(rules.village_threshold)
    hh_num, hh_den = hh_threshold.numerator, hh_threshold.denominator
    av_num, av_den = av_threshold.numerator, av_threshold.denominator
    treating = rules.treating_statuses
    warnings: list[DataWarning] = []

    # Facilities: households served per natural village, facilities and blocking statuses per village.
    served: dict[Id, int] = {}
    av_facilities: dict[Id, dict[Id, None]] = {}
    av_blocked: dict[Id, set[str]] = {}
    over_claimed: set[Id] = set()
    for f in facilities:
        is_treating = f.status in treating
        av_facilities.setdefault(f.admin_village_id, {})[f.id] = None
        if not is_treating:
            av_blocked.setdefault(f.admin_village_id, set()).add(f.status)
        elif not f.serves:
            warnings.append(DataWarning("no_service_data", f"设施 {f.id} 未登记服务的自然村及户数", f.id))
        for nv_id, n in f.serves.items():
            if n > (hh := nv_households[nv_id]):
                over_claimed.add(nv_id)
                message = f"设施 {f.id} 登记服务自然村 {nv_id} {n} 户，超过该村户数 {hh}，按村户数计"
                warnings.append(DataWarning("served_exceeds_households", message, f.id, nv_id))
            av = nv_av[nv_id]
            av_facilities.setdefault(av, {})[f.id] = None
            if is_treating:
                served[nv_id] = served.get(nv_id, 0) + n
            else:
                av_blocked.setdefault(av, set()).add(f.status)

    # Natural villages (the hot loop: integers only).
    av_natural: dict[Id, list[tuple[Id, int, int, int, bool, bool]]] = {}
    for nv in natural_villages:
        hh = nv.households
        s = served.get(nv.id, 0)
        treated_hh = s if s < hh else hh
        if s > hh and nv.id not in over_claimed:
            warnings.append(
                DataWarning(
                    "overlapping_service",
                    f"多个设施合计登记服务自然村 {nv.id} {s} 户，超过该村户数 {hh}，按村户数计",
                    natural_village_id=nv.id,
                )
            )
        row = (nv.id, hh, s, treated_hh, hh > 0 and treated_hh * hh_den >= hh * hh_num, hh > 0)
        av_natural.setdefault(nv.admin_village_id, []).append(row)

    villages: dict[Id, AdminVillageResult] = {}
    town_treated: dict[Id, list[Id]] = {t: [] for t in town_names}
    town_untreated: dict[Id, list[Id]] = {t: [] for t in town_names}
    for av in admin_villages:
        natural = tuple(av_natural.get(av.id, ()))
        counted = sum(1 for row in natural if row[5])
        done = sum(1 for row in natural if row[4])
        treated = counted > 0 and done * av_den >= counted * av_num
        reasons: list[str] = []
        if not treated:
            if not natural:
                reasons.append("no_natural_village_data")
            elif counted == 0:
                reasons.append("no_households")
            else:
                reasons.append("below_threshold")
            if av.id not in av_facilities:
                reasons.append("no_facility")
            if blocked := av_blocked.get(av.id):
                reasons.extend(f"facility_{s}" for s in STATUSES if s in blocked)
        ids = tuple(av_facilities.get(av.id, ()))
        villages[av.id] = AdminVillageResult(
            av.id, av.town_id, treated, done, counted, natural, ids, tuple(reasons)
        )
        (town_treated if treated else town_untreated)[av.town_id].append(av.id)

    # Normal-operation rate.
    normal: dict[Id, list[Id]] = {t: [] for t in town_names}
    issues: dict[Id, list[FacilityIssue]] = {t: [] for t in town_names}
    excluded: dict[Id, list[Id]] = {t: [] for t in town_names}
    out_of_scope: dict[Id, list[Id]] = {t: [] for t in town_names}
    for f in facilities:
        town = av_town[f.admin_village_id]
        if f.status not in rules.operation_statuses:
            out_of_scope[town].append(f.id)
            continue
        found = operation_reasons(f, rules)
        if found is None:
            excluded[town].append(f.id)
        elif found:
            issues[town].append(FacilityIssue(f.id, found))
        else:
            normal[town].append(f.id)

    places = rules.places
    town_results: dict[Id, TownResult] = {}
    for t, name in town_names.items():
        ok, bad = town_treated[t], town_untreated[t]
        n_ok, n_bad = normal[t], issues[t]
        town_results[t] = TownResult(
            t,
            name,
            rate(len(ok), len(ok) + len(bad), places),
            tuple(ok),
            tuple(bad),
            rate(len(n_ok), len(n_ok) + len(n_bad), places),
            tuple(n_ok),
            tuple(n_bad),
            tuple(excluded[t]),
            tuple(out_of_scope[t]),
        )
    treatment = rate(
        sum(r.treatment.numerator for r in town_results.values()),
        sum(r.treatment.denominator for r in town_results.values()),
        places,
    )
    operation = rate(
        sum(r.operation.numerator for r in town_results.values()),
        sum(r.operation.denominator for r in town_results.values()),
        places,
    )
    targets = tuple(
        TargetCheck(key, label, target, r, meets(r, target))
        for key, label, target, r in (
            ("treatment", "农村生活污水治理率", rules.treatment_target, treatment),
            ("operation", "设施正常运行率", rules.operation_target, operation),
        )
    )
    return SewageReport(
        MappingProxyType(villages),
        MappingProxyType(town_results),
        treatment,
        operation,
        targets,
        tuple(warnings),
    )
