"""Awards: the comprehensive tiers in order and the single awards, each to the best eligible units within
its quota; units tied across a cut-off take the remaining places only by the office's decision. Pure: no
Django."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from .model import ZERO, Scheme, SingleAward, UnitResult


def _allot(
    pool: list[UnitResult],
    quota: int,
    key: Callable[[UnitResult], tuple[Decimal, ...]],
    chosen: Sequence[int],
) -> tuple[list[UnitResult], tuple[int, ...]]:
    """The best ``quota`` of ``pool`` by ``key`` (descending); units tied across the cut-off take the
    remaining places only by the office's decision ``chosen``. Returns (winners, still undecided)."""
    ordered = sorted(pool, key=key, reverse=True)  # stable: equal keys keep the pool's (rank) order
    if quota == 0 or not ordered:
        return [], ()
    winners = ordered[:quota]
    if len(ordered) > quota and key(ordered[quota]) == key(ordered[quota - 1]):
        cut = key(ordered[quota - 1])
        at_cut = [r for r in ordered if key(r) == cut]
        tied = tuple(sorted(r.unit_id for r in at_cut))
        winners = [r for r in winners if key(r) != cut]
        places, picked = quota - len(winners), set(chosen)
        if len(picked) == places and picked <= set(tied):
            winners += [r for r in at_cut if r.unit_id in picked]
        else:
            return winners, tied
    return winners, ()


def _awards(
    scheme: Scheme,
    ranked: list[UnitResult],
    decisions: Mapping[str, Sequence[int]],
    base_key: Mapping[int, tuple[Decimal, ...]],
) -> tuple[list[UnitResult], dict[str, tuple[int, ...]]]:
    """Tiers in order (先进 then 优胜): each takes the best units eligible for it not yet awarded."""
    by_id = {r.unit_id: r for r in ranked}
    undecided: dict[str, tuple[int, ...]] = {}
    taken: set[int] = set()
    for award in scheme.awards:
        if undecided:
            # A later tier depends on who wins the undecided one: wait for the office's decision.
            undecided[award.key] = ()
            continue
        pool = [r for r in ranked if award.key not in r.excluded and r.unit_id not in taken]
        winners, tied = _allot(pool, award.quota, lambda r: base_key[r.unit_id], decisions.get(award.key, ()))
        if tied:
            undecided[award.key] = tied
        for w in winners:
            taken.add(w.unit_id)
            by_id[w.unit_id] = replace(by_id[w.unit_id], award=award.label)
    return [by_id[r.unit_id] for r in ranked], undecided


def _single_awards(
    scheme: Scheme,
    ranked: list[UnitResult],
    decisions: Mapping[str, Sequence[int]],
    base_key: Mapping[int, tuple[Decimal, ...]],
) -> tuple[list[UnitResult], dict[str, tuple[int, ...]]]:
    by_id = {r.unit_id: r for r in ranked}
    undecided: dict[str, tuple[int, ...]] = {}
    for award in scheme.single_awards:
        pool = [
            r for r in ranked if award.key not in r.excluded and r.single_scores.get(award.key) is not None
        ]

        def key(r: UnitResult, award: SingleAward = award) -> tuple[Decimal, ...]:
            return (r.single_scores[award.key] or ZERO, *base_key[r.unit_id])

        winners, tied = _allot(pool, award.quota, key, decisions.get(award.key, ()))
        if tied:
            undecided[award.key] = tied
        for w in winners:
            unit = by_id[w.unit_id]
            by_id[w.unit_id] = replace(unit, single_awards=(*unit.single_awards, award.label))
    return [by_id[r.unit_id] for r in ranked], undecided
