"""Town rankings per 旬 (海政办发〔2022〕65号 item 38: 逆序排名, 每旬通报, 约谈 of the towns staying at
the bottom). Pure: no Django; all arithmetic ``Decimal``.

The source fixes only the principle: a reverse ranking every 旬 on air quality, dust fall and the two
provincial sections' water quality, and talks (约谈) with the towns that stay at the bottom. Everything else
is the scheme's (``RankingScheme``, read from YAML by ``scheme_from_mapping``), an example for the office to
confirm:
- Each indicator becomes points per town: ``rank_points`` (the best town ``full`` = 100, the worst 0,
  evenly spaced by place, equal values sharing the better place) or ``normalised`` (linear between the
  best and the worst value; all equal → 100). ``better`` says which direction is good (AQI, dust fall,
  CWQI: lower).
- A town's score is the weighted mean of its points (higher is better), rounded half-up to ``places``.
  A missing value (no data that 旬): ``reweight`` leaves the indicator out of that town's mean (its weight
  goes to the others), ``zero`` scores it 0 points. A town with no value on any indicator is not ranked
  (rank None, listed last) under either rule. An indicator without any source is left out for every town.
- 逆序名次: the lowest score first (rank 1 = the worst). Equal rounded scores are ordered by the
  tie-break indicators' points (fewer first; a missing value counts 0), and towns still equal share a
  rank (1, 2, 2, 4) in the given order.
- 持续靠后: a town among the ``bottom`` worst (rank ≤ bottom) for ``in_a_row`` 旬 in a row; a 旬 in
  which it is unranked ends the run.

Modules: ``scheme`` (the scheme and its reading), ``ranking`` (points, scores, ranks), ``history``
(the dekads between two days, runs at the bottom). 旬 come from ``scoring.engine.water.periods``.
"""

from .history import Streak, at_bottom, dekad_of_key, dekads_between, persistent_bottom
from .ranking import Ranking, RankingInputError, TownScore, indicator_points, rank_towns
from .scheme import (
    Better,
    IndicatorRule,
    Method,
    Missing,
    PersistentRule,
    RankingScheme,
    SchemeError,
    scheme_from_mapping,
)

__all__ = [
    "Better",
    "IndicatorRule",
    "Method",
    "Missing",
    "PersistentRule",
    "Ranking",
    "RankingInputError",
    "RankingScheme",
    "SchemeError",
    "Streak",
    "TownScore",
    "at_bottom",
    "dekad_of_key",
    "dekads_between",
    "indicator_points",
    "persistent_bottom",
    "rank_towns",
    "scheme_from_mapping",
]
