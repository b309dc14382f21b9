"""Eligibility: which awards a unit may not win in its situation (tasks not done, 不合格, vetoed) under
the scheme's readings of 81号, with the note that says why. Pure: no Django."""

from __future__ import annotations

from .model import READINGS, Award, Eligibility, Exclusion, Scheme, SingleAward

_REASONS = {"tasks_incomplete": "未完成年度规定任务", "failed": "考核等次为不合格", "vetoed": "一票否决"}


def _exclusions(
    scheme: Scheme, rules: Eligibility, situations: tuple[bool, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(award keys barred, one note per situation that bars anything) for a unit in ``situations`` (a
    flag per ``READINGS``)."""
    barred: set[str] = set()
    notes = []
    for name, applies in zip(READINGS, situations, strict=True):
        if not applies:
            continue
        rule: Exclusion = getattr(rules, name)
        tiers = [a for a in scheme.awards if a.key in rule.tiers]
        singles = list(scheme.single_awards) if rule.single_awards else []
        if not tiers and not singles:
            continue
        barred.update(a.key for a in tiers)
        barred.update(a.key for a in singles)
        if len(tiers) == len(scheme.awards) and (singles or not scheme.single_awards):
            what = "任何奖项"
        else:
            what = "、".join([*(a.label for a in tiers), *(["单项奖"] if singles else [])])
        notes.append(f"{_REASONS[name]}，不参评{what}")
    every: tuple[Award | SingleAward, ...] = (*scheme.awards, *scheme.single_awards)
    keys = tuple(a.key for a in every if a.key in barred)
    return keys, tuple(notes)
