"""Checklist templates authored as YAML in ``checklists/templates/``: parsed and validated into the
engine's ``TemplateSpec``. Pure apart from reading files (no Django), so a template error is found by a
unit test, not by an inspector in the field.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scoring.engine.checklist import ItemSpec, SectionSpec, TemplateSpec, read_decimal, read_item

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
DOMAINS = {"safety", "fire", "sewage", "water"}
SUBJECT_KINDS = {
    "town", "department", "enterprise", "village", "sewage_facility", "river_section", "outfall",
    "pump_station",
}  # fmt: skip
KEY_RE = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")


class TemplateError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadedTemplate:
    spec: TemplateSpec
    document: dict[str, Any]  # the YAML as data: what phones download and what is stored
    digest: str  # sha256 of the canonical JSON of ``document``: a version's identity
    source: str  # file name


def _item(raw: Any, where: str, seen: set[str], problems: list[str]) -> ItemSpec | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: 应为映射")
        return None
    key = raw.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        problems.append(f"{where}.key: 缺少或格式不对（小写字母开头，字母数字._-）")
        return None
    where = f"{where}[{key}]"
    if key in seen:
        problems.append(f"{where}: 检查项 key 重复")
    seen.add(key)
    return read_item(raw, key, where, problems)  # the rest is the kind's, in the engine's registry


def parse(document: Any, source: str = "<memory>") -> LoadedTemplate:
    """Validate a template document; raise ``TemplateError`` listing every problem found."""
    problems: list[str] = []
    if not isinstance(document, dict):
        raise TemplateError([f"{source}: 模板应为 YAML 映射"])
    key = document.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        problems.append("key: 缺少或格式不对")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append("version: 应为正整数")
    if document.get("domain") not in DOMAINS:
        problems.append(f"domain: 应为 {sorted(DOMAINS)} 之一")
    if document.get("subject_kind") not in SUBJECT_KINDS:
        problems.append(f"subject_kind: 应为 {sorted(SUBJECT_KINDS)} 之一")
    if not isinstance(document.get("title"), str):
        problems.append("title: 缺少标题")
    seen: set[str] = set()
    sections: list[SectionSpec] = []
    raw_sections = document.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        problems.append("sections: 至少需要一个分节")
        raw_sections = []
    section_keys: set[str] = set()
    for i, rs in enumerate(raw_sections):
        where = f"sections[{i}]"
        if not isinstance(rs, dict) or not isinstance(rs.get("key"), str):
            problems.append(f"{where}: 需要 key、title、items")
            continue
        if rs["key"] in section_keys:
            problems.append(f"{where}: 分节 key 重复")
        section_keys.add(rs["key"])
        items = [
            _item(ri, f"{where}.items[{j}]", seen, problems) for j, ri in enumerate(rs.get("items") or [])
        ]
        if not items:
            problems.append(f"{where}.items: 分节不能为空")
        cap = read_decimal(rs.get("cap"), f"{where}.cap", problems)
        sections.append(SectionSpec(rs["key"], str(rs.get("title", "")), tuple(i for i in items if i), cap))
    bonus_cap = read_decimal(document.get("bonus_cap"), "bonus_cap", problems)
    penalty_cap = read_decimal(document.get("penalty_cap"), "penalty_cap", problems)
    if problems:
        raise TemplateError([f"{source}: {p}" for p in problems])
    spec = TemplateSpec(
        key=key,
        version=version,
        title=document["title"],
        domain=document["domain"],
        subject_kind=document["subject_kind"],
        sections=tuple(sections),
        bonus_cap=bonus_cap,
        penalty_cap=penalty_cap,
    )
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, default=str)
    return LoadedTemplate(spec, document, hashlib.sha256(canonical.encode()).hexdigest(), source)


def load_file(path: Path) -> LoadedTemplate:
    with path.open(encoding="utf-8") as fh:
        try:
            document = yaml.safe_load(fh)
        except yaml.YAMLError as exc:
            raise TemplateError([f"{path.name}: YAML 语法错误：{exc}"]) from exc
    return parse(document, path.name)


def load_directory(directory: Path = TEMPLATE_DIR) -> list[LoadedTemplate]:
    """Every ``*.yaml`` in ``directory``, validated; all problems of all files are reported together."""
    loaded, problems = [], []
    for path in sorted(directory.glob("*.yaml")):
        try:
            loaded.append(load_file(path))
        except TemplateError as exc:
            problems.extend(exc.problems)
    if problems:
        raise TemplateError(problems)
    return loaded


def spec_from_document(document: dict[str, Any]) -> TemplateSpec:
    """The engine spec of a stored template version (stored documents were validated when loaded)."""
    return parse(document).spec
