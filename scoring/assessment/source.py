"""What the assessment reads of the inspections: one narrow port, frozen rows only.

The assessment (scoreboards, scorecards, appeals) is scored from approved inspections, but it does not
own them: the checklists app does, and it sits above ``scoring`` (it may import us, never the other way
round). So this module states, as a :class:`InspectionSource` protocol, every read the assessment makes
of inspections, and the checklists app installs its implementation (``checklists/selectors/assessed.py``)
when Django starts. Each read takes plain values (a :class:`YearSelection`, ids, keys) and returns
immutable rows: no model instance, queryset or checklists type crosses the line, and the aggregation
stays in the database next to the rows it reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from kernel.access import Principal


@dataclass(frozen=True, slots=True)
class YearSelection:
    """The approved inspections of a kind of unit, on a scheme's component templates, assessing ``year``
    (the inspection's period, whenever it was submitted)."""

    subject_kind: str
    template_keys: tuple[str, ...]
    year: int


class RoutineRow(NamedTuple):
    """Per unit and template: the routine inspections' mean percent, their count, whether any vetoed."""

    subject_id: int
    template_key: str
    mean: Decimal | None
    n: int
    vetoed: bool


class AnnualRow(NamedTuple):
    """One non-routine (annual, spot-check, audit, self) inspection; rows come oldest first."""

    subject_id: int
    template_key: str
    percent: Decimal | None  # set on every approved inspection
    client_uuid: str
    pk: int
    template_id: int  # the pinned template version
    revision: int
    vetoed: bool


class ItemRow(NamedTuple):
    """An item of a pinned template version, as the single-award bases read it."""

    kind: str
    points: Decimal
    allow_na: bool


class LostRow(NamedTuple):
    """Points an inspection's revision lost on one item (a finding)."""

    inspection_id: int
    revision: int
    item_key: str
    points_lost: Decimal


class BasisSum(NamedTuple):
    """Points earned and available on one single award's basis items of one inspection."""

    inspection_id: int
    award_key: str
    earned: Decimal
    maximum: Decimal


@dataclass(frozen=True)
class ScorecardDeduction:
    item_key: str
    item_title: str
    points_lost: str  # decimal text
    reason: str
    category: str
    photos: tuple[str, ...]  # /api/v1/photos/{sha256}


@dataclass(frozen=True)
class ScorecardInspection:
    client_uuid: str
    purpose: str
    period: int | None
    percent: str  # decimal text
    vetoed: bool
    submitted_at: datetime | None
    sections: list[dict[str, Any]]  # the score document's sections, as stored
    deductions: tuple[ScorecardDeduction, ...]


class InspectionSource(Protocol):
    """Every read the assessment makes of inspections (implemented by ``checklists.selectors.assessed``)."""

    def routine_rows(self, selection: YearSelection) -> Iterable[RoutineRow]: ...

    def annual_rows(self, selection: YearSelection) -> Iterable[AnnualRow]: ...

    def veto_titles(self, selection: YearSelection, unit_ids: set[int]) -> Iterable[tuple[int, str]]:
        """(unit id, title) of each veto item a vetoed inspection's current revision failed."""
        ...

    def template_items(self, template_ids: set[int]) -> Mapping[int, Mapping[str, ItemRow]]: ...

    def points_lost(self, selection: YearSelection, item_keys: set[str]) -> Iterable[LostRow]:
        """The findings on these items of the selection's non-routine inspections (every revision)."""
        ...

    def basis_sums(self, wanted: dict[int, str], basis: list[tuple[str, str, str]]) -> list[BasisSum]:
        """Σ earned / Σ maximum per inspection and award over the applicable basis items of its score
        document (``wanted``: inspection id → component; ``basis``: (award, component, key or prefix))."""
        ...

    def scorecard_inspections(
        self, selection: YearSelection, unit_id: int, annual_uuids: list[str]
    ) -> Mapping[str, tuple[ScorecardInspection, ...]]:
        """By template key: the annual inspections named and the unit's approved routine ones of the
        selection, routine first then by submission, with their deductions and evidence photos."""
        ...

    def photos_citable(self, *, principal: Principal, region_path: str, sha256s: list[str]) -> set[str]:
        """Which of these photos an appeal about the unit at ``region_path`` may name."""
        ...


_installed: list[InspectionSource] = []


def install(source: InspectionSource) -> None:
    """Plug the inspections in (from ``ChecklistsConfig.ready()``); the same source again is harmless."""
    if _installed and _installed[0] is not source:
        raise ValueError(f"an inspection source is already installed: {_installed[0]!r}")
    _installed[:] = [source]


def inspections() -> InspectionSource:
    """The installed source (a RuntimeError when the checklists app is not installed: a wiring mistake)."""
    if not _installed:
        raise RuntimeError("no inspection source installed: is the checklists app in INSTALLED_APPS?")
    return _installed[0]
