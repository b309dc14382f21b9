"""The containment rule: "coordinates fall in the facility's town", for the ledger (``check_towns``) and
the registry's own forms (``is_outside``, ``outside_message``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from .records import Gap, LedgerResult, LedgerRow, RowError


def check_towns(
    result: LedgerResult,
    distance_to_town_m: Callable[[LedgerRow], float | None],
    *,
    tolerance_m: float | None = None,
    as_gap: bool = False,
) -> LedgerResult:
    """Add the "coordinates in the facility's town" check. ``distance_to_town_m(row)`` gives the metres
    from ``row.point`` (WGS-84) to the row's declared town (0 inside it), or None when unknown (no
    boundary). Farther than the tolerance (default ``result.rules.town_tolerance_m``) is an
    ``outside_town`` error on the longitude cell, and the row leaves ``rows`` — or a gap with ``as_gap``."""
    tolerance = result.rules.town_tolerance_m if tolerance_m is None else tolerance_m
    text, number = result.columns.get("lon", ("经度", 0))
    keep: list[LedgerRow] = []
    errors: list[RowError] = []
    gaps = list(result.gaps)
    for r in result.rows:
        distance = distance_to_town_m(r) if r.point is not None else None
        if distance is None or not is_outside(distance, tolerance):
            keep.append(r)
            continue
        message = outside_message(r.town, distance, tolerance)
        if as_gap:
            keep.append(r)
            gaps.append(Gap(r.row, r.town, "outside_town", r.code, r.name, r.capacity_tpd, message))
        else:
            errors.append(RowError(r.row, text, "outside_town", message, f"{r.raw_lon}, {r.raw_lat}", number))
    bad = {e.row for e in errors}
    return replace(
        result,
        rows=tuple(keep),
        errors=tuple(sorted((*result.errors, *errors), key=lambda e: (e.row, e.column_number))),
        error_count=result.error_count + len(errors),
        rows_with_errors=result.rows_with_errors + len(bad),
        gaps=tuple(sorted((g for g in gaps if g.row not in bad), key=lambda g: g.row)),
    )


def is_outside(distance_m: float | None, tolerance_m: float) -> bool:
    """The containment rule, shared by the ledger and the registry's own forms: a point farther than the
    tolerance from its region's boundary is outside it. ``None`` (no boundary, no point) is never outside:
    the check needs data we may not have, and a town without a drawn boundary must still register."""
    return distance_m is not None and distance_m > tolerance_m


def outside_message(region: str, distance_m: float, tolerance_m: float, *, level: str = "区镇") -> str:
    """What ``outside_town`` (and ``outside_village``) say: which region, how far, the tolerance."""
    return (
        f"坐标不在{region}范围内（相距约 {distance_m:.0f} 米，容差 {tolerance_m:.0f} 米），"
        f"请核对经纬度、坐标系或所属{level}"
    )
