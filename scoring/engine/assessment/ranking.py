"""Ranking: the scoreboard in the published order, with shared ranks (1, 2, 2, 4), grades, notes and
exclusions per unit; the awards are then allotted (``awards``). Pure: no Django."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from .awards import _awards, _single_awards
from .eligibility import _exclusions
from .model import FAIL_LABEL, ONE, ZERO, Scheme, Scoreboard, UnitInput, UnitResult
from .points import _clamped, _total, band


def _sort_key(scheme: Scheme, r: UnitResult) -> tuple[Decimal, ...]:
    # The published order: a vetoed unit (should the scheme let it win anything) after every other.
    return (ZERO if r.vetoed else ONE, r.total, *(r.components.get(k, ZERO) for k in scheme.tie_break))


def evaluate(
    scheme: Scheme, units: Sequence[UnitInput], decisions: Mapping[str, Sequence[int]] | None = None
) -> Scoreboard:
    """``decisions``: award key → the unit ids the office chose among those tied at its cut-off."""
    quantum = Decimal(1).scaleb(-scheme.places)
    rules = scheme.award_eligibility()
    lowest = scheme.bands[-1].label
    scored = []
    for u in units:
        clamped = _clamped(scheme, u.components)
        comps = {k: v.quantize(quantum, ROUND_HALF_UP) for k, v in clamped.items()}
        scored.append((u, comps, _total(scheme, clamped)))
    # A vetoed unit is 不合格 and ranks after every unit that is not, whatever its points.
    scored.sort(key=lambda s: (s[0].vetoed, -s[2], s[0].unit_id))
    first, last = _shared_ranks([(not u.vetoed, total) for u, _, total in scored])
    n = len(scored)
    ranked = []
    barring: dict[tuple[bool, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}  # eight at most
    for i, (u, comps, total) in enumerate(scored):
        on_points = band(total, scheme.bands)
        situation = (not u.tasks_completed, on_points == lowest, u.vetoed)  # in READINGS' order
        if situation not in barring:
            barring[situation] = _exclusions(scheme, rules, situation)
        excluded, barred_notes = barring[situation]
        ranked.append(
            UnitResult(
                unit_id=u.unit_id,
                components=comps,
                total=total,
                grade=FAIL_LABEL if u.vetoed else on_points,
                vetoed=u.vetoed,
                eligible=not excluded,
                veto_reasons=u.veto_reasons,
                rank=first[i] + 1,
                reverse_rank=n - last[i],
                single_scores={a.key: u.single_scores.get(a.key) for a in scheme.single_awards},
                notes=tuple(f"{k} 未考核，按 0 分计" for k in scheme.weights if u.components.get(k) is None)
                + barred_notes,
                excluded=excluded,
            )
        )
    base_key = {r.unit_id: _sort_key(scheme, r) for r in ranked}
    awarded, undecided = _awards(scheme, ranked, decisions or {}, base_key)
    awarded, single_undecided = _single_awards(scheme, awarded, decisions or {}, base_key)
    return Scoreboard(tuple(awarded), {**undecided, **single_undecided})


def _shared_ranks(standings: Sequence[tuple[object, ...]]) -> tuple[list[int], list[int]]:
    """Competition ranking (1, 2, 2, 4) on standings sorted best first: for each position, the first
    and the last index of its run of equal standings (the reverse rank counts from the bottom the same
    way). Linear: equal standings are adjacent in the sorted list."""
    n = len(standings)
    first_of: list[int] = []
    for i, st in enumerate(standings):
        first_of.append(first_of[-1] if i and standings[i - 1] == st else i)
    last_of = [0] * n
    for i in range(n - 1, -1, -1):
        last_of[i] = last_of[i + 1] if i + 1 < n and standings[i + 1] == standings[i] else i
    return first_of, last_of
