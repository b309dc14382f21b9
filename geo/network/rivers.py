"""Rivers as wholes: where each one's outflow joins, their levels (干流 0, 一级支流 1, …) and a river's
first-level tributaries."""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass

from .model import Network


@dataclass(frozen=True, slots=True)
class RiverLevel:
    """``joins``: the rivers at the river's mouths (nodes where its edges end and none of its edges
    start). ``derived_level``: 0 when it joins no river of the network (a 干流 reaching the Yangtze, the
    sea or the edge of the map), else 1 + the lowest level it joins; None for rivers that only join each
    other in a closed loop. ``level`` is the override where one is set, else derived from the levels
    (overrides included) of the rivers it joins."""

    river_id: str
    name: str
    level: int | None
    derived_level: int | None
    overridden: bool
    joins: tuple[str, ...]


def river_outflows(network: Network) -> dict[str, tuple[str, ...]]:
    """For each river, the other rivers touching its mouths, in the network's river order."""
    order = {r: i for i, r in enumerate(network.rivers())}
    sources: dict[str, set[int]] = {}
    targets: dict[str, set[int]] = {}
    for edge in network.edges:
        sources.setdefault(edge.river_id, set()).add(edge.source)
        targets.setdefault(edge.river_id, set()).add(edge.target)
    out: dict[str, tuple[str, ...]] = {}
    for river in order:
        mouths = targets[river] - sources[river]
        touching = {
            network.edges[e].river_id
            for node in mouths
            for e in (*network.incoming[node], *network.outgoing[node])
        }
        touching.discard(river)
        out[river] = tuple(sorted(touching, key=order.__getitem__))
    return out


def river_levels(network: Network, overrides: Mapping[str, int] | None = None) -> dict[str, RiverLevel]:
    """Every river's level, derived from the network, with ``overrides`` (river id → level ≥ 0) pinned."""
    overrides = dict(overrides or {})
    for river, level in overrides.items():
        if isinstance(level, bool) or not isinstance(level, int) or level < 0:
            raise ValueError(f"河流 {river} 的级别必须是非负整数")
    joins = river_outflows(network)
    derived = _levels(joins, {})
    effective = _levels(joins, overrides)
    return {
        river: RiverLevel(
            river,
            network.river_names.get(river, ""),
            effective.get(river),
            derived.get(river),
            river in overrides,
            joins[river],
        )
        for river in joins
    }


def first_level_tributaries(
    network: Network,
    river_id: str,
    overrides: Mapping[str, int] | None = None,
    *,
    levels: Mapping[str, RiverLevel] | None = None,
) -> tuple[RiverLevel, ...]:
    """The 一级支流 of ``river_id``: rivers one level below it whose outflow joins it; and rivers whose
    level was set to one below it that reach it through rivers of lower rank (a tributary joining through a
    short connecting channel that the office counts as first-level). An override to any other level takes a
    river off the list. For a river of unknown level (a closed loop), the rivers joining it directly.

    ``levels``: ``river_levels(network, overrides)`` when the caller already has it (deriving every level
    again is most of the work on a large network)."""
    if levels is None:
        levels = river_levels(network, overrides)
    if river_id not in levels:
        return ()
    base = levels[river_id].level
    joined_by: dict[str, list[str]] = {}
    for river, info in levels.items():
        for j in info.joins:
            joined_by.setdefault(j, []).append(river)
    if base is None:
        return tuple(levels[r] for r in joined_by.get(river_id, []))
    found: list[str] = []
    seen = {river_id}
    frontier = [(river_id, True)]
    while frontier:
        current, direct = frontier.pop(0)
        for r in joined_by.get(current, []):
            if r in seen:
                continue
            seen.add(r)
            info = levels[r]
            if info.level == base + 1 and (direct or info.overridden):
                found.append(r)
            if info.level is not None and info.level > base:
                frontier.append((r, False))
    rank = {r: i for i, r in enumerate(levels)}
    return tuple(levels[r] for r in sorted(found, key=rank.__getitem__))


def _levels(joins: Mapping[str, tuple[str, ...]], pinned: Mapping[str, int]) -> dict[str, int]:
    """Unit-weight Dijkstra from the rivers that join nothing (level 0) and the pinned ones."""
    joined_by: dict[str, list[str]] = {}
    for river, targets in joins.items():
        for t in targets:
            joined_by.setdefault(t, []).append(river)
    heap: list[tuple[int, str]] = [(level, r) for r, level in pinned.items() if r in joins]
    heap += [(0, r) for r, targets in joins.items() if not targets and r not in pinned]
    heapq.heapify(heap)
    done: dict[str, int] = {}
    while heap:
        level, river = heapq.heappop(heap)
        if river in done:
            continue
        done[river] = level
        for r in joined_by.get(river, []):
            if r not in done and r not in pinned:
                heapq.heappush(heap, (level + 1, r))
    return done
