"""Annual assessment of units (海政办发〔2022〕81号): weighted 百分制 components, grade bands, 一票否决,
ranking with ties, award allocation with quotas and eligibility. Pure: no Django.

- Each component is already on a 100-point scale (百分制折算, done per checklist by the checklist
  engine); a component may combine routine inspections with the annual one (平时督导与年度考核相结合).
- Total = Σ weight × component, weights summing to exactly 1 (2022: 安全生产 0.8, 消防 0.2), rounded
  half-up to the scheme's places (2) before banding.
- Bands are half-open: [90, ∞) 优秀, [80, 90) 良好, [70, 80) 合格, below 70 不合格 (81号's "80-89"
  read with decimals). A vetoed unit is 不合格 whatever its points, ranks after every unit that is not
  vetoed, and (by default, see eligibility) wins no award.
- Ranks are shared on equal totals (1, 2, 2, 4). Awards go in rank order to the units eligible for
  them; at a quota's cut-off, ties are broken by the scheme's tie-break components in order, as
  published (rounded like the total; 2022: the higher 安全生产 score first); units still tied across
  the cut-off get nothing automatically and are reported for the office to decide, so no quota is ever
  exceeded. The office's written decision (which of the tied units take the remaining places) is an
  input: with it the tier is complete; a decision that no longer fits the tie (the scores changed) is
  ignored and the tie is reported again.
- Eligibility is per award and per reading of 81号, each an option of the scheme (``Eligibility``):
  which tiers, and whether the single awards, a unit loses when it did not complete the year's required
  tasks (二、4 says only "不得推荐为…先进单位"), when it is 不合格 on its points, and when it is vetoed.
  The defaults: tasks not done → no 先进 tier and no single award (each is a 先进单位), 优胜 allowed;
  不合格 or vetoed → no award at all. A unit barred from an award is not in its pool: it uses up no
  place and is no part of a tie at the cut-off; the next eligible unit takes the place.
- Single awards (单项奖: 宣传教育培训, 行政执法, 专项整治, 隐患排查, 3 each in 2022) rank eligible units by
  the share of points they earned on the checklist items the award is about (its basis), then by
  standing and the tie-break components; they are independent of the comprehensive tiers (a 先进区镇 may
  also win a single award) and use the same cut-off rule. Which items form each basis is scheme data:
  81号 names the awards but not their criteria.

The package, by concept: ``model`` (scheme, inputs, results), ``points`` (bands, totals, single-award
basis), ``eligibility`` (who may win what), ``ranking`` (``evaluate``: order and shared ranks) and
``awards`` (quotas, cut-off ties and the office's decisions).
"""

from .model import (
    DEFAULT_BANDS,
    FAIL_LABEL,
    HUNDRED,
    ONE,
    READINGS,
    SCHEME_2022_TOWNS,
    ZERO,
    Award,
    Band,
    Eligibility,
    Exclusion,
    RoutineRule,
    Scheme,
    SchemeError,
    Scoreboard,
    SingleAward,
    UnitInput,
    UnitResult,
)
from .points import band, basis_matches, basis_score, share_of_points, total_of
from .ranking import evaluate

__all__ = [
    "DEFAULT_BANDS",
    "FAIL_LABEL",
    "HUNDRED",
    "ONE",
    "READINGS",
    "SCHEME_2022_TOWNS",
    "ZERO",
    "Award",
    "Band",
    "Eligibility",
    "Exclusion",
    "RoutineRule",
    "Scheme",
    "SchemeError",
    "Scoreboard",
    "SingleAward",
    "UnitInput",
    "UnitResult",
    "band",
    "basis_matches",
    "basis_score",
    "evaluate",
    "share_of_points",
    "total_of",
]
