"""The one registry of item kinds: what a kind is, in one ``KindSpec``.

A kind says how its answer is checked (``validate``), what an answered item earns or loses and when it is
a finding (``score``), how its result counts (``role``: the 百分制 base, bonus, penalty, veto or nothing)
and which template fields it takes and requires (``fields``, ``positive_points``, ``check``). Scoring,
the submit checks (``missing_answers``) and template validation all read it from here: a new kind is one
``register(KindSpec(...))``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .fields import CAPTURE, CHOICES, PER, TemplateField
from .model import ZERO, Answer, AnswerError, Capture, ItemKind, ItemResult, ItemSpec
from .values import as_bool, as_count, as_decimal


class Role(StrEnum):
    """How an item's result counts in the score."""

    BASE = "base"  # in the 百分制 base: a section sums its earned / maximum (不适用 leaves it)
    BONUS = "bonus"  # ``earned`` is added to the 百分制 score (under the template's bonus cap)
    PENALTY = "penalty"  # ``lost`` is subtracted (under the penalty cap)
    VETO = "veto"  # a failed item vetoes the whole assessment (一票否决)
    NONE = "none"  # carries no points and is never a finding, answered or not


TemplateCheck = Callable[[ItemSpec, Mapping[str, Any], str, list[str]], None]


def _no_rules(item: ItemSpec, raw: Mapping[str, Any], where: str, problems: list[str]) -> None:
    return None


def _has_value(item: ItemSpec, answer: Answer) -> bool:
    return answer.value is not None


@dataclass(frozen=True)
class KindSpec:
    """One item kind, whole: the engine scores and the template reader validates by nothing else."""

    name: str  # the ``kind`` of templates and results
    role: Role
    validate: Callable[[ItemSpec, Any], None]  # an answer's value (given, not 不适用); raises AnswerError
    score: Callable[[ItemSpec, Any], ItemResult]  # the result of an answered, applicable item
    fields: tuple[TemplateField, ...] = ()  # template fields it takes beyond the common ones
    positive_points: bool = False  # templates must give it ``points`` > 0
    check: TemplateCheck = _no_rules  # template rules over the fields read: append problems
    required_by_default: bool = True  # when the template does not say ``required``
    answered: Callable[[ItemSpec, Answer], bool] = _has_value  # for the submit's completeness check


_KINDS: dict[str, KindSpec] = {}


def register(spec: KindSpec) -> KindSpec:
    """Add a kind; from then on templates may use it and the engine scores it."""
    # Findings store the kind in 12 characters; templates and phones spell it as a lowercase identifier.
    if not re.fullmatch(r"[a-z][a-z_]{0,11}", spec.name):
        raise ValueError(f"item kind name {spec.name!r}: a lowercase identifier of at most 12 characters")
    if spec.name in _KINDS:
        raise ValueError(f"item kind {spec.name!r} is already registered")
    _KINDS[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove a kind registered after the built-in ones (tests, plug-ins); built-in kinds stay."""
    if name in set(ItemKind):
        raise ValueError(f"built-in item kind {name!r} cannot be unregistered")
    del _KINDS[name]


def kind_spec(name: str) -> KindSpec:
    return _KINDS[name]


def lookup(name: Any) -> KindSpec | None:
    """The kind named ``name`` (any value a template may hold), or ``None``."""
    return _KINDS.get(name) if isinstance(name, str) else None


def kinds() -> tuple[KindSpec, ...]:
    """Every registered kind, the built-in ones first, in registration order."""
    return tuple(_KINDS.values())


def in_base(kind: str) -> bool:
    """Whether items of ``kind`` carry points of the 百分制 base."""
    return _KINDS[kind].role is Role.BASE


def base_result(item: ItemSpec, earned: Decimal, reason: str) -> ItemResult:
    """A base item's result: it failed (is a finding) when it lost points."""
    lost = item.points - earned
    return ItemResult(item.key, item.kind, earned, item.points, lost, True, lost > 0, reason if lost else "")


def _between(item: ItemSpec, v: Any, what: str) -> Decimal:
    d = as_decimal(item.key, v)
    if d < 0 or d > item.points:
        raise AnswerError(item.key, f"{what}应在 0 到 {item.points} 之间")
    return d


def _validate_flag(item: ItemSpec, v: Any) -> None:
    as_bool(item.key, v)


def _validate_score(item: ItemSpec, v: Any) -> None:
    _between(item, v, "得分")


def _validate_amount(item: ItemSpec, v: Any) -> None:
    if item.per > 0:
        as_count(item.key, v)  # counted: occurrences × per, capped when scored
    else:
        _between(item, v, "分值")


def _amount(item: ItemSpec, v: Any) -> Decimal:
    """Points of a deduct / bonus / penalty item: by count × per (capped), or given directly."""
    if item.per > 0:
        return min(as_count(item.key, v) * item.per, item.points)
    return as_decimal(item.key, v)


def _score_check(item: ItemSpec, v: Any) -> ItemResult:
    return base_result(item, item.points if v else ZERO, "不符合要求")


def _score_score(item: ItemSpec, v: Any) -> ItemResult:
    earned = as_decimal(item.key, v)
    return base_result(item, earned, f"扣 {item.points - earned} 分")


def _score_deduct(item: ItemSpec, v: Any) -> ItemResult:
    lost = _amount(item, v)
    reason = f"发现 {v} 处，每处扣 {item.per} 分" if item.per > 0 else f"扣 {lost} 分"
    if item.per > 0 and v * item.per > item.points:
        reason += f"，扣完 {item.points} 分为止"
    return base_result(item, item.points - lost, reason)


def _score_bonus(item: ItemSpec, v: Any) -> ItemResult:
    amount = _amount(item, v)
    return ItemResult(
        item.key, item.kind, amount, ZERO, ZERO, True, False, f"加 {amount} 分" if amount else ""
    )


def _score_penalty(item: ItemSpec, v: Any) -> ItemResult:
    amount = _amount(item, v)
    reason = f"扣 {amount} 分" if amount else ""
    return ItemResult(item.key, item.kind, ZERO, ZERO, amount, True, amount > 0, reason)


def _score_veto(item: ItemSpec, v: Any) -> ItemResult:
    return ItemResult(item.key, item.kind, ZERO, ZERO, ZERO, True, bool(v), "触发一票否决" if v else "")


def _validate_measure(item: ItemSpec, v: Any) -> None:
    if as_decimal(item.key, v) < 0:
        raise AnswerError(item.key, "测量值不能为负数")


def _score_measure(item: ItemSpec, v: Any) -> ItemResult:
    d = as_decimal(item.key, v)
    ok = (item.min_ok is None or d >= item.min_ok) and (item.max_ok is None or d <= item.max_ok)
    if item.points == 0:  # a pass/fail measurement worth no points
        reason = "" if ok else _measure_reason(item, d)
        return ItemResult(item.key, item.kind, ZERO, ZERO, ZERO, True, not ok, reason)
    return base_result(item, item.points if ok else ZERO, _measure_reason(item, d))


def _measure_reason(item: ItemSpec, d: Decimal) -> str:
    parts = []
    if item.min_ok is not None and d < item.min_ok:
        parts.append(f"低于下限 {item.min_ok}{item.unit}")
    if item.max_ok is not None and d > item.max_ok:
        parts.append(f"超过限值 {item.max_ok}{item.unit}")
    return f"测量值 {d}{item.unit}，" + "、".join(parts)


def _measure_rules(item: ItemSpec, raw: Mapping[str, Any], where: str, problems: list[str]) -> None:
    if item.min_ok is None and item.max_ok is None:
        problems.append(f"{where}: {item.kind} 项需要 min_ok 或 max_ok")


def _deduct_rules(item: ItemSpec, raw: Mapping[str, Any], where: str, problems: list[str]) -> None:
    if item.per <= 0 and raw.get("per") is not None:
        problems.append(f"{where}.per: 应为正数")


def _info_rules(item: ItemSpec, raw: Mapping[str, Any], where: str, problems: list[str]) -> None:
    if item.capture is Capture.CHOICE and not item.choices:
        problems.append(f"{where}.choices: 选择项必须列出选项")


def _score_nothing(item: ItemSpec, v: Any) -> ItemResult:
    return ItemResult(item.key, item.kind, ZERO, ZERO, ZERO, True, False, "")


def _info_answered(item: ItemSpec, answer: Answer) -> bool:
    return answer.value is not None or item.capture is Capture.PHOTO  # a photo item is answered by photos


def _validate_capture(item: ItemSpec, v: Any) -> None:
    match item.capture:
        case Capture.TEXT:
            if not isinstance(v, str):
                raise AnswerError(item.key, "应为文本")
            if len(v) > 2000:
                raise AnswerError(item.key, "文本过长（最多 2000 字）")
        case Capture.NUMBER:
            as_decimal(item.key, v)
        case Capture.CHOICE:
            if v not in item.choices:
                raise AnswerError(item.key, "选项不在允许范围内")
        case Capture.DATE:
            if not isinstance(v, str):
                raise AnswerError(item.key, "应为日期（YYYY-MM-DD）")
            try:
                date.fromisoformat(v)
            except ValueError as exc:
                raise AnswerError(item.key, "应为日期（YYYY-MM-DD）") from exc
        case Capture.GEOPOINT:
            if not isinstance(v, Mapping) or not {"lon", "lat"} <= set(v):
                raise AnswerError(item.key, "应为 {lon, lat, datum}")
            lon, lat = as_decimal(item.key, v["lon"]), as_decimal(item.key, v["lat"])
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise AnswerError(item.key, "经纬度超出范围")
            if v.get("datum", "wgs84") not in {"wgs84", "gcj02", "bd09", "cgcs2000"}:
                raise AnswerError(item.key, "坐标系不受支持")
        case Capture.PHOTO:
            if v is not True and v is not None:
                raise AnswerError(item.key, "照片项不填写数值，请上传照片")


# The kinds of the 计分细则 model (see the package docstring), in the order templates list them.
register(KindSpec(ItemKind.CHECK, Role.BASE, _validate_flag, _score_check, positive_points=True))
register(KindSpec(ItemKind.SCORE, Role.BASE, _validate_score, _score_score, positive_points=True))
register(
    KindSpec(
        ItemKind.DEDUCT,
        Role.BASE,
        _validate_amount,
        _score_deduct,
        (PER,),
        positive_points=True,
        check=_deduct_rules,
    )
)
register(
    KindSpec(
        ItemKind.BONUS, Role.BONUS, _validate_amount, _score_bonus, (PER,), positive_points=True,
        required_by_default=False,
    )
)  # fmt: skip
register(
    KindSpec(
        ItemKind.PENALTY, Role.PENALTY, _validate_amount, _score_penalty, (PER,), positive_points=True,
        required_by_default=False,
    )
)  # fmt: skip
register(KindSpec(ItemKind.VETO, Role.VETO, _validate_flag, _score_veto))
register(KindSpec(ItemKind.MEASURE, Role.BASE, _validate_measure, _score_measure, check=_measure_rules))
register(
    KindSpec(
        ItemKind.INFO, Role.NONE, _validate_capture, _score_nothing, (CAPTURE, CHOICES), check=_info_rules,
        answered=_info_answered,
    )
)  # fmt: skip
