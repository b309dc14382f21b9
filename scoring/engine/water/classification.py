"""One section by the single-factor method: class, deciding indicators (定类因子), exceedance multiples,
main pollutants and CWQI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ..checklist import round_half_up
from .readings import (
    CensoredRule,
    Problem,
    WaterInputError,
    _attempt,
    _check_context,
    _indicator,
    _label,
    _raise_if,
    _setting,
    parse_values,
    quantise,
    to_decimal,
)
from .standard import (
    CLASS_LABELS,
    DO_FLOOR,
    EVALUATED,
    GE,
    GRADES,
    LE,
    RANGE,
    RIVER,
    TABLE,
    TARGET_CLASS,
    WORST,
    ZERO,
)


def classify(key: str, value: object, water_body: str = RIVER) -> int:
    """The class (1..5, 6 = 劣Ⅴ) of one value: the first class whose limit it meets; on a limit meets it."""
    ind = _indicator(key)
    v = to_decimal(key, value)
    _check_context(water_body)
    if ind.direction == RANGE:
        return 1 if ind.low is not None and ind.low <= v <= ind.limits[0] else WORST
    for klass, limit in enumerate(ind.limits_for(water_body), start=1):
        if (v >= limit) if ind.direction == GE else (v <= limit):
            return klass
    return WORST


def indicator_index(
    key: str, value: object, water_body: str = RIVER, *, do_floor: Decimal = DO_FLOOR
) -> Decimal:
    """CWQI of one indicator (unrounded): C / S_Ⅲ; DO 5 / max(C, do_floor); pH by its side of 7."""
    if key not in EVALUATED:
        raise WaterInputError.one(key, "not_evaluated", f"{_label(key)}不参与水质评价和水质指数计算")
    c = to_decimal(key, value)
    _check_context(water_body)
    ind = TABLE[key]
    if key == "ph":
        return (7 - c) / (7 - 6) if c <= 7 else (c - 7) / (9 - 7)
    if key == "do":
        return ind.limit(3) / max(c, do_floor)
    return c / ind.limit(3, water_body)


@dataclass(frozen=True)
class Evaluation:
    water_body: str
    target_class: int
    klass: int | None  # 1..6, None when no evaluated indicator was given
    class_label: str | None  # "Ⅰ".."Ⅴ", "劣Ⅴ"
    grade: str | None  # 优 / 良好 / 轻度污染 / 中度污染 / 重度污染
    classes: Mapping[str, int]  # evaluated indicator → class, EVALUATED order
    deciding: tuple[str, ...]  # 定类因子: the indicators at the worst class
    exceedances: Mapping[str, Decimal]  # above the Ⅲ limit → (C − S) / S, 2 decimals
    main_pollutants: tuple[str, ...]  # up to 3, largest multiple first
    cwqi: Decimal | None  # 4 decimals
    cwqi_by_indicator: Mapping[str, Decimal]  # unrounded
    missing: tuple[str, ...]  # of the 21, not given
    extras: Mapping[str, Decimal]  # given, not evaluated (tn, fcoli, temp, cond, turb)
    values: Mapping[str, Decimal] = field(default_factory=dict)  # every value as used (resolved, rounded)

    @property
    def meets_target(self) -> bool | None:
        return None if self.klass is None else self.klass <= self.target_class


def evaluate(
    values: Mapping[str, object],
    water_body: str = RIVER,
    target_class: int = TARGET_CLASS,
    *,
    censored: CensoredRule | str = CensoredRule.HALF_DL,
    do_floor: Decimal = DO_FLOOR,
) -> Evaluation:
    """Evaluate one section (one sample or a period's means) by the single-factor method and CWQI."""
    problems: list[Problem] = []
    _attempt(problems, lambda: _check_context(water_body, target_class))
    rule = _attempt(problems, lambda: _setting(CensoredRule, censored, "censored"))
    readings = _attempt(problems, lambda: parse_values(values))
    _raise_if(problems)
    assert readings is not None and rule is not None
    used = {k: quantise(k, r.resolve(rule)) for k, r in readings.items()}
    evaluated = {k: v for k, v in used.items() if k in EVALUATED}
    classes = {k: classify(k, v, water_body) for k, v in evaluated.items()}
    klass = max(classes.values(), default=None)
    exceedances = {}
    for k, v in evaluated.items():
        s = TABLE[k].limit(3, water_body)
        if TABLE[k].direction == LE and v > s:
            exceedances[k] = round_half_up((v - s) / s, 2)
    by_indicator = {k: indicator_index(k, v, water_body, do_floor=do_floor) for k, v in evaluated.items()}
    return Evaluation(
        water_body=water_body,
        target_class=target_class,
        klass=klass,
        class_label=CLASS_LABELS[klass] if klass else None,
        grade=GRADES[klass] if klass else None,
        classes=classes,
        deciding=tuple(k for k, c in classes.items() if c == klass),
        exceedances=exceedances,
        main_pollutants=tuple(sorted(exceedances, key=lambda k: -exceedances[k])[:3]),  # stable sort
        cwqi=round_half_up(sum(by_indicator.values(), ZERO), 4) if by_indicator else None,
        cwqi_by_indicator=by_indicator,
        missing=tuple(k for k in EVALUATED if k not in evaluated),
        extras={k: v for k, v in used.items() if k not in EVALUATED},
        values=used,
    )
