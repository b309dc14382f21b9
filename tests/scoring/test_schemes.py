"""Assessment schemes as data: the shipped 2022 scheme says exactly what 81号 says."""

import copy
from decimal import Decimal as D

import pytest

from checklists.templates import load_directory
from scoring.assessment import schemes
from scoring.engine.assessment import Eligibility, Exclusion, SchemeError, UnitInput, evaluate


def test_2022_town_scheme() -> None:
    d = schemes.load("towns-2022")
    assert (d.year, d.subject_kind) == (2022, "town")
    assert dict(d.scheme.weights) == {"safety": D("0.8"), "fire": D("0.2")}
    assert [(b.lower, b.label) for b in d.scheme.bands][:3] == [
        (D(90), "优秀"),
        (D(80), "良好"),
        (D(70), "合格"),
    ]
    assert [(a.label, a.quota) for a in d.scheme.awards] == [("先进区镇", 4), ("优胜区镇", 4)]
    assert d.scheme.tie_break == ("safety", "fire")
    templates = {t.spec.key for t in load_directory()}
    assert {c.template_key for c in d.components} <= templates  # every component has its checklist
    board = evaluate(d.scheme, [UnitInput(1, {"safety": D(95), "fire": D(70)})])
    assert (board.units[0].total, board.units[0].grade) == (D("90.00"), "优秀")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d["components"][0].update(weight=0.7),
        lambda d: d["components"][0].update(weight="heavy"),
        lambda d: d.pop("bands"),
        lambda d: d.update(routine={"routine_weight": 1.5}),
        lambda d: d.update(tie_break=["nonexistent"]),
        lambda d: d["awards"][0].update(quota=-1),
    ],
)
def test_invalid_schemes_are_refused(mutate) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(schemes.load("towns-2022").document)
    mutate(doc)
    with pytest.raises(SchemeError):
        schemes.parse(doc, "bad.yaml")


@pytest.mark.parametrize("key", ["towns-2022", "departments-2022", "enterprises-2022"])
def test_shipped_schemes_spell_out_the_default_award_eligibility(key: str) -> None:
    d = schemes.load(key)
    tiers = frozenset(a.key for a in d.scheme.awards)
    assert d.scheme.eligibility == Eligibility(
        tasks_incomplete=Exclusion(frozenset({"advanced"}), single_awards=True),  # 优胜 stays open
        failed=Exclusion(tiers, single_awards=True),
        vetoed=Exclusion(tiers, single_awards=True),
    )
    assert d.scheme.eligibility == Eligibility.default(d.scheme.awards)  # the values are the defaults
    for option in d.document["eligibility"].values():
        assert option["clause"].startswith("海政办发〔2022〕81号") and option["source"] and option["reading"]
    assert "不得推荐为海门区安全生产先进单位" in d.document["eligibility"]["tasks_incomplete"]["source"][0]


def test_absent_eligibility_options_take_the_defaults() -> None:
    doc = copy.deepcopy(schemes.load("towns-2022").document)
    del doc["eligibility"]
    assert schemes.parse(doc).scheme.award_eligibility() == schemes.load("towns-2022").scheme.eligibility
    doc["eligibility"] = {
        "tasks_incomplete": {"exclude_single_awards": False},
        "vetoed": {"exclude_tiers": []},
    }
    e = schemes.parse(doc).scheme.award_eligibility()
    assert e.tasks_incomplete == Exclusion(frozenset({"advanced"}), single_awards=False)
    assert e.vetoed == Exclusion(frozenset(), single_awards=True)
    assert e.failed == Exclusion(frozenset({"advanced", "excellent"}), single_awards=True)


@pytest.mark.parametrize(
    ("eligibility", "option", "message"),
    [
        ({"tasks_incomplet": {}}, "tasks_incomplet", "未知的选项"),
        ({"failed": {"exclude_tier": ["advanced"]}}, "failed.exclude_tier", "未知的选项"),
        ({"failed": {"exclude_tiers": ["gold"]}}, "failed.exclude_tiers", "方案中没有综合奖 gold"),
        ({"failed": {"exclude_tiers": ["training"]}}, "failed.exclude_tiers", "方案中没有综合奖 training"),
        ({"vetoed": {"exclude_tiers": "advanced"}}, "vetoed.exclude_tiers", "应为综合奖标识的列表"),
        ({"vetoed": {"exclude_single_awards": "yes"}}, "vetoed.exclude_single_awards", "应为 true 或 false"),
        ({"tasks_incomplete": {"source": "凡未完成"}}, "tasks_incomplete.source", "应为所依据原文句子的列表"),
        ({"tasks_incomplete": {"reading": ["x"]}}, "tasks_incomplete.reading", "应为文字"),
        ({"tasks_incomplete": True}, "tasks_incomplete", "应为选项"),
        (["tasks_incomplete"], "", "应为各情形的选项"),
    ],
)  # fmt: skip
def test_bad_eligibility_options_are_refused_by_name(eligibility, option, message, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An office's own scheme file (FIELDSCORE_VAR_DIR/schemes) with a bad option: the loader says which."""
    import yaml

    doc = copy.deepcopy(schemes.load("towns-2022").document)
    doc |= {"key": "towns-2030", "eligibility": eligibility}
    (tmp_path / "towns-2030.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SchemeError) as raised:
        schemes.load("towns-2030", tmp_path)
    where = ".".join(["eligibility", option]) if option else "eligibility"
    assert str(raised.value).startswith(f"towns-2030.yaml: {where}: {message}")


def test_content_hash_is_sha256_of_the_canonical_document() -> None:
    """The documented definition, independent of how the service encodes rows (once, for both uses)."""
    import hashlib
    import json

    from scoring.assessment.services import content_hash

    rows = [{"unit_name": "四甲镇", "total": "90.00", "components": {"safety": "92.50", "fire": "80.00"}}]
    document = {"key": "towns-2022", "title": "2022年度考核", "bands": [{"min": 90, "label": "优秀"}]}
    expected = hashlib.sha256(
        json.dumps({"scheme": document, "rows": rows}, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    assert content_hash(rows, document) == expected
    reordered = [
        {"components": {"fire": "80.00", "safety": "92.50"}, "total": "90.00", "unit_name": "四甲镇"}
    ]
    assert content_hash(reordered, document) == expected  # key order (e.g. after jsonb) does not matter
    assert content_hash([{**rows[0], "total": "90.01"}], document) != expected
