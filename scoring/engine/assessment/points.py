"""Points: grade bands, the weighted total, and the share of points on a single award's basis. Pure: no
Django."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from ..checklist import round_half_up
from .model import DEFAULT_BANDS, HUNDRED, ZERO, Band, Scheme


def band(total: Decimal, bands: Sequence[Band] = DEFAULT_BANDS) -> str:
    return next(b.label for b in bands if total >= b.lower)


def total_of(scheme: Scheme, components: Mapping[str, Decimal | None]) -> Decimal:
    """Σ weight × component, a missing component counting 0, clamped to [0, 100], rounded half-up."""
    return _total(scheme, _clamped(scheme, components))


def _clamped(scheme: Scheme, components: Mapping[str, Decimal | None]) -> dict[str, Decimal]:
    """Each of the scheme's components within [0, 100], a missing one 0."""
    return {k: min(HUNDRED, max(ZERO, components.get(k) or ZERO)) for k in scheme.weights}


def _total(scheme: Scheme, clamped: Mapping[str, Decimal]) -> Decimal:
    raw = sum((w * clamped[k] for k, w in scheme.weights.items()), ZERO)
    return round_half_up(min(HUNDRED, max(ZERO, raw)), scheme.places)


def basis_score(
    items: Mapping[str, Sequence[tuple[str, Decimal, Decimal]]], basis: Sequence[tuple[str, str]]
) -> Decimal | None:
    """Points earned on a single award's basis as a share of the points available there (百分制).

    ``items``: component key → (item key, earned, maximum) of the unit's scored, applicable items. A
    basis entry matches an item key exactly or, when it ends with ".", every item under that prefix.
    None when none of the basis items was assessed."""
    earned = maximum = ZERO
    for component, pattern in basis:
        for key, e, m in items.get(component, ()):
            if basis_matches(key, pattern):
                earned += e
                maximum += m
    return share_of_points(earned, maximum)


def basis_matches(key: str, pattern: str) -> bool:
    """A basis entry names an item key, or with a trailing "." every item under that prefix."""
    return key == pattern or (pattern.endswith(".") and key.startswith(pattern))


def share_of_points(earned: Decimal, maximum: Decimal) -> Decimal | None:
    """100 × earned / maximum, half-up to 4 places; None when there were no points to earn."""
    return None if maximum <= 0 else round_half_up(HUNDRED * earned / maximum, 4)
