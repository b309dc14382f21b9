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

Modules: ``standard`` (Table 1, constants), ``readings`` (input, censored values, settings),
``classification`` (one section),
``analysis`` (a section's recent months, for the 工作方案), ``means`` (period and group means, group
CWQI), ``rivers``, ``periods``,
``status``, ``ranking``.
"""

from ..checklist import round_half_up  # used by callers as water.round_half_up
from .analysis import Analysis, IndicatorExceedance, exceedance_analysis
from .classification import Evaluation, classify, evaluate, indicator_index
from .means import average_sections, group_cwqi, period_mean
from .periods import DEKAD_LABELS, Period, PeriodKind, Sample, dekad, period_of, period_values
from .ranking import TownRank, reverse_ranking
from .readings import (
    CensoredRule,
    MeanOf,
    Problem,
    Reading,
    WaterInputError,
    parse_reading,
    parse_values,
    quantise,
    to_decimal,
)
from .rivers import RiverEvaluation, evaluate_river, share_grade
from .standard import (
    ALL_KEYS,
    CLASS_LABELS,
    DO_ALERT,
    DO_FLOOR,
    ERROR_CODES,
    EVALUATED,
    EXTRA_PLACES,
    EXTRAS,
    GE,
    GRADES,
    HUNDRED,
    LAKE,
    LE,
    OTHER_MEASURES,
    RANGE,
    RIVER,
    SHARE_MIN_SECTIONS,
    TABLE,
    TARGET_CLASS,
    WATER_BODIES,
    WORST,
    ZERO,
    Indicator,
    name_of,
    places_for,
)
from .status import RAISE_REASON_LABELS, SectionStatus, section_status, trend

__all__ = [
    "ALL_KEYS",
    "CLASS_LABELS",
    "DEKAD_LABELS",
    "DO_ALERT",
    "DO_FLOOR",
    "ERROR_CODES",
    "EVALUATED",
    "EXTRAS",
    "EXTRA_PLACES",
    "GE",
    "GRADES",
    "HUNDRED",
    "LAKE",
    "LE",
    "OTHER_MEASURES",
    "RAISE_REASON_LABELS",
    "RANGE",
    "RIVER",
    "SHARE_MIN_SECTIONS",
    "TABLE",
    "TARGET_CLASS",
    "WATER_BODIES",
    "WORST",
    "ZERO",
    "Analysis",
    "CensoredRule",
    "Evaluation",
    "Indicator",
    "IndicatorExceedance",
    "MeanOf",
    "Period",
    "PeriodKind",
    "Problem",
    "Reading",
    "RiverEvaluation",
    "Sample",
    "SectionStatus",
    "TownRank",
    "WaterInputError",
    "average_sections",
    "classify",
    "dekad",
    "evaluate",
    "evaluate_river",
    "exceedance_analysis",
    "group_cwqi",
    "indicator_index",
    "name_of",
    "parse_reading",
    "parse_values",
    "period_mean",
    "period_of",
    "period_values",
    "places_for",
    "quantise",
    "reverse_ranking",
    "round_half_up",
    "section_status",
    "share_grade",
    "to_decimal",
    "trend",
]
