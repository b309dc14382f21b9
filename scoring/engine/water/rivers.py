"""Several sections of one river: averaged and classified below 5 sections, graded by share from 5 on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from ..checklist import round_half_up
from .classification import Evaluation, evaluate
from .means import average_sections
from .readings import CensoredRule, Problem, WaterInputError, _attempt, _raise_if
from .standard import HUNDRED, RIVER, SHARE_MIN_SECTIONS, WORST


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
        _attempt(problems, partial(evaluate, v, water_body, censored=censored), i)
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
