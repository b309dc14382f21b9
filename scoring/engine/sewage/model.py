"""The engine's input records (towns, villages, facilities), the problems and data warnings it reports,
and its results (per natural village, administrative village, town and district), with ``rate`` and
``meets``. Pure: no Django."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from ..checklist import round_half_up
from .rules import Id

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
    targets: tuple[TargetCheck, ...] = ()  # the town's two rates against the district targets


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
