"""The checklist model: templates, answers and results as frozen dataclasses (no behaviour of a kind here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

HUNDRED = Decimal(100)
ZERO = Decimal(0)


class ItemKind(StrEnum):
    """Names of the built-in kinds, for code that refers to one. What a kind does is its ``KindSpec`` in
    ``kinds.py``; a kind registered there needs no name here."""

    CHECK = "check"
    SCORE = "score"
    DEDUCT = "deduct"
    BONUS = "bonus"
    PENALTY = "penalty"
    VETO = "veto"
    MEASURE = "measure"
    INFO = "info"


class Capture(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    CHOICE = "choice"
    DATE = "date"
    PHOTO = "photo"
    GEOPOINT = "geopoint"


class PhotoRule(StrEnum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"
    ON_FAIL = "on_fail"  # required when the item fails / loses points


@dataclass(frozen=True)
class ItemSpec:
    key: str
    kind: str  # a registered kind's name (``ItemKind`` for the built-in ones)
    title: str
    points: Decimal = ZERO  # check / measure: points when met; score / deduct / bonus / penalty: the maximum
    per: Decimal = ZERO  # deduct / penalty / bonus by count: points per occurrence
    unit: str = ""  # measure
    min_ok: Decimal | None = None  # measure: passes when value >= min_ok
    max_ok: Decimal | None = None  # measure: passes when value <= max_ok
    capture: Capture | None = None  # info
    choices: tuple[str, ...] = ()  # info choice
    required: bool = True  # must be answered (or marked 不适用 where allowed) before submit
    allow_na: bool = False
    photos: PhotoRule = PhotoRule.NONE
    min_photos: int = 1
    category: str = ""  # finding category: drives the rectification deadline
    responsible: str = ""  # responsible-unit hint for the rectification
    extra: tuple[tuple[str, Any], ...] = ()  # template fields of registered kinds that have no attribute here

    def option(self, name: str, default: Any = None) -> Any:
        """The value of a kind's own template field kept in ``extra``."""
        return dict(self.extra).get(name, default)


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    items: tuple[ItemSpec, ...]
    cap: Decimal | None = None


@dataclass(frozen=True)
class TemplateSpec:
    key: str
    version: int
    title: str
    domain: str
    subject_kind: str
    sections: tuple[SectionSpec, ...]
    bonus_cap: Decimal | None = None  # all bonus items together (e.g. 加分合计不超过 5 分)
    penalty_cap: Decimal | None = None

    def items(self) -> dict[str, ItemSpec]:
        return {i.key: i for s in self.sections for i in s.items}


@dataclass(frozen=True)
class Answer:
    """What the inspector recorded for one item. ``value`` type depends on the item kind."""

    value: Any = None
    na: bool = False
    photo_count: int = 0


class AnswerError(ValueError):
    """An answer that cannot be scored; ``key`` names the item."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


@dataclass(frozen=True)
class ItemResult:
    key: str
    kind: str
    earned: Decimal  # base points earned; bonus added; penalty subtracted (as a positive number)
    maximum: Decimal  # base maximum (0 when not applicable or not a base item)
    lost: Decimal  # points lost (base) or penalty applied
    applicable: bool
    failed: bool  # a finding: lost points, failed a threshold, triggered a veto or a penalty
    reason: str


@dataclass(frozen=True)
class SectionResult:
    key: str
    earned: Decimal
    maximum: Decimal
    capped: bool


@dataclass(frozen=True)
class ScoreResult:
    items: tuple[ItemResult, ...]
    sections: tuple[SectionResult, ...]
    base_earned: Decimal
    base_maximum: Decimal
    bonus: Decimal
    penalty: Decimal
    percent: Decimal  # 百分制: base_earned / base_maximum × 100 + bonus − penalty, clamped to [0, 100]
    vetoed: bool
    veto_items: tuple[str, ...]
    findings: tuple[ItemResult, ...] = field(default=())
