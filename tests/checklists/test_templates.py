"""Template files: the shipped four are valid and honest; broken documents are refused with reasons."""

import copy
from pathlib import Path

import pytest
import yaml

from checklists.templates import TEMPLATE_DIR, TemplateError, load_directory, parse

MINIMAL = {
    "key": "x",
    "version": 1,
    "title": "测试",
    "domain": "safety",
    "subject_kind": "town",
    "sections": [
        {"key": "a", "title": "A", "items": [{"key": "a.1", "kind": "check", "title": "一", "points": 5}]}
    ],
}


def test_shipped_templates_load_and_say_their_weights_are_examples() -> None:
    loaded = {t.spec.key: t for t in load_directory()}
    assert set(loaded) == {
        "safety-town", "fire-town", "sewage-facility-audit", "river-section-inspection",
        "safety-department", "fire-department", "safety-enterprise", "fire-enterprise", "outfall-inspection",
        "pump-station-inspection",
    }  # fmt: skip
    assert {t.spec.subject_kind for t in loaded.values()} == {
        "town",
        "department",
        "enterprise",
        "sewage_facility",
        "river_section",
        "outfall",
        "pump_station",
    }
    for t in loaded.values():
        header = (TEMPLATE_DIR / t.source).read_text(encoding="utf-8").split("key:")[0]
        assert "示例" in header and "海政办发〔2022〕" in header, t.source
    # Every item kind of the 计分细则 model is exercised by the shipped templates.
    kinds = {i.kind.value for t in loaded.values() for i in t.spec.items().values()}
    assert kinds == {"check", "score", "deduct", "bonus", "penalty", "veto", "measure", "info"}
    sewage = loaded["sewage-facility-audit"].spec.items()
    assert sewage["ledger.meter"].category == "no_meter"
    assert sewage["op.beyond-repair"].category == "beyond_repair"


def test_digest_identifies_content() -> None:
    a, b = parse(MINIMAL), parse(copy.deepcopy(MINIMAL))
    assert a.digest == b.digest
    changed = copy.deepcopy(MINIMAL)
    changed["sections"][0]["items"][0]["points"] = 6
    assert parse(changed).digest != a.digest


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d.update(version=0), "version"),
        (lambda d: d.update(domain="health"), "domain"),
        (lambda d: d.update(subject_kind="planet"), "subject_kind"),
        (lambda d: d["sections"][0]["items"][0].update(kind="guess"), "未知类型"),
        (lambda d: d["sections"][0]["items"][0].update(points=-1), "不能为负数"),
        (lambda d: d["sections"][0]["items"][0].update(points=0), "正的分值"),
        (lambda d: d["sections"][0]["items"][0].update(colour="red"), "未知字段"),
        (
            lambda d: d["sections"][0]["items"].append(
                {"key": "a.1", "kind": "check", "title": "重", "points": 1}
            ),
            "重复",
        ),
        (
            lambda d: d["sections"][0]["items"].append({"key": "m", "kind": "measure", "title": "量"}),
            "min_ok",
        ),
        (
            lambda d: d["sections"][0]["items"].append(
                {"key": "q", "kind": "info", "title": "问", "capture": "choice"}
            ),
            "选项",
        ),
        (
            lambda d: d["sections"][0]["items"].append(
                {"key": "Bad Key", "kind": "check", "title": "x", "points": 1}
            ),
            "key",
        ),
        (lambda d: d.update(sections=[]), "sections"),
    ],
)
def test_invalid_documents_are_refused_with_the_place(mutate, needle) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(MINIMAL)
    mutate(doc)
    with pytest.raises(TemplateError) as exc:
        parse(doc, "bad.yaml")
    assert any(needle in p for p in exc.value.problems), exc.value.problems
    assert all(p.startswith("bad.yaml") for p in exc.value.problems)


def test_directory_reports_every_bad_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("key: [unclosed", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(yaml.safe_dump({**MINIMAL, "version": "one"}), encoding="utf-8")
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(MINIMAL), encoding="utf-8")
    with pytest.raises(TemplateError) as exc:
        load_directory(tmp_path)
    assert any(p.startswith("a.yaml") for p in exc.value.problems)
    assert any(p.startswith("b.yaml") for p in exc.value.problems)
