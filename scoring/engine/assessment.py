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
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

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
class SingleAward:
    key: str
    label: str
    quota: int
    # (component key, item key or key prefix such as "training." for a whole section)
    basis: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Exclusion:
    """The awards a unit in one situation may not win: one reading of 81号, an option of the scheme."""

    tiers: frozenset[str] = frozenset()  # keys of the comprehensive tiers (先进区镇, 优胜区镇 …)
    single_awards: bool = False  # every single award (单项奖) as well


@dataclass(frozen=True)
class Eligibility:
    """Who may win which award. Each situation that applies to a unit adds its exclusions."""

    tasks_incomplete: Exclusion  # the year's required tasks not completed (81号 二、4)
    failed: Exclusion  # 不合格 on its points: the total falls in the lowest band
    vetoed: Exclusion  # 一票否决 (81号 二、5)

    @classmethod
    def default(cls, awards: Sequence[Award]) -> Eligibility:
        """81号 二、4 bars the 先进 awards: the tiers named 先进… and every single award (each is a
        先进单位, and 三 speaks of 综合先进和单项先进 alike); 优胜 stays open. A 不合格 or vetoed unit wins
        nothing: awards go 按得分高低顺序 to units that passed."""
        every = frozenset(a.key for a in awards)
        return cls(
            tasks_incomplete=Exclusion(frozenset(a.key for a in awards if "先进" in a.label), True),
            failed=Exclusion(every, True),
            vetoed=Exclusion(every, True),
        )


READINGS = ("tasks_incomplete", "failed", "vetoed")  # Eligibility's fields, in the order notes give them


@dataclass(frozen=True)
class Scheme:
    weights: Mapping[str, Decimal]  # component key → weight
    bands: tuple[Band, ...] = DEFAULT_BANDS
    places: int = 2
    tie_break: tuple[str, ...] = ()  # component keys, in order
    awards: tuple[Award, ...] = ()
    single_awards: tuple[SingleAward, ...] = ()
    eligibility: Eligibility | None = None  # None: Eligibility.default(awards)

    def award_eligibility(self) -> Eligibility:
        return self.eligibility or Eligibility.default(self.awards)

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
        if any(a.quota < 0 for a in (*self.awards, *self.single_awards)):
            raise SchemeError("名额不能为负数")
        keys = [a.key for a in (*self.awards, *self.single_awards)]
        if len(keys) != len(set(keys)):
            raise SchemeError("奖项标识不能重复")
        for a in self.single_awards:
            if not a.basis:
                raise SchemeError(f"单项奖 {a.key} 须列出评比依据的检查项")
            if any(component not in self.weights for component, _ in a.basis):
                raise SchemeError(f"单项奖 {a.key} 的评比依据引用了方案中没有的组成部分")
        if self.eligibility is not None:
            tiers = [a.key for a in self.awards]
            for name in READINGS:
                unknown = sorted(getattr(self.eligibility, name).tiers - set(tiers))
                if unknown:
                    raise SchemeError(
                        f"eligibility.{name}.exclude_tiers: 方案中没有综合奖 {'、'.join(unknown)}"
                        f"（可选：{'、'.join(tiers) or '无'}）"
                    )


@dataclass(frozen=True)
class UnitInput:
    unit_id: int
    components: Mapping[str, Decimal | None]  # 百分制 score per component (None: not assessed)
    vetoed: bool = False
    veto_reasons: tuple[str, ...] = ()
    tasks_completed: bool = True  # the year's required tasks (else not recommendable as 先进)
    single_scores: Mapping[str, Decimal | None] = field(default_factory=dict)  # single award → basis %


@dataclass(frozen=True)
class UnitResult:
    unit_id: int
    components: Mapping[str, Decimal]
    total: Decimal
    grade: str
    vetoed: bool
    eligible: bool  # barred from no award
    veto_reasons: tuple[str, ...] = ()
    rank: int = 0
    reverse_rank: int = 0
    award: str = ""
    single_awards: tuple[str, ...] = ()
    single_scores: Mapping[str, Decimal | None] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # keys of the awards it may not win (tiers, then single awards)


@dataclass(frozen=True)
class Scoreboard:
    units: tuple[UnitResult, ...]  # in rank order
    # award → unit ids tied across its cut-off (empty: the tier waits for an earlier tier's decision)
    undecided: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


def band(total: Decimal, bands: Sequence[Band] = DEFAULT_BANDS) -> str:
    return next(b.label for b in bands if total >= b.lower)


def total_of(scheme: Scheme, components: Mapping[str, Decimal | None]) -> Decimal:
    """Σ weight × component, a missing component counting 0, clamped to [0, 100], rounded half-up."""
    return _total(scheme, _clamped(scheme, components))


def _clamped(scheme: Scheme, components: Mapping[str, Decimal | None]) -> dict[str, Decimal]:
    """Each of the scheme's components within [0, 100], a missing one 0."""
    return {k: min(HUNDRED, max(ZERO, components.get(k) or ZERO)) for k in scheme.weights}


def _total(scheme: Scheme, clamped: Mapping[str, Decimal]) -> Decimal:
    raw = sum((w * clamped[k] for k, w in scheme.weights.items()), ZERO)
    return round_half_up(min(HUNDRED, max(ZERO, raw)), scheme.places)


def basis_score(
    items: Mapping[str, Sequence[tuple[str, Decimal, Decimal]]], basis: Sequence[tuple[str, str]]
) -> Decimal | None:
    """Points earned on a single award's basis as a share of the points available there (百分制).

    ``items``: component key → (item key, earned, maximum) of the unit's scored, applicable items. A
    basis entry matches an item key exactly or, when it ends with ".", every item under that prefix.
    None when none of the basis items was assessed."""
    earned = maximum = ZERO
    for component, pattern in basis:
        for key, e, m in items.get(component, ()):
            if basis_matches(key, pattern):
                earned += e
                maximum += m
    return share_of_points(earned, maximum)


def basis_matches(key: str, pattern: str) -> bool:
    """A basis entry names an item key, or with a trailing "." every item under that prefix."""
    return key == pattern or (pattern.endswith(".") and key.startswith(pattern))


def share_of_points(earned: Decimal, maximum: Decimal) -> Decimal | None:
    """100 × earned / maximum, half-up to 4 places; None when there were no points to earn."""
    return None if maximum <= 0 else round_half_up(HUNDRED * earned / maximum, 4)


def _sort_key(scheme: Scheme, r: UnitResult) -> tuple[Decimal, ...]:
    # The published order: a vetoed unit (should the scheme let it win anything) after every other.
    return (ZERO if r.vetoed else ONE, r.total, *(r.components.get(k, ZERO) for k in scheme.tie_break))


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
        barred.update(a.key for a in (*tiers, *singles))
        if len(tiers) == len(scheme.awards) and (singles or not scheme.single_awards):
            what = "任何奖项"
        else:
            what = "、".join([*(a.label for a in tiers), *(["单项奖"] if singles else [])])
        notes.append(f"{_REASONS[name]}，不参评{what}")
    keys = tuple(a.key for a in (*scheme.awards, *scheme.single_awards) if a.key in barred)
    return keys, tuple(notes)


def evaluate(
    scheme: Scheme, units: Sequence[UnitInput], decisions: Mapping[str, Sequence[int]] | None = None
) -> Scoreboard:
    """``decisions``: award key → the unit ids the office chose among those tied at its cut-off."""
    quantum = Decimal(1).scaleb(-scheme.places)
    rules = scheme.award_eligibility()
    lowest = scheme.bands[-1].label
    scored = []
    for u in units:
        clamped = _clamped(scheme, u.components)
        comps = {k: v.quantize(quantum, ROUND_HALF_UP) for k, v in clamped.items()}
        scored.append((u, comps, _total(scheme, clamped)))
    # A vetoed unit is 不合格 and ranks after every unit that is not, whatever its points.
    scored.sort(key=lambda s: (s[0].vetoed, -s[2], s[0].unit_id))
    first, last = _shared_ranks([(not u.vetoed, total) for u, _, total in scored])
    n = len(scored)
    ranked = []
    barring: dict[tuple[bool, ...], tuple[tuple[str, ...], tuple[str, ...]]] = {}  # eight at most
    for i, (u, comps, total) in enumerate(scored):
        on_points = band(total, scheme.bands)
        situation = (not u.tasks_completed, on_points == lowest, u.vetoed)  # in READINGS' order
        if situation not in barring:
            barring[situation] = _exclusions(scheme, rules, situation)
        excluded, barred_notes = barring[situation]
        ranked.append(
            UnitResult(
                unit_id=u.unit_id,
                components=comps,
                total=total,
                grade=FAIL_LABEL if u.vetoed else on_points,
                vetoed=u.vetoed,
                eligible=not excluded,
                veto_reasons=u.veto_reasons,
                rank=first[i] + 1,
                reverse_rank=n - last[i],
                single_scores={a.key: u.single_scores.get(a.key) for a in scheme.single_awards},
                notes=tuple(f"{k} 未考核，按 0 分计" for k in scheme.weights if u.components.get(k) is None)
                + barred_notes,
                excluded=excluded,
            )
        )
    base_key = {r.unit_id: _sort_key(scheme, r) for r in ranked}
    awarded, undecided = _awards(scheme, ranked, decisions or {}, base_key)
    awarded, single_undecided = _single_awards(scheme, awarded, decisions or {}, base_key)
    return Scoreboard(tuple(awarded), {**undecided, **single_undecided})


def _shared_ranks(standings: Sequence[tuple[object, ...]]) -> tuple[list[int], list[int]]:
    """Competition ranking (1, 2, 2, 4) on standings sorted best first: for each position, the first
    and the last index of its run of equal standings (the reverse rank counts from the bottom the same
    way). Linear: equal standings are adjacent in the sorted list."""
    n = len(standings)
    first_of: list[int] = []
    for i, st in enumerate(standings):
        first_of.append(first_of[-1] if i and standings[i - 1] == st else i)
    last_of = [0] * n
    for i in range(n - 1, -1, -1):
        last_of[i] = last_of[i + 1] if i + 1 < n and standings[i + 1] == standings[i] else i
    return first_of, last_of


def _allot(
    pool: list[UnitResult],
    quota: int,
    key: Callable[[UnitResult], tuple[Decimal, ...]],
    chosen: Sequence[int],
) -> tuple[list[UnitResult], tuple[int, ...]]:
    """The best ``quota`` of ``pool`` by ``key`` (descending); units tied across the cut-off take the
    remaining places only by the office's decision ``chosen``. Returns (winners, still undecided)."""
    ordered = sorted(pool, key=key, reverse=True)  # stable: equal keys keep the pool's (rank) order
    if quota == 0 or not ordered:
        return [], ()
    winners = ordered[:quota]
    if len(ordered) > quota and key(ordered[quota]) == key(ordered[quota - 1]):
        cut = key(ordered[quota - 1])
        at_cut = [r for r in ordered if key(r) == cut]
        tied = tuple(sorted(r.unit_id for r in at_cut))
        winners = [r for r in winners if key(r) != cut]
        places, picked = quota - len(winners), set(chosen)
        if len(picked) == places and picked <= set(tied):
            winners += [r for r in at_cut if r.unit_id in picked]
        else:
            return winners, tied
    return winners, ()


def _awards(
    scheme: Scheme,
    ranked: list[UnitResult],
    decisions: Mapping[str, Sequence[int]],
    base_key: Mapping[int, tuple[Decimal, ...]],
) -> tuple[list[UnitResult], dict[str, tuple[int, ...]]]:
    """Tiers in order (先进 then 优胜): each takes the best units eligible for it not yet awarded."""
    by_id = {r.unit_id: r for r in ranked}
    undecided: dict[str, tuple[int, ...]] = {}
    taken: set[int] = set()
    for award in scheme.awards:
        if undecided:
            # A later tier depends on who wins the undecided one: wait for the office's decision.
            undecided[award.key] = ()
            continue
        pool = [r for r in ranked if award.key not in r.excluded and r.unit_id not in taken]
        winners, tied = _allot(pool, award.quota, lambda r: base_key[r.unit_id], decisions.get(award.key, ()))
        if tied:
            undecided[award.key] = tied
        for w in winners:
            taken.add(w.unit_id)
            by_id[w.unit_id] = replace(by_id[w.unit_id], award=award.label)
    return [by_id[r.unit_id] for r in ranked], undecided


def _single_awards(
    scheme: Scheme,
    ranked: list[UnitResult],
    decisions: Mapping[str, Sequence[int]],
    base_key: Mapping[int, tuple[Decimal, ...]],
) -> tuple[list[UnitResult], dict[str, tuple[int, ...]]]:
    by_id = {r.unit_id: r for r in ranked}
    undecided: dict[str, tuple[int, ...]] = {}
    for award in scheme.single_awards:
        pool = [
            r for r in ranked if award.key not in r.excluded and r.single_scores.get(award.key) is not None
        ]

        def key(r: UnitResult, award: SingleAward = award) -> tuple[Decimal, ...]:
            return (r.single_scores[award.key] or ZERO, *base_key[r.unit_id])

        winners, tied = _allot(pool, award.quota, key, decisions.get(award.key, ()))
        if tied:
            undecided[award.key] = tied
        for w in winners:
            unit = by_id[w.unit_id]
            by_id[w.unit_id] = replace(unit, single_awards=(*unit.single_awards, award.label))
    return [by_id[r.unit_id] for r in ranked], undecided


SCHEME_2022_TOWNS = Scheme(
    weights={"safety": Decimal("0.8"), "fire": Decimal("0.2")},
    tie_break=("safety", "fire"),
    awards=(Award("advanced", "先进区镇", 4), Award("excellent", "优胜区镇", 4)),
)
