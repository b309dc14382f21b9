"""Scoring a filled checklist and checking it is complete, each item by its kind's ``KindSpec``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from .kinds import Role, kind_spec
from .model import (
    HUNDRED,
    ZERO,
    Answer,
    AnswerError,
    Capture,
    ItemResult,
    ItemSpec,
    PhotoRule,
    ScoreResult,
    SectionResult,
    TemplateSpec,
)


def validate_answer(item: ItemSpec, answer: Answer) -> None:
    """Raise ``AnswerError`` when the answer's value does not fit the item (type, range, choice)."""
    if answer.na:
        if not item.allow_na:
            raise AnswerError(item.key, "此项不允许标记为不适用")
        return
    if answer.value is None:
        return  # unanswered: allowed in a draft, caught at submit by ``missing_answers``
    kind_spec(item.kind).validate(item, answer.value)


def score_item(item: ItemSpec, answer: Answer) -> ItemResult:
    """One item's result (the answer already validated)."""
    kind = kind_spec(item.kind)
    if kind.role is Role.NONE:
        return ItemResult(item.key, item.kind, ZERO, ZERO, ZERO, True, False, "")
    if answer.na:
        return ItemResult(item.key, item.kind, ZERO, ZERO, ZERO, False, False, "不适用")
    if answer.value is None:
        # Unanswered base items earn nothing (a draft may be scored for a preview).
        maximum = item.points if kind.role is Role.BASE else ZERO
        return ItemResult(item.key, item.kind, ZERO, maximum, maximum, True, False, "未填写")
    return kind.score(item, answer.value)


def score(template: TemplateSpec, answers: Mapping[str, Answer]) -> ScoreResult:
    """Score ``answers`` (item key → Answer) against ``template``. Unknown keys raise ``AnswerError``."""
    specs = template.items()
    for key in answers:
        if key not in specs:
            raise AnswerError(key, "模板中没有这个检查项")
    item_results: list[ItemResult] = []
    section_results: list[SectionResult] = []
    base_earned = base_max = bonus = penalty = ZERO
    veto_items: list[str] = []
    for section in template.sections:
        s_earned = s_max = ZERO
        for item in section.items:
            answer = answers.get(item.key, Answer())
            validate_answer(item, answer)
            r = score_item(item, answer)
            item_results.append(r)
            match kind_spec(item.kind).role:
                case Role.BASE:
                    s_earned += r.earned
                    s_max += r.maximum
                case Role.BONUS:
                    bonus += r.earned
                case Role.PENALTY:
                    penalty += r.lost
                case Role.VETO if r.failed:
                    veto_items.append(r.key)
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
    return ScoreResult(
        items=tuple(item_results),
        sections=tuple(section_results),
        base_earned=base_earned,
        base_maximum=base_max,
        bonus=bonus,
        penalty=penalty,
        percent=percent,
        vetoed=bool(veto_items),
        veto_items=tuple(veto_items),
        findings=tuple(r for r in item_results if r.failed),
    )


def missing_answers(template: TemplateSpec, answers: Mapping[str, Answer]) -> dict[str, str]:
    """Items that block a submit: required and unanswered, or lacking required photos. key → reason."""
    problems: dict[str, str] = {}
    for item in template.items().values():
        a = answers.get(item.key, Answer())
        if a.na:
            continue
        unanswered = not kind_spec(item.kind).answered(item, a)
        if item.required and unanswered:
            problems[item.key] = "必填项未填写"
            continue
        needs_photos = item.photos is PhotoRule.REQUIRED or (item.capture is Capture.PHOTO and item.required)
        if item.photos is PhotoRule.ON_FAIL and not unanswered:
            needs_photos = score_item(item, a).failed
        if needs_photos and a.photo_count < item.min_photos:
            problems[item.key] = f"需要至少 {item.min_photos} 张照片"
    return problems


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
