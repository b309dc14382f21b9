"""Input: problems and ``WaterInputError``, numbers, censored readings ("ND", "<0.01", "0.01L"), the
censored rule and mean settings, rounding."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from functools import partial
from typing import TypeVar

from ..checklist import round_half_up
from .standard import ALL_KEYS, TABLE, TARGET_CLASS, WATER_BODIES, ZERO, Indicator, name_of, places_for

T = TypeVar("T")


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


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
        r = _attempt(problems, partial(parse_reading, raw, dl, key=key))
        if r is not None and _attempt(problems, partial(_check_range, key, r)) is None:
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
