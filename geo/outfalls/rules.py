"""The outfall state rule, pure (no Django): which state an outfall may move to under which decision.

Item 19 asks that every outfall upstream of a key section be found (有口皆查), decided —
依法取缔一批、清理合并一批、规范整治一批 — and brought to 有数可控、达标排放. An outfall is ``found``
until worked on; work (``rectifying``) needs a decision; it ends in the state its decision leads to
(取缔 → ``banned``, 清理合并 → ``merged``, 规范整治 → ``compliant``). A finished outfall can be reopened (back
to ``rectifying``) when it relapses, and a decision can change only while the outfall is not finished
under it."""

from __future__ import annotations

from enum import StrEnum


class Decision(StrEnum):
    NONE = ""
    BAN = "ban"  # 取缔
    MERGE = "merge"  # 清理合并
    REGULATE = "regulate"  # 规范整治


class State(StrEnum):
    FOUND = "found"  # 已排查（待整治）
    RECTIFYING = "rectifying"  # 整治中
    BANNED = "banned"  # 已取缔
    MERGED = "merged"  # 已清理合并
    COMPLIANT = "compliant"  # 达标排放


# Where each decision ends.
END_OF = {Decision.BAN: State.BANNED, Decision.MERGE: State.MERGED, Decision.REGULATE: State.COMPLIANT}
FINISHED = frozenset(END_OF.values())


def state_error(decision: str, before: str, after: str) -> tuple[str, str] | None:
    """``None`` when an outfall with ``decision`` may go from state ``before`` to ``after``; else the error's
    (code, zh-Hans message). Staying in a state is allowed unless the decision no longer leads there."""
    d, b, a = Decision(decision), State(before), State(after)
    if a in FINISHED and END_OF.get(d) != a:
        return (
            "state_needs_decision",
            "排污口的整治状态与整治方式不符（取缔→已取缔，清理合并→已清理合并，规范整治→达标排放）",
        )
    if a == State.RECTIFYING and d == Decision.NONE:
        return "state_needs_decision", "请先明确整治方式（取缔、清理合并或规范整治）再开始整治"
    if a == b:
        return None
    if a == State.FOUND and b != State.FOUND:
        return "state_backwards", "已开始整治的排污口不能退回“已排查”状态"
    return None
