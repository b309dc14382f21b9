"""A ranking scheme as plain values, and how it is read from a mapping (the YAML file's document)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any


class Better(StrEnum):
    LOWER = "lower"  # AQI, dust fall, CWQI: the smaller the better
    HIGHER = "higher"


class Method(StrEnum):
    RANK_POINTS = "rank_points"  # by the town's place among the towns with data
    NORMALISED = "normalised"  # by the value's place between the best and the worst value


class Missing(StrEnum):
    REWEIGHT = "reweight"  # the indicator's weight goes to the town's other indicators
    ZERO = "zero"  # the indicator scores 0 points (the worst) for that town


class SchemeError(ValueError):
    """A scheme that cannot be used; the message names the option and what is wrong (zh-Hans)."""


@dataclass(frozen=True)
class IndicatorRule:
    key: str  # the indicator source's key: "air.aqi", "dust.fall", "water.cwqi"
    title: str
    unit: str
    better: Better
    weight: Decimal  # > 0; town scores divide by the weights counted, so they need not add up to 1


@dataclass(frozen=True)
class PersistentRule:
    """持续靠后: a town among the ``bottom`` worst (逆序名次 ≤ bottom) for ``in_a_row`` 旬 in a row."""

    bottom: int
    in_a_row: int


@dataclass(frozen=True)
class RankingScheme:
    key: str
    title: str
    indicators: tuple[IndicatorRule, ...]
    method: Method
    missing: Missing
    tie_break: tuple[str, ...]  # indicator keys; towns still equal after them share a rank
    persistent: PersistentRule
    places: int = 2  # town scores rounded half-up to this many decimals, and ranked on the rounded score
    full: Decimal = Decimal(100)  # the points of the best town on one indicator

    def indicator(self, key: str) -> IndicatorRule:
        return next(r for r in self.indicators if r.key == key)


_TOP = {"key", "title", "year", "source", "period", "indicators", "method", "missing", "tie_break",
        "persistent", "places", "note"}  # fmt: skip
_INDICATOR = {"key", "title", "unit", "better", "weight", "note"}


def _choice(enum: type[StrEnum], value: object, where: str) -> Any:
    try:
        return enum(str(value))
    except ValueError:
        raise SchemeError(
            f"{where}：{value!r} 不是可用的取值（{' / '.join(e.value for e in enum)}）"
        ) from None


def _int(value: object, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SchemeError(f"{where}：须为 {low}–{high} 的整数，而不是 {value!r}")
    return value


def _unknown(given: Mapping[str, object], known: set[str], where: str) -> None:
    extra = sorted(str(k) for k in given if k not in known)
    if extra:
        raise SchemeError(f"{where}：未知的选项 {'、'.join(extra)}")


def _indicator(item: object, i: int) -> IndicatorRule:
    where = f"indicators[{i}]"
    if not isinstance(item, Mapping):
        raise SchemeError(f"{where}：须为映射（key、title、better、weight）")
    _unknown(item, _INDICATOR, where)
    key = item.get("key")
    if not isinstance(key, str) or not key.strip():
        raise SchemeError(f"{where}.key：缺少指标键")
    try:
        weight = Decimal(str(item.get("weight")))
    except InvalidOperation:
        weight = Decimal("NaN")
    if not weight.is_finite() or weight <= 0:
        raise SchemeError(f"{where}.weight：权重须为正数，而不是 {item.get('weight')!r}")
    better = _choice(Better, item.get("better", Better.LOWER), f"{where}.better")
    return IndicatorRule(
        key.strip(), str(item.get("title") or key), str(item.get("unit") or ""), better, weight
    )


def scheme_from_mapping(document: object, source: str = "") -> RankingScheme:
    """The scheme in ``document``; :class:`SchemeError` naming ``source`` and the first mistake found."""
    prefix = f"{source}: " if source else ""
    try:
        return _parse(document)
    except SchemeError as exc:
        raise SchemeError(f"{prefix}{exc}") from None


def _parse(document: object) -> RankingScheme:
    if not isinstance(document, Mapping):
        raise SchemeError("方案文件须为映射")
    _unknown(document, _TOP, "方案")
    key = document.get("key")
    if not isinstance(key, str) or not key.strip():
        raise SchemeError("key：缺少方案键")
    if str(document.get("period", "dekad")) != "dekad":
        raise SchemeError(f"period：目前只支持 dekad（每旬），而不是 {document.get('period')!r}")
    items = document.get("indicators")
    if not isinstance(items, list) or not items:
        raise SchemeError("indicators：至少须有一项指标")
    indicators = tuple(_indicator(item, i) for i, item in enumerate(items))
    keys = [r.key for r in indicators]
    if len(set(keys)) != len(keys):
        raise SchemeError(
            f"indicators：指标键重复（{'、'.join(sorted({k for k in keys if keys.count(k) > 1}))}）"
        )
    tie_break = document.get("tie_break") or []
    if not isinstance(tie_break, list) or any(not isinstance(k, str) or k not in keys for k in tie_break):
        raise SchemeError(f"tie_break：须为本方案的指标键列表（{'、'.join(keys)}），而不是 {tie_break!r}")
    if len(set(tie_break)) != len(tie_break):
        raise SchemeError("tie_break：指标键重复")
    persistent = document.get("persistent")
    if not isinstance(persistent, Mapping):
        raise SchemeError("persistent：缺少持续靠后的规则（bottom 末位几名、in_a_row 连续几旬）")
    _unknown(persistent, {"bottom", "in_a_row", "note"}, "persistent")
    rule = PersistentRule(
        _int(persistent.get("bottom"), "persistent.bottom", 1, 1000),
        _int(persistent.get("in_a_row"), "persistent.in_a_row", 2, 108),
    )
    return RankingScheme(
        key=key.strip(),
        title=str(document.get("title") or key),
        indicators=indicators,
        method=_choice(Method, document.get("method", Method.RANK_POINTS), "method"),
        missing=_choice(Missing, document.get("missing", Missing.REWEIGHT), "missing"),
        tie_break=tuple(tie_break),
        persistent=rule,
        places=_int(document.get("places", 2), "places", 0, 6),
    )
