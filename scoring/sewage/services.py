"""The 双60 treatment rate and the normal-operation rate from the registry and the approved audits, for
any date: the database supplies villages, households, facilities, who serves whom and each facility's
latest approved audit by that date; the pure engine (`scoring/engine/sewage/`) computes the rates."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from geo.models import FacilityCondition, FacilityService, FacilityStatus, Region, RegionLevel, SewageFacility
from kernel.access import Principal
from kernel.errors import InvalidInput, NotFound
from kernel.kit import collector_paused

from ..engine import sewage
from . import rules as sewage_rules

_LIFECYCLE = frozenset({FacilityStatus.RETIRED, FacilityStatus.UNDER_CONSTRUCTION})
Inputs = tuple[
    list[sewage.Town], list[sewage.AdminVillage], list[sewage.NaturalVillage], list[sewage.Facility]
]


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), timezone.get_default_timezone())


def inputs(on: date) -> Inputs:
    """The whole district as the engine's inputs, as of the end of ``on``.

    A facility counts from its commissioning date (or always, without one). Its conditions are those of
    its latest audit approved by then and not withdrawn (before any: never audited). Its status is that
    audit's, except that a decided lifecycle state in the registry — retired, or under construction for
    a rebuild — wins, since audits do not make those. Registry changes are not dated, so a date in the
    past sees today's lifecycle states (the audit log has when they changed)."""
    regions = Region.objects.order_by("path")
    towns, villages = [], []
    upper = regions.filter(level__in=[RegionLevel.TOWN, RegionLevel.VILLAGE])  # one scan, not two
    for pk, level, parent_id, name in upper.values_list("pk", "level", "parent_id", "name"):
        if level == RegionLevel.TOWN:
            towns.append(sewage.Town(pk, name))
        else:
            villages.append(sewage.AdminVillage(pk, parent_id, name))
    naturals = [  # the engine does not read natural villages' names (town_detail fetches its own)
        sewage.NaturalVillage(pk, parent_id, households or 0)
        for pk, parent_id, households in regions.filter(level=RegionLevel.NATURAL_VILLAGE).values_list(
            "pk", "parent_id", "households"
        )
    ]
    # A withdrawn audit never counted: the rates as of any date leave it out.
    audits = FacilityCondition.objects.filter(approved_at__lt=_end_of(on), withdrawn_at__isnull=True)
    if connection.features.can_distinct_on_fields:  # PostgreSQL: only the latest per facility
        audits = audits.order_by("facility_id", "-approved_at", "-id").distinct("facility_id")
    else:  # ascending, the last one per facility wins below
        audits = audits.order_by("facility_id", "approved_at", "id")
    decoded: dict[str, frozenset[str]] = {}
    latest: dict[int, tuple[frozenset[str], str]] = {}
    for facility_id, text, status in audits.values_list(
        "facility_id", Cast("conditions", TextField()), "status"
    ):
        if (conditions := decoded.get(text)) is None:
            conditions = decoded[text] = frozenset(json.loads(text))  # each distinct list decoded once
        latest[facility_id] = (conditions, status)
    serves: dict[int, dict[int, int]] = {}
    links = FacilityService.objects.values_list("facility_id", "natural_village_id", "households")
    for facility_id, natural_id, households in links:
        serves.setdefault(facility_id, {})[natural_id] = households
    facilities = []
    rows = SewageFacility.objects.filter(Q(commissioned_on__isnull=True) | Q(commissioned_on__lte=on))
    for pk, village_id, registry, capacity in rows.values_list("pk", "village_id", "status", "capacity_tpd"):
        conditions, status = latest.get(pk, (None, registry))
        if registry in _LIFECYCLE:
            status = registry
        facilities.append(sewage.Facility(pk, village_id, status, capacity, conditions, serves.get(pk, {})))
    return towns, villages, naturals, facilities


def report(on: date, rules: sewage_rules.SewageRules | None = None) -> sewage.SewageReport:
    rules = rules or sewage_rules.load()
    with collector_paused():
        towns, villages, naturals, facilities = inputs(on)
        return sewage.evaluate(villages, naturals, facilities, rules.rates, towns=towns)


# ------------------------------------------------------------------------------------------- read side
# What the two rate routes answer, as frozen rows (the API's RatesOut / TownRateDetailOut read them); field
# order is the order clients receive.


@dataclass(frozen=True)
class TownRef:
    id: int
    name: str


@dataclass(frozen=True)
class RateRow:
    numerator: int
    denominator: int
    percent: float | None  # None when the denominator is 0


@dataclass(frozen=True)
class TownRates:
    town: TownRef
    treatment: RateRow
    operation: RateRow
    treated_villages: int
    untreated_villages: int
    not_normal_facilities: int
    out_of_scope_facilities: int
    targets: tuple[TargetRow, ...] = ()  # this town against the district targets


@dataclass(frozen=True)
class TargetRow:
    key: str
    label: str
    target: float
    rate: RateRow
    met: bool | None


@dataclass(frozen=True)
class DistrictRates:
    treatment: RateRow
    operation: RateRow
    targets: tuple[TargetRow, ...]
    warnings: tuple[sewage.DataWarning, ...]


@dataclass(frozen=True)
class Rates:
    on: date
    rules: str
    towns: tuple[TownRates, ...]
    district: DistrictRates | None  # only for callers covering the district


@dataclass(frozen=True)
class NaturalVillageRow:
    id: int
    name: str
    households: int
    treated_households: int
    treated: bool
    counted: bool


@dataclass(frozen=True)
class VillageRow:
    id: int
    name: str
    treated: bool
    treated_natural: int
    counted_natural: int
    reasons: tuple[str, ...]
    natural_villages: tuple[NaturalVillageRow, ...]
    facilities: tuple[str | int, ...]  # codes (the id when a facility has none)


@dataclass(frozen=True)
class NotNormalRow:
    code: str | int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class TownRateDetail:
    on: date
    town: TownRef
    treatment: RateRow
    operation: RateRow
    villages: tuple[VillageRow, ...]
    normal_facilities: tuple[str | int, ...]
    not_normal_facilities: tuple[NotNormalRow, ...]
    out_of_scope_facilities: tuple[str | int, ...]
    excluded_facilities: tuple[str | int, ...]


def _rate(rate: sewage.Rate) -> RateRow:
    percent = None if rate.percent is None else float(rate.percent)
    return RateRow(rate.numerator, rate.denominator, percent)


def _targets(checks: tuple[sewage.TargetCheck, ...]) -> tuple[TargetRow, ...]:
    return tuple(TargetRow(c.key, c.label, float(c.target), _rate(c.rate), c.met) for c in checks)


def _check_date(on: date | None) -> date:
    today = timezone.localdate()
    if on is not None and on > today:
        raise InvalidInput(details={"fields": {"on": ["不能查询未来日期"]}})
    return on or today


def rates(*, principal: Principal, on: date | None = None) -> Rates:
    """Both rates per town (the towns the caller covers) and, for district-wide roles, the district."""
    on = _check_date(on)
    rules = sewage_rules.load()
    result = report(on, rules)
    paths = dict(
        Region.objects.filter(level__in=[RegionLevel.TOWN, RegionLevel.DISTRICT]).values_list("pk", "path")
    )
    towns = tuple(
        TownRates(
            town=TownRef(t.id, t.name),
            treatment=_rate(t.treatment),
            operation=_rate(t.operation),
            treated_villages=len(t.treated_ids),
            untreated_villages=len(t.untreated_ids),
            not_normal_facilities=len(t.not_normal),
            out_of_scope_facilities=len(t.out_of_scope_ids),
            targets=_targets(t.targets),
        )
        for t in result.towns.values()
        if principal.covers(paths[t.id])
    )
    district = Region.objects.filter(level=RegionLevel.DISTRICT).first()
    whole: DistrictRates | None = None
    if district is not None and principal.covers(district.path):
        whole = DistrictRates(
            treatment=_rate(result.treatment),
            operation=_rate(result.operation),
            targets=_targets(result.targets),
            warnings=tuple(result.warnings),
        )
    return Rates(on=on, rules=rules.key, towns=towns, district=whole)


def town_detail(*, principal: Principal, town_id: int, on: date | None = None) -> TownRateDetail:
    """The villages, natural villages and facilities behind a town's two numbers."""
    on = _check_date(on)
    town = Region.objects.filter(pk=town_id, level=RegionLevel.TOWN).first()
    if town is None or not principal.covers(town.path):
        raise NotFound("区镇不存在或不在您的管辖范围内", details={"town_id": town_id})
    result = report(on)
    t = result.towns[town_id]
    names = dict(
        Region.objects.filter(Q(parent_id=town_id) | Q(parent__parent_id=town_id)).values_list("pk", "name")
    )
    codes = dict(SewageFacility.objects.values_list("pk", "code"))
    villages = tuple(
        VillageRow(
            id=v.id,
            name=names.get(v.id, ""),
            treated=v.treated,
            treated_natural=v.treated_natural,
            counted_natural=v.counted_natural,
            reasons=tuple(sewage.REASON_LABELS[r] for r in v.reasons),
            natural_villages=tuple(
                NaturalVillageRow(
                    n.id, names.get(n.id, ""), n.households, n.treated_households, n.treated, n.counted
                )
                for n in v.natural_villages
            ),
            facilities=tuple(codes.get(f, f) for f in v.facility_ids),
        )
        for v in result.villages.values()
        if v.town_id == town_id
    )
    return TownRateDetail(
        on=on,
        town=TownRef(town.pk, town.name),
        treatment=_rate(t.treatment),
        operation=_rate(t.operation),
        villages=villages,
        normal_facilities=tuple(codes.get(f, f) for f in t.normal_ids),
        not_normal_facilities=tuple(
            NotNormalRow(
                codes.get(i.facility_id, i.facility_id),
                tuple(sewage.OPERATION_REASON_LABELS[r] for r in i.reasons),
            )
            for i in t.not_normal
        ),
        out_of_scope_facilities=tuple(codes.get(f, f) for f in t.out_of_scope_ids),
        excluded_facilities=tuple(codes.get(f, f) for f in t.excluded_ids),
    )
