"""The evaluation: households served per natural village, the 双60 rule up to the administrative village,
the normal-operation rate per facility, and both rates per town and for the district against the
targets. Pure: no Django. ``evaluate`` runs the named steps below in order; each step fills plain dicts
that the next one reads, so the hot loop over the natural villages does integer arithmetic only."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from types import MappingProxyType

from .model import (
    AdminVillage,
    AdminVillageResult,
    DataWarning,
    Facility,
    FacilityIssue,
    NaturalVillage,
    Rate,
    SewageReport,
    TargetCheck,
    Town,
    TownResult,
    meets,
    rate,
)
from .rules import CONDITIONS, DEFAULT_RULES, NEVER_AUDITED, STATUS_CONDITIONS, STATUSES, Id, RateRules
from .validation import _validate

NaturalRow = tuple[Id, int, int, int, bool, bool]


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
    warnings: list[DataWarning] = []
    served, av_facilities, av_blocked, over_claimed = _service(
        facilities, rules.treating_statuses, nv_households, nv_av, warnings
    )
    hh_threshold = Fraction(rules.household_threshold)
    av_natural = _natural_rows(natural_villages, hh_threshold, served, over_claimed, warnings)
    villages, town_treated, town_untreated = _village_results(
        admin_villages, Fraction(rules.village_threshold), av_natural, av_facilities, av_blocked, town_names
    )
    normal, issues, excluded, out_of_scope = _operation(facilities, rules, av_town, town_names)
    places = rules.places
    town_results: dict[Id, TownResult] = {}
    for t, name in town_names.items():
        ok, bad = town_treated[t], town_untreated[t]
        n_ok, n_bad = normal[t], issues[t]
        treated = rate(len(ok), len(ok) + len(bad), places)
        running = rate(len(n_ok), len(n_ok) + len(n_bad), places)
        town_results[t] = TownResult(
            t,
            name,
            treated,
            tuple(ok),
            tuple(bad),
            running,
            tuple(n_ok),
            tuple(n_bad),
            tuple(excluded[t]),
            tuple(out_of_scope[t]),
            target_checks(treated, running, rules),
        )
    treatment, operation, targets = _district(town_results, rules)
    return SewageReport(
        MappingProxyType(villages),
        MappingProxyType(town_results),
        treatment,
        operation,
        targets,
        tuple(warnings),
    )


def _service(
    facilities: Sequence[Facility],
    treating: frozenset[str],
    nv_households: dict[Id, int],
    nv_av: dict[Id, Id],
    warnings: list[DataWarning],
) -> tuple[dict[Id, int], dict[Id, dict[Id, None]], dict[Id, set[str]], set[Id]]:
    """Facilities: households served per natural village, facilities and blocking statuses per village."""
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
    return served, av_facilities, av_blocked, over_claimed


def _natural_rows(
    natural_villages: Sequence[NaturalVillage],
    hh_threshold: Fraction,
    served: dict[Id, int],
    over_claimed: set[Id],
    warnings: list[DataWarning],
) -> dict[Id, list[NaturalRow]]:
    """Natural villages (the hot loop: integers only), grouped by administrative village."""
    hh_num, hh_den = hh_threshold.numerator, hh_threshold.denominator
    av_natural: dict[Id, list[NaturalRow]] = {}
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
    return av_natural


def _village_results(
    admin_villages: Sequence[AdminVillage],
    av_threshold: Fraction,
    av_natural: dict[Id, list[NaturalRow]],
    av_facilities: dict[Id, dict[Id, None]],
    av_blocked: dict[Id, set[str]],
    town_names: dict[Id, str],
) -> tuple[dict[Id, AdminVillageResult], dict[Id, list[Id]], dict[Id, list[Id]]]:
    """Administrative villages by the 双60 rule, with the reasons for an untreated one, per town."""
    av_num, av_den = av_threshold.numerator, av_threshold.denominator
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
    return villages, town_treated, town_untreated


def _operation(
    facilities: Sequence[Facility], rules: RateRules, av_town: dict[Id, Id], town_names: dict[Id, str]
) -> tuple[dict[Id, list[Id]], dict[Id, list[FacilityIssue]], dict[Id, list[Id]], dict[Id, list[Id]]]:
    """Normal-operation rate: each facility normal, not normal, excluded or out of scope, per town."""
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
    return normal, issues, excluded, out_of_scope


def _district(
    town_results: dict[Id, TownResult], rules: RateRules
) -> tuple[Rate, Rate, tuple[TargetCheck, ...]]:
    """The district's two rates (sums over the towns) and their checks against the targets."""
    places = rules.places
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
    return treatment, operation, target_checks(treatment, operation, rules)


def target_checks(treatment: Rate, operation: Rate, rules: RateRules) -> tuple[TargetCheck, ...]:
    """The two rates against the targets (治理率 ≥ 30 %, 正常运行率 ≥ 80 % in 2022): the district's, and
    each town's measured against the same targets."""
    return tuple(
        TargetCheck(key, label, target, r, meets(r, target))
        for key, label, target, r in (
            ("treatment", "农村生活污水治理率", rules.treatment_target, treatment),
            ("operation", "设施正常运行率", rules.operation_target, operation),
        )
    )
