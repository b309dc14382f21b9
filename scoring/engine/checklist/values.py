"""Reading an inspector's answer values: the shared coercions every kind's ``validate`` builds on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .model import AnswerError

# What a person can have typed or a sensor measured: 28 significant digits (the arithmetic's precision), a
# magnitude below 10^16 and nothing finer than 10^-20. Beyond that it is a typo or an attack — a score of
# "1e-999999999" would be written out as a billion digits. The phone's engine.js applies the same bounds.
MAX_DIGITS, MAX_ADJUSTED, MIN_EXPONENT = 28, 15, -20


def as_decimal(key: str, value: Any, what: str = "数值") -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise AnswerError(key, f"应为{what}")
    try:
        d = Decimal(str(value))
    except ArithmeticError as exc:
        raise AnswerError(key, f"应为{what}") from exc
    if not d.is_finite():
        raise AnswerError(key, f"应为有限{what}")
    exponent = d.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if len(d.as_tuple().digits) > MAX_DIGITS or d.adjusted() > MAX_ADJUSTED or exponent < MIN_EXPONENT:
        raise AnswerError(
            key, f"{what}超出允许范围（有效数字不超过 28 位，绝对值小于 10¹⁶，精度不细于 10⁻²⁰）"
        )
    return d


def as_count(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerError(key, "应为非负整数（发现次数）")
    if value < 0:
        raise AnswerError(key, "次数不能为负数")
    return value


def as_bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise AnswerError(key, "应为 true 或 false")
    return value
