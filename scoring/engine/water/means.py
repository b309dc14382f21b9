"""Means of readings over a period or over several sections, and the CWQI of a group of sections."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from functools import partial

from .classification import evaluate
from .readings import (
    CensoredRule,
    Problem,
    _attempt,
    _check_range,
    _raise_if,
    _setting,
    parse_reading,
    parse_values,
    quantise,
)
from .standard import ALL_KEYS, DO_FLOOR, RIVER, ZERO


def _value(key: str, raw: object, rule: CensoredRule, places: int | None = None) -> Decimal:
    r = parse_reading(raw, key=key)
    if key:
        _check_range(key, r)
    return quantise(key, r.resolve(rule), places)


def _mean(key: str, values: Sequence[Decimal], places: int | None = None) -> Decimal:
    return quantise(key, sum(values, ZERO) / len(values), places)


def period_mean(
    readings: Iterable[object],
    rule: CensoredRule | str = CensoredRule.HALF_DL,
    *,
    key: str = "",
    places: int | None = None,
) -> Decimal | None:
    """Arithmetic mean of a period's readings (numbers, Readings or lab text), below-detection ones
    counted by ``rule``, rounded to ``places`` (default ``places_for(key)``). None when there are none."""
    rule = _setting(CensoredRule, rule, "censored")
    problems: list[Problem] = []
    values = [_attempt(problems, partial(_value, key, r, rule, places), i) for i, r in enumerate(readings)]
    _raise_if(problems)
    return _mean(key, values, places) if values else None  # type: ignore[arg-type]


def _ordered(keys: Iterable[str]) -> list[str]:
    present = set(keys)
    return [k for k in ALL_KEYS if k in present]


def average_sections(
    sections: Sequence[Mapping[str, object]], *, censored: CensoredRule | str = CensoredRule.HALF_DL
) -> dict[str, Decimal]:
    """Each indicator's mean over the sections that measured it (problems carry the section's index)."""
    rule = _setting(CensoredRule, censored, "censored")
    problems: list[Problem] = []
    found: dict[str, list[Decimal]] = {}
    for i, values in enumerate(sections):
        for k, r in (_attempt(problems, partial(parse_values, values), i) or {}).items():
            found.setdefault(k, []).append(quantise(k, r.resolve(rule)))
    _raise_if(problems)
    return {k: _mean(k, found[k]) for k in _ordered(found)}


def group_cwqi(
    sections: Sequence[Mapping[str, object]],
    water_body: str = RIVER,
    *,
    censored: CensoredRule | str = CensoredRule.HALF_DL,
    do_floor: Decimal = DO_FLOOR,
) -> Decimal | None:
    """CWQI of a town / the district: average the concentrations across sections, then index and sum."""
    return evaluate(average_sections(sections, censored=censored), water_body, do_floor=do_floor).cwqi
