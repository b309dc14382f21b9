"""Assessment schemes as data: the shipped 2022 scheme says exactly what 81号 says."""

import copy
from decimal import Decimal as D

import pytest

from checklists.templates import load_directory
from scoring import schemes
from scoring.engine.assessment import SchemeError, UnitInput, evaluate


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


def test_content_hash_is_sha256_of_the_canonical_document() -> None:
    """The documented definition, independent of how the service encodes rows (once, for both uses)."""
    import hashlib
    import json

    from scoring.services import content_hash

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
