"""The assessment's data: the scheme (weights, bands, routine rule, awards, single awards, eligibility
readings), each unit's input and result, the scoreboard, and the 2022 towns' scheme. Pure: no Django."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

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
        every: tuple[Award | SingleAward, ...] = (*self.awards, *self.single_awards)
        if any(a.quota < 0 for a in every):
            raise SchemeError("名额不能为负数")
        keys = [a.key for a in every]
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


SCHEME_2022_TOWNS = Scheme(
    weights={"safety": Decimal("0.8"), "fire": Decimal("0.2")},
    tie_break=("safety", "fire"),
    awards=(Award("advanced", "先进区镇", 4), Award("excellent", "优胜区镇", 4)),
)
