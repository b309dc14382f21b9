"""Reads of the river network: what lies upstream of a section along the water (the engine's answer,
with the sites the database keeps snapped to the current network)."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import F
from django.utils import timezone

from kernel.errors import Conflict, NotFound
from kernel.queries import AnyOf, any_of_sql, cursor_moment
from kernel.scope import Paths, scope_sql

from .. import network as engine
from ..models import RiverSection
from ..selectors import section_scope_sql
from .engine import LoadedNetwork, Walk, kept_network, loaded_network
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
    for kind, site_id, line_id, river_id, offset, snap_distance in rows:
        best = _along(pieces[line_id], offset)
        if best <= limit:
            out[kind].append(SiteReached(kind, site_id, best, snap_distance or 0.0, line_id, river_id))
    return {
        kind: tuple(sorted(found, key=lambda s: (s.distance_m, s.site_id))) for kind, found in out.items()
    }


def _along(pieces: tuple[engine.Piece, ...], offset: float) -> float:
    """A site at ``offset`` on a line reached: its distance along the water to the section, the shortest over
    the pieces of the line holding it (``inf`` when none does)."""
    eps = engine.LIMIT_EPS_M
    best = math.inf
    for p in pieces:
        if p.from_m - eps <= offset <= p.to_m + eps:
            best = min(best, p.distance_m + max(0.0, p.to_m - offset))
    return best


@dataclass(frozen=True)
class FacilityReached:
    """A sewage facility reached upstream, with the columns the upstream answer lists (one object per row:
    ~600 of them in bench/upstream)."""

    id: int
    code: str
    name: str
    village: str
    town: str | None
    status: str
    condition: tuple[str, ...] | None  # the latest standing audit's codes; None when never audited
    condition_at: date | None  # its approval day (Asia/Shanghai)
    distance_m: float  # along the water, down to the section
    snap_distance_m: float  # from the facility's point to the line it was snapped to
    river_id: str
    lon: float | None
    lat: float | None


@dataclass(frozen=True)
class SectionUpstreamRead:
    """What ``section_upstream_read`` finds: the section (in scope), the reach, the facilities with their
    rows, and the active sections in scope on each river reached (for the rivers' water classes)."""

    section_id: int
    section_code: str
    section_name: str
    reach: UpstreamReach  # sites: outfalls and pump stations (their rows are read by their owners)
    facilities: tuple[FacilityReached, ...]  # in scope, by distance, with their rows
    sections_on_rivers: dict[str, tuple[int, ...]]  # river reached → active sections in scope snapped to it


UPSTREAM_KINDS = (SiteKind.OUTFALL, SiteKind.PUMP_STATION)  # and the facilities, with their rows

# The section in the caller's scope and its snap on the current network version (the latest imported, as
# ``current_network`` reads it), with the version's row; whether any version is current.
_SECTION_SQL = """
SELECT r.id, r.code, r.name, s.network_id, n.key, n.is_synthetic, n.source_name, s.line_id, s.offset_m,
       s.distance_m, s.unsnapped_code, s.unsnapped_message,
       EXISTS (SELECT 1 FROM geo_rivernetwork c WHERE c.is_current)
FROM geo_riversection r
LEFT JOIN (geo_sitesnap s JOIN geo_rivernetwork n ON n.id = s.network_id AND n.is_current)
  ON s.site_kind = 'river_section' AND s.site_id = r.id
WHERE r.id = %s AND {scope}
ORDER BY n.imported_at DESC, n.id DESC
LIMIT 1
"""
# On the lines reached: the facilities in scope with their rows (village, town, point, the latest standing
# audit), the outfalls' and pump stations' snaps; on the rivers reached: the active sections in scope.
_SITES_SQL = """
SELECT s.site_kind, s.site_id, s.line_id, s.river_id, s.offset_m, s.distance_m, f.code, f.name, v.name,
       t.name, f.status, f.lon, f.lat, c.conditions, c.approved_at
FROM geo_sitesnap s
{facility}
JOIN geo_region v ON v.id = f.village_id
LEFT JOIN geo_region t ON t.id = v.parent_id
{condition}
WHERE s.network_id = %s AND s.site_kind = 'sewage_facility' AND s.offset_m IS NOT NULL AND {lines}
  AND {facility_scope}
UNION ALL
SELECT s.site_kind, s.site_id, s.line_id, s.river_id, s.offset_m, s.distance_m, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL
FROM geo_sitesnap s
WHERE s.network_id = %s AND s.site_kind IN ('outfall', 'pump_station') AND s.offset_m IS NOT NULL AND {lines}
UNION ALL
SELECT s.site_kind, s.site_id, s.line_id, s.river_id, s.offset_m, s.distance_m, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL
FROM geo_sitesnap s JOIN geo_riversection r ON r.id = s.site_id AND r.is_active
WHERE s.network_id = %s AND s.site_kind = 'river_section' AND s.offset_m IS NOT NULL AND {rivers}
  AND {section_scope}
"""


_FACILITY = (
    "SELECT f.id, f.code, f.name, f.status, f.village_id, ST_X(f.location) AS lon, ST_Y(f.location) AS lat"
)
_CONDITION = (
    "SELECT k.{} FROM geo_facilitycondition k WHERE k.facility_id = f.id AND k.withdrawn_at IS NULL "
    "ORDER BY k.approved_at DESC, k.id DESC LIMIT 1"
)
# Each facility and its latest audit by its key: PostgreSQL through LATERAL (a join would hash all 50,000
# facilities for 500 snaps: 12 ms instead of 4 in bench/upstream), SQLite by its own nested loops.
_JOINS = {
    "postgresql": (
        f"CROSS JOIN LATERAL ({_FACILITY} FROM geo_sewagefacility f WHERE f.id = s.site_id LIMIT 1) f",
        f"LEFT JOIN LATERAL ({_CONDITION.format('conditions, k.approved_at')}) c ON true",
    ),
    "sqlite": (
        f"JOIN ({_FACILITY} FROM geo_sewagefacility f) f ON f.id = s.site_id",
        f"LEFT JOIN geo_facilitycondition c ON c.id = ({_CONDITION.format('id')})",
    ),
}


@dataclass(frozen=True)
class _Snap:
    """A section's snap on a version: as the section statement read it, or as last read (a guess the sites
    statement checks, ``_SECTION_CHECK`` — never an answer on its own)."""

    network_id: int
    key: str
    line_id: str
    offset_m: float
    snap_distance_m: float | None


# The guess still holds: the section, in scope, snapped where the guess says on the latest current version
# (as the section statement would find it). One row with the section's and the version's text, or none.
_SECTION_CHECK = """
UNION ALL
SELECT 'section', NULL, NULL, NULL, NULL, NULL, r.code, r.name, n.source_name, NULL,
       CASE WHEN n.is_synthetic THEN 'synthetic' ELSE '' END, NULL, NULL, NULL, NULL
FROM geo_riversection r JOIN geo_rivernetwork n ON n.id = %s AND n.key = %s AND n.is_current
WHERE r.id = %s AND {section_scope}
  AND n.id = (SELECT c.id FROM geo_rivernetwork c WHERE c.is_current ORDER BY c.imported_at DESC, c.id DESC
              LIMIT 1)
  AND EXISTS (SELECT 1 FROM geo_sitesnap q WHERE q.network_id = n.id AND q.site_kind = 'river_section'
              AND q.site_id = r.id AND q.line_id = %s AND q.offset_m = %s AND q.distance_m = %s)
"""


def section_upstream_read(*, paths: Paths, section_id: int, max_distance_m: float) -> SectionUpstreamRead:
    """The upstream answer's reads: the section in the caller's scope with its snap on the current version
    (``NotFound`` out of scope; ``Conflict`` with no network or the section off it), then — after the walk,
    kept with the version — the sites on the lines reached (facilities in scope with their rows; outfalls and
    pump stations, whose rows their owners read) and the active sections in scope on the rivers reached.
    Distances along the water as ``section_upstream_reach`` gives them.

    One statement when the section's snap is as last read: the walk starts from that guess and the sites
    statement checks it (the section in scope, on the latest current version, snapped exactly there) in a
    row of its own; without that row — first request, section moved, new version, out of scope — the
    section is read first (two statements), as it always was."""
    sections_sql, scope_params = section_scope_sql(paths, "r", connection)
    kept = kept_network()
    guess = kept.snap_guess(section_id) if kept is not None else None
    if kept is not None and guess is not None:
        snap = _Snap(kept.network_id, kept.key, *guess)
        read = _read_from(kept, snap, paths, section_id, max_distance_m, sections_sql, scope_params, None)
        if read is not None:
            return read
    with connection.cursor() as cursor:
        cursor.execute(_SECTION_SQL.format(scope=sections_sql), [section_id, *scope_params])
        found = cursor.fetchone()
    if found is None:
        raise NotFound("断面不存在或不在您的管辖范围内", details={"section_id": section_id})
    _, code, name, network_id, key, synthetic, source, line_id, offset_m, snap_distance, *why, any_ = found
    if network_id is None and not any_:
        raise _no_network()
    if network_id is None or not line_id or offset_m is None:
        reason, message = why if network_id is not None else ("not_snapped", "断面尚未捕捉到河网")
        raise Conflict(
            f"断面「{name}」不在河网上：{message}",
            code="section_not_on_network",
            details={"section_id": section_id, "reason": reason},
        )
    # the version's key as the ORM reads it (SQLite keeps a UUID as 32 hex digits): the cache is keyed on it
    snap = _Snap(
        network_id, str(RiverNetwork._meta.get_field("key").to_python(key)), line_id, offset_m, snap_distance
    )
    loaded = loaded_network(snap.network_id, snap.key)
    if snap_distance is not None:  # (a null distance could not be checked for equality)
        loaded.snap_seen(section_id, line_id, offset_m, snap_distance)
    section = (code, name, source, bool(synthetic))
    read = _read_from(loaded, snap, paths, section_id, max_distance_m, sections_sql, scope_params, section)
    assert read is not None  # given the section's row, the read always answers
    return read


def _read_from(
    loaded: LoadedNetwork,
    snap: _Snap,
    paths: Paths,
    section_id: int,
    max_distance_m: float,
    sections_sql: str,
    scope_params: list[str],
    section: tuple[str, str, str, bool] | None,
) -> SectionUpstreamRead | None:
    """The sites read walking from ``snap``; ``section`` (code, name, network source, synthetic) as the
    section statement read it, or None to have the statement check the guess (None when it does not hold)."""
    origin = (str(section_id), snap.line_id, snap.offset_m, snap.snap_distance_m or 0.0)
    walk = loaded.walk(*origin, max_distance_m)
    rivers = _rivers(loaded, walk.reach, walk.origin.river_id)
    sites: dict[str, list[SiteReached]] = {kind: [] for kind in UPSTREAM_KINDS}
    facilities: list[FacilityReached] = []
    on_rivers: dict[str, list[int]] = {}
    pieces = walk.pieces_by_line
    lines_sql, lines_params = any_of_sql("s.line_id", list(pieces), connection)
    rivers_sql, rivers_params = any_of_sql("s.river_id", [r.river_id for r in rivers], connection)
    in_scope, in_scope_params = scope_sql(paths, "v.path", connection)
    facility, condition = _JOINS[connection.vendor]
    sql = _SITES_SQL.format(
        facility=facility,
        condition=condition,
        lines=lines_sql,
        facility_scope=in_scope,
        rivers=rivers_sql,
        section_scope=sections_sql,
    )
    network_id = snap.network_id
    params = [network_id, *lines_params, *in_scope_params, network_id, *lines_params]
    params += [network_id, *rivers_params, *scope_params]
    if section is None:
        sql += _SECTION_CHECK.format(section_scope=sections_sql)
        key = RiverNetwork._meta.get_field("key").get_db_prep_value(uuid.UUID(snap.key), connection)
        params += [network_id, key, section_id, *scope_params]
        params += [snap.line_id, snap.offset_m, snap.snap_distance_m]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    limit = walk.reach.max_distance_m + engine.LIMIT_EPS_M
    for kind, site_id, line, river_id, offset, snap_m, *row in rows:
        if kind == SiteKind.RIVER_SECTION:
            on_rivers.setdefault(river_id, []).append(site_id)
            continue
        if kind == "section":
            section = (row[0], row[1], row[2], bool(row[4]))
            continue
        along = _along(pieces.get(line, ()), offset)
        if along > limit:
            continue
        if kind != SiteKind.SEWAGE_FACILITY:
            sites[kind].append(SiteReached(kind, site_id, along, snap_m or 0.0, line, river_id))
            continue
        f_code, f_name, village, town, status, lon, lat, conditions, approved_at = row
        audited = approved_at and timezone.localtime(cursor_moment(approved_at, connection))
        facilities.append(
            FacilityReached(
                site_id, f_code, f_name, village, town, status, _codes(conditions),
                None if audited is None else audited.date(), along, snap_m or 0.0, river_id, lon, lat,
            )
        )  # fmt: skip
    if section is None:
        return None
    code, name, source, synthetic = section
    reach = UpstreamReach(
        network_id=network_id,
        network_synthetic=synthetic,
        network_source=source,
        line_id=snap.line_id,
        river_id=walk.origin.river_id,
        river_name=loaded.network.river_names.get(walk.origin.river_id, ""),
        snap_distance_m=snap.snap_distance_m or 0.0,
        max_distance_m=max_distance_m,
        rivers=rivers,
        sites={k: tuple(sorted(v, key=lambda s: (s.distance_m, s.site_id))) for k, v in sites.items()},
    )
    return SectionUpstreamRead(
        section_id=section_id,
        section_code=code,
        section_name=name,
        reach=reach,
        facilities=tuple(sorted(facilities, key=lambda f: (f.distance_m, f.id))),
        sections_on_rivers={k: tuple(v) for k, v in on_rivers.items()},
    )


def _codes(value: object) -> tuple[str, ...] | None:
    """A JSON list column as read by a cursor: text (PostgreSQL through Django's loader, SQLite) or a list."""
    if value is None:
        return None
    return tuple(json.loads(value) if isinstance(value, str | bytes) else value)  # type: ignore[arg-type]
