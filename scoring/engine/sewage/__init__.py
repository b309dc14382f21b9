"""Rural domestic sewage (农村生活污水治理) of 海政办发〔2022〕65号 section 三: the treatment rate (治理率) by
the national 双60 rule and the facility normal-operation rate (正常运行率), per town (区镇) and for the
district, with the district targets. Pure: no Django. Counts are integers and thresholds exact fractions,
so the hot loops over 200,000 natural villages do no Decimal arithmetic.

Facts (seed and shared domain file):
- A natural village (自然村) is treated when its treated households are ≥ 60 % of its households; an
  administrative village (行政村) is treated when its treated natural villages are ≥ 60 % of its natural
  villages; 治理率 = treated administrative villages / all administrative villages. Both 60 % are
  ``RateRules`` parameters, compared inclusively on integers (3 of 5 households is treated, 299 of 500
  is not; 3 of 5 natural villages is treated, 2 of 4 is not).
- A village whose facility is completely broken counts as untreated until the rebuilt facility runs.
- Not normal: main equipment stopped or damaged, pipe network not matched, capacity not matching the
  real demand, effluent over the standard, no independent electricity meter (小型集中式设施).
- District targets for 2022: 治理率 ≥ 30 %, 正常运行率 ≥ 80 % (parameters). Each town's rates are checked
  against the same targets (``TownResult.targets``), so a failing town shows.

Engine choices where the sources leave a detail open (*unconfirmed*; parameters unless said otherwise):
- Treated households of a natural village = min(households, Σ households served by its treating
  facilities). A facility claiming more households of a natural village than it has, or several
  facilities together doing so, is capped and reported as a data warning, not an error.
- Treating statuses (``treating_statuses``): in_service and stopped. 治理率 measures coverage and the
  normal-operation rate is where a stopped facility is penalised. beyond_repair never treats (65号: the
  village is untreated until the rebuilt facility runs), nor do under_construction and retired.
- A natural village with 0 households is left out of its administrative village's count (neither treated
  nor untreated) and listed with ``counted=False``. An administrative village with no natural villages on
  record, or only empty ones, is untreated and flagged (no_natural_village_data / no_households).
- A facility may serve natural villages of a neighbouring administrative village (cross-village service
  is real): it is listed under both villages. Its own administrative village gives its town for the
  normal-operation rate. A treating facility with no served households on record is a data warning.
- Normal-operation scope (``operation_statuses``): in_service, stopped and beyond_repair (a broken
  facility stays on the books until the district approves retiring it); under_construction and retired
  are out of scope and listed as such.
- The registry status implies a condition whatever the latest audit says: stopped → "stopped",
  beyond_repair → "damaged" (fixed, ``STATUS_CONDITIONS``). A facility is not normal when one of its
  conditions is in ``not_normal_conditions`` (default: every condition but "normal"; "normal" next to a
  problem does not cancel it). An audit that recorded no condition at all counts as normal.
- "小型集中式设施无独立电表": no_meter makes a facility not normal only at capacity ≥ 20 t/d
  (``meter_capacity_tpd``): 65号 checks meters on the ≥ 20 t/d facilities and the registry needs a
  meter number from 20 t/d. Below it the condition does not count.
- A never-audited facility in scope (conditions None) is not normal with reason "never_audited"
  (``never_audited="not_normal"``) or, with "excluded", leaves the denominator — unless its registry
  status already makes it not normal.
- Rates are percentages rounded half-up to ``places`` (2); an empty denominator gives None (a town
  without administrative villages; a town without facilities in scope). A town with villages but no
  facilities has 治理率 0 %. Targets are compared on the exact fraction, not the rounded percentage
  (29.996 % shows as 30.00 % but misses 30 %); a None rate is neither met nor missed (met None).
- Unknown or duplicate ids, unknown status / condition keys, non-integer or negative households and
  invalid or negative capacities are errors: ``SewageInputError`` lists every problem found.

The package, by concept: ``rules`` (vocabulary and ``RateRules``), ``model`` (input and result records,
``rate`` and ``meets``), ``validation`` (``SewageInputError`` with every problem found) and
``evaluation`` (``evaluate`` in named steps, ``operation_reasons``).
"""

from .evaluation import evaluate, operation_reasons, target_checks
from .model import (
    AdminVillage,
    AdminVillageResult,
    DataWarning,
    Facility,
    FacilityIssue,
    NaturalVillage,
    NaturalVillageResult,
    Problem,
    Rate,
    SewageInputError,
    SewageReport,
    TargetCheck,
    Town,
    TownResult,
    meets,
    rate,
)
from .rules import (
    CONDITION_LABELS,
    CONDITIONS,
    DEFAULT_RULES,
    ERROR_CODES,
    NEVER_AUDITED,
    NEVER_AUDITED_RULES,
    OPERATION_REASON_LABELS,
    REASON_LABELS,
    STATUS_CONDITIONS,
    STATUS_LABELS,
    STATUSES,
    WARNING_CODES,
    Id,
    RateRules,
    RulesError,
)

__all__ = [
    "CONDITIONS",
    "CONDITION_LABELS",
    "DEFAULT_RULES",
    "ERROR_CODES",
    "NEVER_AUDITED",
    "NEVER_AUDITED_RULES",
    "OPERATION_REASON_LABELS",
    "REASON_LABELS",
    "STATUSES",
    "STATUS_CONDITIONS",
    "STATUS_LABELS",
    "WARNING_CODES",
    "AdminVillage",
    "AdminVillageResult",
    "DataWarning",
    "Facility",
    "FacilityIssue",
    "Id",
    "NaturalVillage",
    "NaturalVillageResult",
    "Problem",
    "Rate",
    "RateRules",
    "RulesError",
    "SewageInputError",
    "SewageReport",
    "TargetCheck",
    "Town",
    "TownResult",
    "evaluate",
    "meets",
    "operation_reasons",
    "rate",
    "target_checks",
]
