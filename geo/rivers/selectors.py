"""Reads of the river network: what lies upstream of a section along the water (the engine's answer,
with the sites the database keeps snapped to the current network)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F

from kernel.errors import Conflict
from kernel.queries import AnyOf

from .. import network as engine
from ..models import RiverSection
from .engine import LoadedNetwork, Walk, loaded_network
from .models import RiverNetwork, SiteKind, SiteSnap


@dataclass(frozen=True)
class RiverReached:
    river_id: str
    name: str
    level: int | None  # 0 干流, 1 一级支流 …; None for a river in a closed loop of channels
    level_overridden: bool
    first_level_tributary: bool  # 一级支流 of the section's river
    is_section_river: bool
    distance_m: float  # nearest point reached (a tributary: its mouth) along the water


@dataclass(frozen=True)
class SiteReached:
    kind: str
    site_id: int
    distance_m: float  # along the water, down to the section
    snap_distance_m: float  # from the site's point to the line it was snapped to
    line_id: str
    river_id: str


@dataclass(frozen=True)
class UpstreamReach:
    network_id: int
    network_synthetic: bool
    network_source: str
    line_id: str
    river_id: str
    river_name: str
    snap_distance_m: float
    max_distance_m: float
    rivers: tuple[RiverReached, ...]  # by distance
    sites: dict[str, tuple[SiteReached, ...]]  # by kind, each by distance


def _no_network() -> Conflict:
    return Conflict("尚未导入河网，无法沿河追溯上游", code="no_river_network")


def section_upstream_reach(
    *, section: RiverSection, max_distance_m: float, kinds: Iterable[str] = (SiteKind.SEWAGE_FACILITY,)
) -> UpstreamReach:
    """Everything within ``max_distance_m`` upstream of ``section`` along the current network: the rivers
    reached and the snapped sites of ``kinds``, each with its distance along the water. The caller has
    checked the section is in scope. ``Conflict`` when no network was imported or the section is not on it.

    Two reads: the section's snap on the current version (with the version's row), the sites of every
    kind on the lines reached (one statement). The walk is kept with the version (``LoadedNetwork.walk``)."""
    found = (
        SiteSnap.objects.filter(
            network__is_current=True, site_kind=SiteKind.RIVER_SECTION, site_id=section.pk
        )
        .order_by("-network__imported_at", "-network_id")  # the current version, as current_network reads it
        .values_list(
            "network_id", "network__key", "network__is_synthetic", "network__source_name", "line_id",
            "offset_m", "distance_m", "unsnapped_code", "unsnapped_message",
        )
        .first()
    )  # fmt: skip
    if found is None and not RiverNetwork.objects.filter(is_current=True).exists():
        raise _no_network()
    if found is None or not found[4] or found[5] is None:
        why = found[8] if found is not None else "断面尚未捕捉到河网"
        raise Conflict(
            f"断面「{section.name}」不在河网上：{why}",
            code="section_not_on_network",
            details={"section_id": section.pk, "reason": found[7] if found is not None else "not_snapped"},
        )
    network_id, key, synthetic, source, line_id, offset_m, snap_distance, _, _ = found
    loaded = loaded_network(network_id, str(key))
    walk = loaded.walk(str(section.pk), line_id, offset_m, snap_distance or 0.0, max_distance_m)
    kinds = tuple(dict.fromkeys(kinds))
    sites = _sites(loaded, walk, kinds)
    return UpstreamReach(
        network_id=loaded.network_id,
        network_synthetic=synthetic,
        network_source=source,
        line_id=line_id,
        river_id=walk.origin.river_id,
        river_name=loaded.network.river_names.get(walk.origin.river_id, ""),
        snap_distance_m=snap_distance or 0.0,
        max_distance_m=max_distance_m,
        rivers=_rivers(loaded, walk.reach, walk.origin.river_id),
        sites={kind: sites[kind] for kind in kinds},
    )


def _rivers(loaded: LoadedNetwork, reach: engine.Upstream, own: str) -> tuple[RiverReached, ...]:
    first = loaded.first_level(own)
    out = []
    for river_id, distance in reach.rivers().items():
        level = loaded.levels.get(river_id)
        out.append(
            RiverReached(
                river_id=river_id,
                name=loaded.network.river_names.get(river_id, ""),
                level=level.level if level else None,
                level_overridden=bool(level and level.overridden),
                first_level_tributary=river_id in first,
                is_section_river=river_id == own,
                distance_m=distance,
            )
        )
    return tuple(sorted(out, key=lambda r: (r.distance_m, r.river_id)))


def _sites(loaded: LoadedNetwork, walk: Walk, kinds: tuple[str, ...]) -> dict[str, tuple[SiteReached, ...]]:
    """The snapped sites of ``kinds`` on the pieces reached, by kind, in one read. A site at offset ``o`` on a
    piece [from, to] of its line is ``piece.distance_m + (to - o)`` from the section, the shortest over the
    pieces holding it — what the engine's ``upstream(…, sites=…)`` answers, without rebuilding a snap per
    site on every request."""
    out: dict[str, list[SiteReached]] = {kind: [] for kind in kinds}
    pieces = walk.pieces_by_line
    if not pieces or not kinds:
        return {kind: () for kind in kinds}
    rows = SiteSnap.objects.filter(
        AnyOf(F("line_id"), pieces), network_id=loaded.network_id, site_kind__in=kinds, offset_m__isnull=False
    ).values_list("site_kind", "site_id", "line_id", "river_id", "offset_m", "distance_m")
    limit = walk.reach.max_distance_m + engine.LIMIT_EPS_M
    eps = engine.LIMIT_EPS_M
    for kind, site_id, line_id, river_id, offset, snap_distance in rows:
        best = math.inf
        for p in pieces[line_id]:
            if p.from_m - eps <= offset <= p.to_m + eps:
                best = min(best, p.distance_m + max(0.0, p.to_m - offset))
        if best <= limit:
            out[kind].append(SiteReached(kind, site_id, best, snap_distance or 0.0, line_id, river_id))
    return {
        kind: tuple(sorted(found, key=lambda s: (s.distance_m, s.site_id))) for kind, found in out.items()
    }
