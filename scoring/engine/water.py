"""Surface-water quality of river sections: GB 3838-2002 classes, the single-factor method of 环办〔2011〕22号
and the city water-quality index (CWQI) of 环办监测〔2017〕51号. Pure: no Django; all arithmetic ``Decimal``.

Facts (see the shared domain file; every number of GB 3838-2002 Table 1 is in ``TABLE``):
- A value exactly on a limit meets that class; a value meeting no class is class 6, 劣Ⅴ. DO is "≥" (higher
  is better); pH meets every class within 6–9 inclusive (class Ⅰ) and is 劣Ⅴ outside; all else is "≤".
  Total phosphorus has separate river and lake/reservoir limits.
- A section is evaluated on the 21 ``EVALUATED`` indicators it has (never TN, fecal coliform or water
  temperature); its class is the worst of them, and the indicators at that class are the deciding ones
  (定类因子). Grades: Ⅰ–Ⅱ 优, Ⅲ 良好, Ⅳ 轻度污染, Ⅴ 中度污染, 劣Ⅴ 重度污染.
- Exceedance multiple (超标倍数) = (C − S) / S against the Ⅲ limit, rounded half-up to 2 decimals, for "≤"
  indicators above it (never pH, DO, temperature). The three largest reported multiples are the main
  pollutants; equal multiples keep ``EVALUATED`` order.
- CWQI_i = C / S_Ⅲ; DO: 5 / C; pH: (7 − pH) / 1 when pH ≤ 7, else (pH − 7) / 2. A section's CWQI is the
  sum, rounded half-up to 4 decimals (the per-indicator indices are kept unrounded). For a set of sections,
  each indicator's concentration is averaged over the sections that measured it first.
- Several sections of one river: fewer than 5 → average each indicator and classify; 5 or more → grade by
  the share of sections in Ⅰ–Ⅲ. Bands are read half-open, computed on exact counts (no rounding): share
  ≥ 90 % 优; 75 % ≤ share < 90 % 良好; below 75 %: 劣Ⅴ share ≥ 40 % 重度污染, 20 % ≤ 劣Ⅴ < 40 % 中度污染,
  otherwise 轻度污染. So exactly 90 % is 优, exactly 75 % 良好, exactly 20 % 中度, exactly 40 % 重度.

Engine choices where the sources leave a detail open (*unconfirmed*; each is a parameter):
- Below-detection readings (未检出, "ND", "<0.01", "0.01L") enter means — and a single sample — as half the
  detection limit (``CensoredRule.HALF_DL``); ``DL`` and ``ZERO`` are the alternatives.
- Quarterly, annual and year-to-date means average all samples of the period (``MeanOf.SAMPLES``);
  ``MeanOf.MONTHLY_MEANS`` averages the monthly means instead. Dekad and month: always the samples.
- Every value is rounded half-up to ``places_for(key)`` decimals (4 more than the indicator's finest limit;
  6 for the unlimited extras) before classification and after each mean, so float noise (0.1 + 0.2) never
  pushes a value that is on a limit over it. No laboratory reports that many decimals.
- CWQI_DO = 5 / max(C, ``DO_FLOOR`` = 0.2 mg/L, the lower bound of the iodometric method GB 7489-87), so
  anoxic water (DO 0) gets a large finite index (25) instead of a division by zero.
- 稳Ⅲ: the section missed its target in at least one evaluated month. 提Ⅲ: its CWQI is greater than the
  group's average, or someone flagged it (quality fluctuates: a judgement made by people), or its monthly
  DO mean fell below the alert threshold (default ``DO_ALERT`` = 5 mg/L, the Ⅲ limit) in some month.
- Trend against the same month last year: the lower class is better; on equal classes the lower CWQI.
- Water temperature may be negative (a sensor near 0 ℃); every other value must be ≥ 0, pH within 0–14.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import TypeVar

from .checklist import round_half_up

T = TypeVar("T")
ZERO, HUNDRED = Decimal(0), Decimal(100)
RIVER, LAKE = "river", "lake"
WATER_BODIES = (RIVER, LAKE)
LE, GE, RANGE = "≤", "≥", "range"
WORST = 6  # 劣Ⅴ
TARGET_CLASS = 3
CLASS_LABELS = MappingProxyType({1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ", 6: "劣Ⅴ"})
GRADES = MappingProxyType({1: "优", 2: "优", 3: "良好", 4: "轻度污染", 5: "中度污染", 6: "重度污染"})
DO_FLOOR = Decimal("0.2")
DO_ALERT = Decimal(5)
EXTRA_PLACES = 6
SHARE_MIN_SECTIONS = 5
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
ERROR_CODES = frozenset(
    {
        "unknown_indicator",  # a key that is neither evaluated nor an accepted extra
        "not_a_number",  # a boolean, None where a number is needed, another type, unparseable text
        "not_finite",  # NaN or ±infinity
        "negative_value",
        "ph_out_of_range",  # pH outside 0–14
        "detection_limit_required",  # "ND" / "未检出" without a detection limit
        "invalid_detection_limit",  # a detection limit that is not positive
        "not_evaluated",  # a CWQI asked for an indicator outside the 21
        "unknown_water_body",
        "invalid_target_class",
        "invalid_setting",  # an unknown censored rule or mean_of
        "invalid_month",
        "invalid_count",  # share grading with impossible counts
    }
)


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    unit: str
    direction: str  # LE: at most the limit; GE: at least (DO); RANGE: within [low, limit] (pH)
    limits: tuple[Decimal, ...]  # classes Ⅰ..Ⅴ (RANGE: the upper bound, the same for every class)
    lake_limits: tuple[Decimal, ...] | None = None  # lakes / reservoirs, when different (TP)
    low: Decimal | None = None  # RANGE: the lower bound, the same for every class

    def limits_for(self, water_body: str = RIVER) -> tuple[Decimal, ...]:
        return self.lake_limits if water_body == LAKE and self.lake_limits else self.limits

    def limit(self, klass: int, water_body: str = RIVER) -> Decimal:
        return self.limits_for(water_body)[klass - 1]


def _ind(key: str, name: str, row: str, unit: str = "mg/L", direction: str = LE, lake: str = "") -> Indicator:
    def dec(text: str) -> tuple[Decimal, ...]:
        return tuple(Decimal(x) for x in text.split())

    low = Decimal(6) if direction == RANGE else None
    return Indicator(key, name, unit, direction, dec(row), dec(lake) if lake else None, low)


# GB 3838-2002 Table 1 (mg/L unless noted), classes Ⅰ..Ⅴ.
TABLE: Mapping[str, Indicator] = MappingProxyType(
    {
        i.key: i
        for i in (
            _ind("ph", "pH", "9 9 9 9 9", "无量纲", RANGE),  # 6–9 for every class
            _ind("do", "溶解氧", "7.5 6 5 3 2", direction=GE),
            _ind("codmn", "高锰酸盐指数", "2 4 6 10 15"),
            _ind("cod", "化学需氧量", "15 15 20 30 40"),
            _ind("bod5", "五日生化需氧量", "3 3 4 6 10"),
            _ind("nh3n", "氨氮", "0.15 0.5 1.0 1.5 2.0"),
            _ind("tp", "总磷", "0.02 0.1 0.2 0.3 0.4", lake="0.01 0.025 0.05 0.1 0.2"),
            _ind("tn", "总氮", "0.2 0.5 1.0 1.5 2.0"),
            _ind("cu", "铜", "0.01 1.0 1.0 1.0 1.0"),
            _ind("zn", "锌", "0.05 1.0 1.0 2.0 2.0"),
            _ind("f", "氟化物", "1.0 1.0 1.0 1.5 1.5"),
            _ind("se", "硒", "0.01 0.01 0.01 0.02 0.02"),
            _ind("as", "砷", "0.05 0.05 0.05 0.1 0.1"),
            _ind("hg", "汞", "0.00005 0.00005 0.0001 0.001 0.001"),
            _ind("cd", "镉", "0.001 0.005 0.005 0.005 0.01"),
            _ind("cr6", "六价铬", "0.01 0.05 0.05 0.05 0.1"),
            _ind("pb", "铅", "0.01 0.01 0.05 0.05 0.1"),
            _ind("cn", "氰化物", "0.005 0.05 0.2 0.2 0.2"),
            _ind("phenol", "挥发酚", "0.002 0.002 0.005 0.01 0.1"),
            _ind("oil", "石油类", "0.05 0.05 0.05 0.5 1.0"),
            _ind("las", "阴离子表面活性剂", "0.2 0.2 0.2 0.3 0.3"),
            _ind("s2", "硫化物", "0.05 0.1 0.2 0.5 1.0"),
            _ind("fcoli", "粪大肠菌群", "200 2000 10000 20000 40000", "个/L"),
        )
    }
)
EVALUATED = ("ph", "do", "codmn", "cod", "bod5", "nh3n", "tp", "cu", "zn", "f", "se", "as", "hg", "cd",
             "cr6", "pb", "cn", "phenol", "oil", "las", "s2")  # fmt: skip
OTHER_MEASURES = MappingProxyType(
    {"temp": ("水温", "℃"), "cond": ("电导率", "μS/cm"), "turb": ("浊度", "NTU")}
)
EXTRAS = ("tn", "fcoli", *OTHER_MEASURES)  # measured, accepted, never evaluated
ALL_KEYS = (*EVALUATED, *EXTRAS)


def name_of(key: str) -> str:
    return TABLE[key].name if key in TABLE else OTHER_MEASURES[key][0] if key in OTHER_MEASURES else key


def places_for(key: str) -> int:
    """Decimals a value of ``key`` is rounded to before classification: finest limit's decimals + 4."""
    if key not in TABLE:
        return EXTRA_PLACES
    ind = TABLE[key]
    limits = (*ind.limits, *(ind.lake_limits or ()), *((ind.low,) if ind.low is not None else ()))
    return max(max(-d.as_tuple().exponent for d in limits), 0) + 4  # type: ignore[operator]


# ---------------------------------------------------------------------------------------------- input


@dataclass(frozen=True)
class Problem:
    key: str
    code: str  # one of ERROR_CODES
    message: str  # zh-Hans, for people
    index: int | None = None  # which section / sample / town of a list, when the input was a list


class WaterInputError(ValueError):
    """Input that cannot be evaluated. ``problems`` holds every problem found; ``key``, ``code`` and
    ``message`` repeat the first one."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        self.key, self.code, self.message = first.key, first.code, first.message
        super().__init__("；".join(p.message for p in self.problems))

    @classmethod
    def one(cls, key: str, code: str, message: str) -> WaterInputError:
        return cls([Problem(key, code, message)])


def _attempt(problems: list[Problem], fn: Callable[[], T], index: int | None = None) -> T | None:
    """Run ``fn``; on a WaterInputError add its problems (tagged with ``index``) and return None."""
    try:
        return fn()
    except WaterInputError as exc:
        problems.extend(p if index is None else replace(p, index=index) for p in exc.problems)
        return None


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise WaterInputError(problems)


def to_decimal(key: str, value: object) -> Decimal:
    """A finite number (or plain numeric text) as a Decimal; floats via ``str``, so 0.1 stays 0.1.
    Booleans are refused."""
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        value = Decimal(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise WaterInputError.one(key, "not_a_number", f"{_label(key)}应为数值")
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if not d.is_finite():
        raise WaterInputError.one(key, "not_finite", f"{_label(key)}数值无效（非有限数）")
    return d


def _label(key: str) -> str:
    return f"{name_of(key)}：" if key else ""


class CensoredRule(StrEnum):
    """How a below-detection reading counts (*unconfirmed*; the default is HALF_DL)."""

    HALF_DL = "half_dl"
    DL = "dl"
    ZERO = "zero"


class MeanOf(StrEnum):
    """Quarter / year / year-to-date means (*unconfirmed*; the default is SAMPLES)."""

    SAMPLES = "samples"
    MONTHLY_MEANS = "monthly_means"


def _setting(kind: type[T], value: object, key: str) -> T:
    try:
        return kind(value)  # type: ignore[call-arg]
    except ValueError as exc:
        raise WaterInputError.one(key, "invalid_setting", f"不支持的设置 {key}={value!r}") from exc


@dataclass(frozen=True)
class Reading:
    """One measured value; when ``below_detection`` (未检出), ``value`` is the detection limit."""

    value: Decimal
    below_detection: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", to_decimal("", self.value))
        if self.below_detection and self.value <= 0:
            raise WaterInputError.one("", "invalid_detection_limit", "检出限应为正数")

    def resolve(self, rule: CensoredRule | str = CensoredRule.HALF_DL) -> Decimal:
        if not self.below_detection:
            return self.value
        rule = _setting(CensoredRule, rule, "censored")
        return {CensoredRule.HALF_DL: self.value / 2, CensoredRule.DL: self.value}.get(rule, ZERO)


_NOT_DETECTED = frozenset({"nd", "n.d.", "未检出"})


def parse_reading(raw: object, detection_limit: object = None, *, key: str = "") -> Reading:
    """A number, a Reading, or lab text: "0.5", "ND" / "未检出" (needs ``detection_limit``), "<0.01" or
    "＜0.01", "0.01L" (the Chinese convention: below the detection limit 0.01)."""
    if isinstance(raw, Reading):
        return raw
    if not isinstance(raw, str):
        return Reading(to_decimal(key, raw))
    text = raw.strip().replace("＜", "<")
    try:
        if text.lower() in _NOT_DETECTED:
            if detection_limit is None:
                raise WaterInputError.one(key, "detection_limit_required", f"{_label(key)}未检出须给出检出限")
            return Reading(to_decimal(key, detection_limit), True)
        number = text[1:] if text.startswith("<") else text[:-1] if text.endswith("L") else text
        if not _NUMBER.fullmatch(number.strip()):
            raise WaterInputError.one(key, "not_a_number", f"{_label(key)}无法识别的数值 {raw!r}")
        return Reading(Decimal(number.strip()), number != text)
    except WaterInputError as exc:  # a Reading knows no key: name it
        raise WaterInputError(
            p if p.key else replace(p, key=key, message=_label(key) + p.message) for p in exc.problems
        ) from None


def _check_range(key: str, r: Reading) -> None:
    if key == "ph" and not 0 <= r.value <= 14:
        raise WaterInputError.one(key, "ph_out_of_range", "pH 应在 0 到 14 之间")
    if key not in ("ph", "temp") and r.value < 0:
        raise WaterInputError.one(key, "negative_value", f"{_label(key)}不能为负数")


def parse_values(
    values: Mapping[str, object], detection_limits: Mapping[str, object] | None = None
) -> dict[str, Reading]:
    """Validate a section's values (key → number, Reading or lab text; None means not measured) and
    return them in ``ALL_KEYS`` order. Raises WaterInputError listing every problem."""
    problems: list[Problem] = []
    out: dict[str, Reading] = {}
    for key, raw in values.items():
        if key not in ALL_KEYS:
            problems.append(Problem(str(key), "unknown_indicator", f"未知的监测指标：{key}"))
            continue
        if raw is None:
            continue
        dl = (detection_limits or {}).get(key)
        r = _attempt(problems, lambda k=key, v=raw, d=dl: parse_reading(v, d, key=k))
        if r is not None and _attempt(problems, lambda k=key, r=r: _check_range(k, r)) is None:
            out[key] = r
    _raise_if(problems)
    return {k: out[k] for k in ALL_KEYS if k in out}


def quantise(key: str, value: Decimal, places: int | None = None) -> Decimal:
    """Round half-up to ``places`` (default ``places_for(key)``) only when the value has more decimals."""
    places = places_for(key) if places is None else places
    return round_half_up(value, places) if -value.as_tuple().exponent > places else value  # type: ignore[operator]


def _check_context(water_body: str, target_class: object = TARGET_CLASS) -> None:
    problems = []
    if water_body not in WATER_BODIES:
        problems.append(
            Problem("water_body", "unknown_water_body", "水体类型应为河流（river）或湖库（lake）")
        )
    if isinstance(target_class, bool) or target_class not in (1, 2, 3, 4, 5):
        problems.append(Problem("target_class", "invalid_target_class", "目标水质类别应为 Ⅰ 到 Ⅴ 类"))
    _raise_if(problems)


def _indicator(key: str) -> Indicator:
    if key not in TABLE:
        raise WaterInputError.one(key, "unknown_indicator", f"没有该指标的标准限值：{key}")
    return TABLE[key]


# ----------------------------------------------------------------------------------------- evaluation


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
    values = [_attempt(problems, lambda r=r: _value(key, r, rule, places), i) for i, r in enumerate(readings)]
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
        for k, r in (_attempt(problems, lambda v=values: parse_values(v), i) or {}).items():
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


@dataclass(frozen=True)
class RiverEvaluation:
    method: str  # "mean" (fewer than 5 sections) or "share"
    sections: int  # sections with at least one evaluated indicator
    grade: str | None
    section_classes: tuple[int | None, ...]  # each given section's own class
    evaluation: Evaluation | None = None  # "mean": the averaged sections
    share_good: Decimal | None = None  # "share": % of sections in Ⅰ–Ⅲ, 2 decimals
    share_worst: Decimal | None = None  # "share": % of sections 劣Ⅴ, 2 decimals

    @property
    def klass(self) -> int | None:
        return self.evaluation.klass if self.evaluation else None


def share_grade(good: int, worst: int, total: int) -> str:
    """The grade of ≥ 5 sections from the count in Ⅰ–Ⅲ and the count 劣Ⅴ (half-open bands, exact)."""
    if total <= 0 or good < 0 or worst < 0 or good + worst > total:
        raise WaterInputError.one("sections", "invalid_count", "断面数量不正确")
    if good * 100 >= 90 * total:
        return "优"
    if good * 100 >= 75 * total:
        return "良好"
    if worst * 100 >= 40 * total:
        return "重度污染"
    return "中度污染" if worst * 100 >= 20 * total else "轻度污染"


def evaluate_river(
    sections: Sequence[Mapping[str, object]],
    water_body: str = RIVER,
    *,
    censored: CensoredRule | str = CensoredRule.HALF_DL,
) -> RiverEvaluation:
    """Several sections of one river: < 5 evaluated sections → averaged and classified; ≥ 5 → by share."""
    problems: list[Problem] = []
    evals = [
        _attempt(problems, lambda v=v: evaluate(v, water_body, censored=censored), i)
        for i, v in enumerate(sections)
    ]
    _raise_if(problems)
    classes = tuple(e.klass if e else None for e in evals)
    counted = [c for c in classes if c is not None]
    n = len(counted)
    if not n:
        return RiverEvaluation("mean", 0, None, classes)
    if n < SHARE_MIN_SECTIONS:
        ev = evaluate(average_sections(sections, censored=censored), water_body)
        return RiverEvaluation("mean", n, ev.grade, classes, evaluation=ev)
    good, worst = sum(c <= 3 for c in counted), sum(c == WORST for c in counted)
    return RiverEvaluation(
        "share",
        n,
        share_grade(good, worst, n),
        classes,
        share_good=round_half_up(Decimal(good) * HUNDRED / n, 2),
        share_worst=round_half_up(Decimal(worst) * HUNDRED / n, 2),
    )


# ------------------------------------------------------------------------------------------- periods

DEKAD_LABELS = MappingProxyType({1: "上旬", 2: "中旬", 3: "下旬"})


class PeriodKind(StrEnum):
    DEKAD = "dekad"  # 旬
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    YTD = "ytd"  # 1 January up to and including the given day


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    key: str  # "2024-03-D2", "2024-03", "2024-Q1", "2024", "2024-YTD-03-15"
    label: str  # zh-Hans
    start: date
    end: date  # inclusive

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d <= self.end


def dekad(d: date) -> int:
    """1 上旬 (days 1–10), 2 中旬 (11–20), 3 下旬 (21 to the month's end)."""
    return 1 if d.day <= 10 else 2 if d.day <= 20 else 3


def period_of(d: date, kind: PeriodKind | str) -> Period:
    kind = _setting(PeriodKind, kind, "period")
    y, m = d.year, d.month
    month_end = date(y, m, calendar.monthrange(y, m)[1])
    match kind:
        case PeriodKind.DEKAD:
            n = dekad(d)
            start, end = date(y, m, 10 * n - 9), (date(y, m, 10 * n) if n < 3 else month_end)
            return Period(kind, f"{y}-{m:02d}-D{n}", f"{y}年{m}月{DEKAD_LABELS[n]}", start, end)
        case PeriodKind.MONTH:
            return Period(kind, f"{y}-{m:02d}", f"{y}年{m}月", date(y, m, 1), month_end)
        case PeriodKind.QUARTER:
            q = (m - 1) // 3 + 1
            last = date(y, 3 * q, calendar.monthrange(y, 3 * q)[1])
            return Period(kind, f"{y}-Q{q}", f"{y}年第{q}季度", date(y, 3 * q - 2, 1), last)
        case PeriodKind.YEAR:
            return Period(kind, f"{y}", f"{y}年", date(y, 1, 1), date(y, 12, 31))
    return Period(kind, f"{y}-YTD-{m:02d}-{d.day:02d}", f"{y}年1月1日至{m}月{d.day}日", date(y, 1, 1), d)


@dataclass(frozen=True)
class Sample:
    taken: date
    values: Mapping[str, object]  # key → number, Reading or lab text


def period_values(
    samples: Sequence[Sample],
    period: Period,
    *,
    mean_of: MeanOf | str = MeanOf.SAMPLES,
    censored: CensoredRule | str = CensoredRule.HALF_DL,
) -> dict[str, Decimal]:
    """Each indicator's mean over the samples taken in ``period`` (problems carry the sample's index).
    With MONTHLY_MEANS each month is averaged first, then the months (each month that measured it)."""
    monthly = _setting(MeanOf, mean_of, "mean_of") is MeanOf.MONTHLY_MEANS
    by_month = monthly and period.kind not in (PeriodKind.DEKAD, PeriodKind.MONTH)
    rule = _setting(CensoredRule, censored, "censored")
    problems: list[Problem] = []
    groups: dict[str, dict[tuple[int, int], list[Decimal]]] = {}
    for i, s in enumerate(samples):
        if s.taken not in period:
            continue
        bucket = (s.taken.year, s.taken.month) if by_month else (0, 0)
        for k, r in (_attempt(problems, lambda v=s.values: parse_values(v), i) or {}).items():
            groups.setdefault(k, {}).setdefault(bucket, []).append(quantise(k, r.resolve(rule)))
    _raise_if(problems)
    return {k: _mean(k, [_mean(k, vs) for vs in groups[k].values()]) for k in _ordered(groups)}


# ------------------------------------------------------------------------------- status and ranking

RAISE_REASON_LABELS = MappingProxyType(
    {
        "cwqi_above_average": "水质指数高于平均水平",
        "flagged": "人工标记（水质波动等）",
        "do_alert": "溶解氧预警",
    }
)


@dataclass(frozen=True)
class SectionStatus:
    target_class: int
    months_evaluated: tuple[int, ...]
    months_meeting: tuple[int, ...]
    months_missing: tuple[int, ...]  # months in scope without an evaluation
    steady_iii: bool  # 稳Ⅲ: missed the target in at least one evaluated month
    raise_iii: bool  # 提Ⅲ: see raise_reasons
    raise_reasons: tuple[str, ...]  # codes of RAISE_REASON_LABELS
    do_alert_months: tuple[int, ...]
    cwqi: Decimal | None  # the section's CWQI for the year (given, or from the monthly values)
    trend: Mapping[int, str]  # month → "better" / "same" / "worse" against the same month last year


def trend(current: Evaluation | None, previous: Evaluation | None) -> str | None:
    """Lower class is better; on equal classes, lower CWQI. None when either side is not evaluated."""
    if current is None or previous is None or current.klass is None or previous.klass is None:
        return None
    mine = (current.klass, current.cwqi if current.cwqi is not None else ZERO)
    theirs = (previous.klass, previous.cwqi if previous.cwqi is not None else ZERO)
    return "better" if mine < theirs else "worse" if mine > theirs else "same"


def section_status(
    months: Mapping[int, Evaluation | None],
    *,
    target_class: int = TARGET_CLASS,
    average_cwqi: Decimal | None = None,
    cwqi: Decimal | None = None,
    do_means: Mapping[int, object] | None = None,
    do_alert: Decimal = DO_ALERT,
    flagged: bool = False,
    last_year: Mapping[int, Evaluation | None] | None = None,
    through: int = 12,
) -> SectionStatus:
    """A section's year (months 1..``through``): target months, 稳Ⅲ / 提Ⅲ, DO alerts and the trend.
    ``do_means`` overrides the DO in the monthly evaluations; ``cwqi`` defaults to the CWQI of the
    monthly values averaged per indicator (mean of monthly means)."""
    problems = [
        Problem(str(m), "invalid_month", f"月份应为 1 到 12：{m}")
        for m in (*months, *(do_means or {}), *(last_year or {}), through)
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= 12
    ]
    _attempt(problems, lambda: _check_context(RIVER, target_class))
    _raise_if(problems)
    scope = range(1, through + 1)
    evaluated = tuple(m for m in scope if (e := months.get(m)) is not None and e.klass is not None)
    found = {m: months[m] for m in evaluated}
    meeting = tuple(m for m in evaluated if found[m].klass <= target_class)  # type: ignore[operator]
    do: dict[int, Decimal] = {}
    for m in scope:
        given = (do_means or {}).get(m)
        if given is not None:
            do[m] = to_decimal("do", given)
        elif m in found and "do" in found[m].values:
            do[m] = found[m].values["do"]
    alerts = tuple(m for m, v in do.items() if v < do_alert)
    if cwqi is None and evaluated:
        cwqi = group_cwqi([found[m].values for m in evaluated], found[evaluated[0]].water_body)
    reasons = []
    if cwqi is not None and average_cwqi is not None and cwqi > average_cwqi:
        reasons.append("cwqi_above_average")
    if flagged:
        reasons.append("flagged")
    if alerts:
        reasons.append("do_alert")
    trends = {m: t for m in evaluated if (t := trend(found[m], (last_year or {}).get(m))) is not None}
    return SectionStatus(
        target_class=target_class,
        months_evaluated=evaluated,
        months_meeting=meeting,
        months_missing=tuple(m for m in scope if m not in found),
        steady_iii=len(meeting) < len(evaluated),
        raise_iii=bool(reasons),
        raise_reasons=tuple(reasons),
        do_alert_months=alerts,
        cwqi=cwqi,
        trend=trends,
    )


@dataclass(frozen=True)
class TownRank:
    town: Hashable
    cwqi: Decimal | None
    rank: int | None  # 1 = the worst water; None without data


def reverse_ranking(cwqi_by_town: Mapping[Hashable, object]) -> tuple[TownRank, ...]:
    """逆序排名: the largest CWQI first, equal values share a rank (1, 2, 2, 4), towns without data
    (None) last with rank None; equal values and towns without data keep the given order."""
    problems: list[Problem] = []
    scored = []
    for i, (town, v) in enumerate(cwqi_by_town.items()):
        d = None if v is None else _attempt(problems, lambda v=v, t=town: to_decimal(str(t), v), i)
        if d is not None:
            scored.append((town, d))
    _raise_if(problems)
    ranked: list[TownRank] = []
    for i, (town, d) in enumerate(sorted(scored, key=lambda td: -td[1])):
        rank = ranked[-1].rank if ranked and ranked[-1].cwqi == d else i + 1
        ranked.append(TownRank(town, d, rank))
    return (*ranked, *(TownRank(t, None, None) for t, v in cwqi_by_town.items() if v is None))
