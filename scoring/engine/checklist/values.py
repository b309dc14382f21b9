"""Reading an inspector's answer values: the shared coercions every kind's ``validate`` builds on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .model import AnswerError


def as_decimal(key: str, value: Any, what: str = "数值") -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise AnswerError(key, f"应为{what}")
    try:
        d = Decimal(str(value))
    except ArithmeticError as exc:
        raise AnswerError(key, f"应为{what}") from exc
    if not d.is_finite():
        raise AnswerError(key, f"应为有限{what}")
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
