"""The registry of item kinds: a kind written once is validated by templates and scored by the engine."""

from collections.abc import Iterator, Mapping
from decimal import Decimal as D
from typing import Any

import pytest

from checklists.templates import TemplateError, load_directory, parse
from scoring.engine.checklist import (
    Answer,
    AnswerError,
    ItemKind,
    ItemResult,
    ItemSpec,
    KindSpec,
    Role,
    TemplateField,
    as_decimal,
    base_result,
    kind_spec,
    kinds,
    missing_answers,
    read_decimal,
    register,
    score,
    unregister,
)


def test_every_built_in_kind_is_registered_with_its_role() -> None:
    assert [k.name for k in kinds()] == list(ItemKind)
    roles = {k.name: k.role for k in kinds()}
    assert roles == {
        "check": Role.BASE, "score": Role.BASE, "deduct": Role.BASE, "measure": Role.BASE,
        "bonus": Role.BONUS, "penalty": Role.PENALTY, "veto": Role.VETO, "info": Role.NONE,
    }  # fmt: skip
    with pytest.raises(ValueError, match="already registered"):
        register(kind_spec("check"))
    with pytest.raises(ValueError, match="built-in"):
        unregister("check")
    with pytest.raises(ValueError, match="12 characters"):
        register(
            KindSpec("Much-too-long-kind", Role.NONE, kind_spec("info").validate, kind_spec("info").score)
        )


# A throwaway kind, written only here: 合格率 (a percentage). It earns its points in proportion, nothing
# below the template's ``floor``, and takes that field (required, at most 100) from the template.
def _validate_rate(item: ItemSpec, v: Any) -> None:
    if not D(0) <= as_decimal(item.key, v) <= D(100):
        raise AnswerError(item.key, "合格率应在 0 到 100 之间")


def _score_rate(item: ItemSpec, v: Any) -> ItemResult:
    rate = as_decimal(item.key, v)
    earned = item.points * rate / 100 if rate >= item.option("floor") else D(0)
    return base_result(item, earned, f"合格率 {rate}%")


def _read_floor(raw: Mapping[str, Any], where: str, problems: list[str]) -> D | None:
    return read_decimal(raw.get("floor"), f"{where}.floor", problems, required=True)


def _rate_rules(item: ItemSpec, raw: Mapping[str, Any], where: str, problems: list[str]) -> None:
    floor = item.option("floor")
    if floor is not None and floor > 100:
        problems.append(f"{where}.floor: 不能超过 100")


RATE = KindSpec(
    "rate",
    Role.BASE,
    _validate_rate,
    _score_rate,
    fields=(TemplateField("floor", _read_floor, elsewhere="只有 {kinds} 项设合格线"),),
    positive_points=True,
    check=_rate_rules,
)


@pytest.fixture
def rate_kind() -> Iterator[KindSpec]:
    register(RATE)
    try:
        yield RATE
    finally:
        unregister(RATE.name)


def _doc(*items: dict[str, Any]) -> dict[str, Any]:
    check = {"key": "a.1", "kind": "check", "title": "制度", "points": 10}
    return {
        "key": "x", "version": 1, "title": "测试", "domain": "safety", "subject_kind": "town",
        "sections": [{"key": "a", "title": "A", "items": [check, *items]}],
    }  # fmt: skip


RATE_ITEM = {"key": "a.2", "kind": "rate", "title": "隐患整改率", "points": 10, "floor": 60}


@pytest.mark.usefixtures("rate_kind")
def test_a_registered_kind_is_validated_by_templates_and_scored_by_the_engine() -> None:
    spec = parse(_doc(RATE_ITEM)).spec
    item = spec.items()["a.2"]
    assert (item.kind, item.points, item.option("floor"), item.required) == ("rate", D(10), D(60), True)

    result = score(spec, {"a.1": Answer(True), "a.2": Answer(85)})
    assert [(r.earned, r.maximum, r.failed) for r in result.items] == [
        (D(10), D(10), False),
        (D("8.5"), D(10), True),
    ]
    assert result.percent == D("92.5") and [f.key for f in result.findings] == ["a.2"]
    below = score(spec, {"a.1": Answer(True), "a.2": Answer(50)})
    assert below.items[1].earned == 0 and below.items[1].reason == "合格率 50%"
    with pytest.raises(AnswerError, match="合格率"):
        score(spec, {"a.2": Answer(120)})
    assert missing_answers(spec, {"a.1": Answer(True)}) == {"a.2": "必填项未填写"}

    for bad, needle in [
        ({**RATE_ITEM, "floor": None}, "a.2].floor: 缺少数值"),
        ({**RATE_ITEM, "floor": 150}, "不能超过 100"),
        ({**RATE_ITEM, "points": 0}, "rate 项必须有正的分值"),
        ({"key": "a.3", "kind": "check", "title": "c", "points": 1, "floor": 5}, "只有 rate 项设合格线"),
    ]:
        with pytest.raises(TemplateError) as exc:
            parse(_doc(bad), "bad.yaml")
        assert any(needle in p for p in exc.value.problems), exc.value.problems
    assert load_directory()  # the shipped templates still read with the kind registered


def test_an_unregistered_kind_is_unknown_again(rate_kind: KindSpec) -> None:
    unregister(rate_kind.name)
    try:
        with pytest.raises(TemplateError, match="未知类型 'rate'"):
            parse(_doc(RATE_ITEM))
        with pytest.raises(TemplateError, match="未知字段"):
            parse(_doc({"key": "a.3", "kind": "check", "title": "c", "points": 1, "floor": 5}))
    finally:
        register(rate_kind)
