"""Scoring one filled checklist against its template, the way the official 计分细则 work.

Pure: frozen dataclasses in, frozen dataclasses out; no Django. All arithmetic is ``Decimal`` so that
0.1 + 0.2 is 0.3 and a half point stays a half point.

The model:
- Base items (``check``, ``score``, ``deduct``, ``measure``) carry the points of the 细则. An item marked
  not applicable (不适用) leaves the base: 百分制折算 divides what was earned by what was applicable.
- A section may cap its total (its applicable maximum is then the lesser of the cap and its items' sum).
- ``bonus`` and ``penalty`` items sit outside the base, each with its own cap, and add to / subtract from
  the 百分制 score, which is then clamped to [0, 100].
- ``veto`` (一票否决) items mark the whole assessment vetoed when triggered; points are still computed so
  the record shows what the unit would have had.
- ``info`` items capture data (text, number, choice, date, photos, a point) and carry no points.
Every item that loses points, fails a threshold, or triggers a veto or penalty becomes a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

HUNDRED = Decimal(100)
ZERO = Decimal(0)


class ItemKind(StrEnum):
    CHECK = "check"
    SCORE = "score"
    DEDUCT = "deduct"
    BONUS = "bonus"
    PENALTY = "penalty"
    VETO = "veto"
    MEASURE = "measure"
    INFO = "info"


BASE_KINDS = frozenset({ItemKind.CHECK, ItemKind.SCORE, ItemKind.DEDUCT, ItemKind.MEASURE})


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
    kind: ItemKind
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
    kind: ItemKind
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


def _dec(key: str, value: Any, what: str = "数值") -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise AnswerError(key, f"应为{what}")
    try:
        d = Decimal(str(value))
    except ArithmeticError as exc:
        raise AnswerError(key, f"应为{what}") from exc
    if not d.is_finite():
        raise AnswerError(key, f"应为有限{what}")
    return d


def _count(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerError(key, "应为非负整数（发现次数）")
    if value < 0:
        raise AnswerError(key, "次数不能为负数")
    return value


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise AnswerError(key, "应为 true 或 false")
    return value


def validate_answer(item: ItemSpec, answer: Answer) -> None:
    """Raise ``AnswerError`` when the answer's value does not fit the item (type, range, choice)."""
    if answer.na:
        if not item.allow_na:
            raise AnswerError(item.key, "此项不允许标记为不适用")
        return
    if answer.value is None:
        return  # unanswered: allowed in a draft, caught at submit by ``missing_answers``
    v = answer.value
    match item.kind:
        case ItemKind.CHECK | ItemKind.VETO:
            _bool(item.key, v)
        case ItemKind.SCORE:
            d = _dec(item.key, v)
            if d < 0 or d > item.points:
                raise AnswerError(item.key, f"得分应在 0 到 {item.points} 之间")
        case ItemKind.DEDUCT | ItemKind.PENALTY | ItemKind.BONUS:
            if item.per > 0:
                _count(item.key, v)  # counted: occurrences × per, capped when scored
            else:
                d = _dec(item.key, v)
                if d < 0 or d > item.points:
                    raise AnswerError(item.key, f"分值应在 0 到 {item.points} 之间")
        case ItemKind.MEASURE:
            d = _dec(item.key, v)
            if d < 0:
                raise AnswerError(item.key, "测量值不能为负数")
        case ItemKind.INFO:
            _validate_capture(item, v)


def _validate_capture(item: ItemSpec, v: Any) -> None:
    match item.capture:
        case Capture.TEXT:
            if not isinstance(v, str):
                raise AnswerError(item.key, "应为文本")
            if len(v) > 2000:
                raise AnswerError(item.key, "文本过长（最多 2000 字）")
        case Capture.NUMBER:
            _dec(item.key, v)
        case Capture.CHOICE:
            if v not in item.choices:
                raise AnswerError(item.key, "选项不在允许范围内")
        case Capture.DATE:
            if not isinstance(v, str):
                raise AnswerError(item.key, "应为日期（YYYY-MM-DD）")
            try:
                date.fromisoformat(v)
            except ValueError as exc:
                raise AnswerError(item.key, "应为日期（YYYY-MM-DD）") from exc
        case Capture.GEOPOINT:
            if not isinstance(v, Mapping) or not {"lon", "lat"} <= set(v):
                raise AnswerError(item.key, "应为 {lon, lat, datum}")
            lon, lat = _dec(item.key, v["lon"]), _dec(item.key, v["lat"])
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise AnswerError(item.key, "经纬度超出范围")
            if v.get("datum", "wgs84") not in {"wgs84", "gcj02", "bd09", "cgcs2000"}:
                raise AnswerError(item.key, "坐标系不受支持")
        case Capture.PHOTO:
            if v is not True and v is not None:
                raise AnswerError(item.key, "照片项不填写数值，请上传照片")


def _base(item: ItemSpec, earned: Decimal, reason: str) -> ItemResult:
    """A base item's result: it failed (is a finding) when it lost points."""
    lost = item.points - earned
    return ItemResult(item.key, item.kind, earned, item.points, lost, True, lost > 0, reason if lost else "")


def _amount(item: ItemSpec, v: Any) -> Decimal:
    """Points of a deduct / bonus / penalty item: by count × per (capped), or given directly."""
    if item.per > 0:
        return min(_count(item.key, v) * item.per, item.points)
    return _dec(item.key, v)


def _score_item(item: ItemSpec, answer: Answer) -> ItemResult:
    if item.kind is ItemKind.INFO:
        return ItemResult(item.key, item.kind, ZERO, ZERO, ZERO, True, False, "")
    if answer.na:
        return ItemResult(item.key, item.kind, ZERO, ZERO, ZERO, False, False, "不适用")
    v = answer.value
    if v is None:
        # Unanswered base items earn nothing (a draft may be scored for a preview).
        maximum = item.points if item.kind in BASE_KINDS else ZERO
        return ItemResult(item.key, item.kind, ZERO, maximum, maximum, True, False, "未填写")
    match item.kind:
        case ItemKind.CHECK:
            return _base(item, item.points if v else ZERO, "不符合要求")
        case ItemKind.SCORE:
            earned = _dec(item.key, v)
            return _base(item, earned, f"扣 {item.points - earned} 分")
        case ItemKind.DEDUCT:
            lost = _amount(item, v)
            reason = f"发现 {v} 处，每处扣 {item.per} 分" if item.per > 0 else f"扣 {lost} 分"
            if item.per > 0 and v * item.per > item.points:
                reason += f"，扣完 {item.points} 分为止"
            return _base(item, item.points - lost, reason)
        case ItemKind.MEASURE:
            d = _dec(item.key, v)
            ok = (item.min_ok is None or d >= item.min_ok) and (item.max_ok is None or d <= item.max_ok)
            if item.points == 0:  # a pass/fail measurement worth no points
                return ItemResult(
                    item.key,
                    item.kind,
                    ZERO,
                    ZERO,
                    ZERO,
                    True,
                    not ok,
                    "" if ok else _measure_reason(item, d),
                )
            return _base(item, item.points if ok else ZERO, _measure_reason(item, d))
        case ItemKind.BONUS:
            amount = _amount(item, v)
            return ItemResult(
                item.key, item.kind, amount, ZERO, ZERO, True, False, f"加 {amount} 分" if amount else ""
            )
        case ItemKind.PENALTY:
            amount = _amount(item, v)
            return ItemResult(
                item.key, item.kind, ZERO, ZERO, amount, True, amount > 0, f"扣 {amount} 分" if amount else ""
            )
        case ItemKind.VETO:
            return ItemResult(
                item.key, item.kind, ZERO, ZERO, ZERO, True, bool(v), "触发一票否决" if v else ""
            )
    raise AssertionError(item.kind)  # pragma: no cover - exhaustive


def _measure_reason(item: ItemSpec, d: Decimal) -> str:
    parts = []
    if item.min_ok is not None and d < item.min_ok:
        parts.append(f"低于下限 {item.min_ok}{item.unit}")
    if item.max_ok is not None and d > item.max_ok:
        parts.append(f"超过限值 {item.max_ok}{item.unit}")
    return f"测量值 {d}{item.unit}，" + "、".join(parts)


def score(template: TemplateSpec, answers: Mapping[str, Answer]) -> ScoreResult:
    """Score ``answers`` (item key → Answer) against ``template``. Unknown keys raise ``AnswerError``."""
    specs = template.items()
    for key in answers:
        if key not in specs:
            raise AnswerError(key, "模板中没有这个检查项")
    item_results: list[ItemResult] = []
    section_results: list[SectionResult] = []
    base_earned = base_max = bonus = penalty = ZERO
    for section in template.sections:
        s_earned = s_max = ZERO
        for item in section.items:
            answer = answers.get(item.key, Answer())
            validate_answer(item, answer)
            r = _score_item(item, answer)
            item_results.append(r)
            if item.kind in BASE_KINDS:
                s_earned += r.earned
                s_max += r.maximum
            elif item.kind is ItemKind.BONUS:
                bonus += r.earned
            elif item.kind is ItemKind.PENALTY:
                penalty += r.lost
        capped = section.cap is not None and s_max > section.cap
        if section.cap is not None:
            s_max = min(s_max, section.cap)
            s_earned = min(s_earned, section.cap)
        section_results.append(SectionResult(section.key, s_earned, s_max, capped))
        base_earned += s_earned
        base_max += s_max
    if template.bonus_cap is not None:
        bonus = min(bonus, template.bonus_cap)
    if template.penalty_cap is not None:
        penalty = min(penalty, template.penalty_cap)
    percent = (base_earned / base_max * HUNDRED) if base_max > 0 else ZERO
    percent = max(ZERO, min(HUNDRED, percent + bonus - penalty))
    veto_items = tuple(r.key for r in item_results if r.kind is ItemKind.VETO and r.failed)
    return ScoreResult(
        items=tuple(item_results),
        sections=tuple(section_results),
        base_earned=base_earned,
        base_maximum=base_max,
        bonus=bonus,
        penalty=penalty,
        percent=percent,
        vetoed=bool(veto_items),
        veto_items=veto_items,
        findings=tuple(r for r in item_results if r.failed),
    )


def missing_answers(template: TemplateSpec, answers: Mapping[str, Answer]) -> dict[str, str]:
    """Items that block a submit: required and unanswered, or lacking required photos. key → reason."""
    problems: dict[str, str] = {}
    for item in template.items().values():
        a = answers.get(item.key, Answer())
        if a.na:
            continue
        unanswered = a.value is None and not (item.kind is ItemKind.INFO and item.capture is Capture.PHOTO)
        if item.required and unanswered:
            problems[item.key] = "必填项未填写"
            continue
        needs_photos = item.photos is PhotoRule.REQUIRED or (item.capture is Capture.PHOTO and item.required)
        if item.photos is PhotoRule.ON_FAIL and not unanswered:
            needs_photos = _score_item(item, a).failed
        if needs_photos and a.photo_count < item.min_photos:
            problems[item.key] = f"需要至少 {item.min_photos} 张照片"
    return problems


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
