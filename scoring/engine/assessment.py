"""Annual assessment of units (海政办发〔2022〕81号): weighted 百分制 components, grade bands, 一票否决,
ranking with ties, award allocation with quotas and eligibility. Pure: no Django.

- Each component is already on a 100-point scale (百分制折算, done per checklist by the checklist
  engine); a component may combine routine inspections with the annual one (平时督导与年度考核相结合).
- Total = Σ weight × component, weights summing to exactly 1 (2022: 安全生产 0.8, 消防 0.2), rounded
  half-up to the scheme's places (2) before banding.
- Bands are half-open: [90, ∞) 优秀, [80, 90) 良好, [70, 80) 合格, below 70 不合格 (81号's "80-89"
  read with decimals). A vetoed unit is 不合格 whatever its points, ranks after every unit that is not
  vetoed, and wins no award.
- Ranks are shared on equal totals (1, 2, 2, 4). Awards go in score order to eligible units (not
  vetoed, required tasks done); at a quota's cut-off, ties are broken by the scheme's tie-break
  components in order (2022: the higher 安全生产 score first); units still tied across the cut-off get
  nothing automatically and are reported for the office to decide, so no quota is ever exceeded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .checklist import round_half_up

ZERO, ONE, HUNDRED = Decimal(0), Decimal(1), Decimal(100)


class SchemeError(ValueError):
    pass


@dataclass(frozen=True)
class Band:
    lower: Decimal  # inclusive
    label: str


DEFAULT_BANDS = (
    Band(Decimal(90), "优秀"),
    Band(Decimal(80), "良好"),
    Band(Decimal(70), "合格"),
    Band(Decimal("-Infinity"), "不合格"),
)
FAIL_LABEL = "不合格"


@dataclass(frozen=True)
class RoutineRule:
    """How routine inspections and the annual assessment combine into a component score."""

    routine_weight: Decimal = ZERO  # e.g. 0.3 → 30 % mean of routine, 70 % annual
    when_no_routine: str = "annual_only"  # or "zero": missing routine inspections count as 0

    def combine(self, routine: Sequence[Decimal], annual: Decimal | None) -> Decimal | None:
        mean = sum(routine, ZERO) / len(routine) if routine else None
        return self.combine_mean(mean, annual)

    def combine_mean(self, routine_mean: Decimal | None, annual: Decimal | None) -> Decimal | None:
        """The same, from the routine inspections' mean (as a database computes it)."""
        if annual is None:
            return None
        if self.routine_weight == 0:
            return annual
        if routine_mean is None:
            return annual if self.when_no_routine == "annual_only" else (ONE - self.routine_weight) * annual
        return self.routine_weight * routine_mean + (ONE - self.routine_weight) * annual


@dataclass(frozen=True)
class Award:
    key: str
    label: str
    quota: int


@dataclass(frozen=True)
class Scheme:
    weights: Mapping[str, Decimal]  # component key → weight
    bands: tuple[Band, ...] = DEFAULT_BANDS
    places: int = 2
    tie_break: tuple[str, ...] = ()  # component keys, in order
    awards: tuple[Award, ...] = ()

    def __post_init__(self) -> None:
        if not self.weights:
            raise SchemeError("至少需要一个考核组成部分")
        if any(w < 0 for w in self.weights.values()):
            raise SchemeError("权重不能为负数")
        if sum(self.weights.values(), ZERO) != ONE:
            raise SchemeError("各组成部分权重之和必须等于 1")
        if any(k not in self.weights for k in self.tie_break):
            raise SchemeError("并列处理所用的组成部分不在方案中")
        lowers = [b.lower for b in self.bands]
        if lowers != sorted(lowers, reverse=True) or lowers[-1] != Decimal("-Infinity"):
            raise SchemeError("等次分数线须从高到低排列，并以无下限的最低等次结束")
        if any(a.quota < 0 for a in self.awards):
            raise SchemeError("名额不能为负数")


@dataclass(frozen=True)
class UnitInput:
    unit_id: int
    components: Mapping[str, Decimal | None]  # 百分制 score per component (None: not assessed)
    vetoed: bool = False
    veto_reasons: tuple[str, ...] = ()
    tasks_completed: bool = True  # the year's required tasks (else not recommendable as 先进)


@dataclass(frozen=True)
class UnitResult:
    unit_id: int
    components: Mapping[str, Decimal]
    total: Decimal
    grade: str
    vetoed: bool
    eligible: bool
    veto_reasons: tuple[str, ...] = ()
    rank: int = 0
    reverse_rank: int = 0
    award: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scoreboard:
    units: tuple[UnitResult, ...]  # in rank order
    # award → unit ids tied across its cut-off (empty: the tier waits for an earlier tier's decision)
    undecided: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


def band(total: Decimal, bands: Sequence[Band] = DEFAULT_BANDS) -> str:
    return next(b.label for b in bands if total >= b.lower)


def total_of(scheme: Scheme, components: Mapping[str, Decimal | None]) -> Decimal:
    """Σ weight × component, a missing component counting 0, clamped to [0, 100], rounded half-up."""
    raw = sum(
        (w * min(HUNDRED, max(ZERO, components.get(k) or ZERO)) for k, w in scheme.weights.items()), ZERO
    )
    return round_half_up(min(HUNDRED, max(ZERO, raw)), scheme.places)


def _sort_key(scheme: Scheme, r: UnitResult) -> tuple[Decimal, ...]:
    return (r.total, *(r.components.get(k, ZERO) for k in scheme.tie_break))


def evaluate(scheme: Scheme, units: Sequence[UnitInput]) -> Scoreboard:
    results = []
    for u in units:
        comps = {
            k: round_half_up(min(HUNDRED, max(ZERO, u.components.get(k) or ZERO)), scheme.places)
            for k in scheme.weights
        }
        total = total_of(scheme, u.components)
        notes = tuple(f"{k} 未考核，按 0 分计" for k in scheme.weights if u.components.get(k) is None)
        results.append(
            UnitResult(
                unit_id=u.unit_id,
                components=comps,
                total=total,
                grade=FAIL_LABEL if u.vetoed else band(total, scheme.bands),
                vetoed=u.vetoed,
                eligible=not u.vetoed and u.tasks_completed,
                veto_reasons=u.veto_reasons,
                notes=notes + (() if u.tasks_completed else ("未完成年度规定任务，不得推荐为先进",)),
            )
        )
    # A vetoed unit is 不合格 and ranks after every unit that is not, whatever its points.
    ordered = sorted(results, key=lambda r: (r.vetoed, -r.total, r.unit_id))
    ranked = _ranked(ordered)
    awarded, undecided = _awards(scheme, ranked)
    return Scoreboard(tuple(awarded), undecided)


def _standing(r: UnitResult) -> tuple[int, Decimal]:
    return (0 if r.vetoed else 1, r.total)  # larger is better


def _ranked(ordered: list[UnitResult]) -> list[UnitResult]:
    """Competition ranking (1, 2, 2, 4) on a list sorted best first; the reverse rank counts from the
    bottom the same way. Linear: equal standings are adjacent in the sorted list."""
    n = len(ordered)
    standings = [_standing(r) for r in ordered]
    first_of: list[int] = []
    for i, st in enumerate(standings):
        first_of.append(first_of[-1] if i and standings[i - 1] == st else i)
    last_of = [0] * n
    for i in range(n - 1, -1, -1):
        last_of[i] = last_of[i + 1] if i + 1 < n and standings[i + 1] == standings[i] else i
    return [replace(r, rank=first_of[i] + 1, reverse_rank=n - last_of[i]) for i, r in enumerate(ordered)]


def _awards(scheme: Scheme, ranked: list[UnitResult]) -> tuple[list[UnitResult], dict[str, tuple[int, ...]]]:
    """Tiers in order (先进 then 优胜): each takes the best eligible units not yet awarded."""
    by_id = {r.unit_id: r for r in ranked}
    undecided: dict[str, tuple[int, ...]] = {}
    taken: set[int] = set()
    for award in scheme.awards:
        if undecided:
            # A later tier depends on who wins the undecided one: wait for the office's decision.
            undecided[award.key] = ()
            continue
        pool = sorted(
            (r for r in ranked if r.eligible and r.unit_id not in taken),
            key=lambda r: tuple(-x for x in _sort_key(scheme, r)),
        )
        if award.quota == 0 or not pool:
            continue
        winners = pool[: award.quota]
        if len(pool) > award.quota:
            cut = _sort_key(scheme, pool[award.quota - 1])
            if _sort_key(scheme, pool[award.quota]) == cut:
                tied = [r for r in pool if _sort_key(scheme, r) == cut]
                winners = [r for r in winners if _sort_key(scheme, r) != cut]
                undecided[award.key] = tuple(sorted(r.unit_id for r in tied))
        for w in winners:
            taken.add(w.unit_id)
            by_id[w.unit_id] = replace(by_id[w.unit_id], award=award.label)
    return [by_id[r.unit_id] for r in ranked], undecided


SCHEME_2022_TOWNS = Scheme(
    weights={"safety": Decimal("0.8"), "fire": Decimal("0.2")},
    tie_break=("safety", "fire"),
    awards=(Award("advanced", "先进区镇", 4), Award("excellent", "优胜区镇", 4)),
)
