"""Checklist templates authored as YAML in ``checklists/templates/``: parsed and validated into the
engine's ``TemplateSpec``. Pure apart from reading files (no Django), so a template error is found by a
unit test, not by an inspector in the field.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from scoring.engine.checklist import (
    BASE_KINDS,
    Capture,
    ItemKind,
    ItemSpec,
    PhotoRule,
    SectionSpec,
    TemplateSpec,
)

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
DOMAINS = {"safety", "fire", "sewage", "water"}
SUBJECT_KINDS = {"town", "department", "enterprise", "village", "sewage_facility", "river_section"}
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


def _dec(v: Any, where: str, problems: list[str], *, required: bool = False) -> Decimal | None:
    if v is None:
        if required:
            problems.append(f"{where}: 缺少数值")
        return None
    if isinstance(v, bool):
        problems.append(f"{where}: 应为数值")
        return None
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        problems.append(f"{where}: 应为数值")
        return None
    if d < 0:
        problems.append(f"{where}: 不能为负数")
    return d


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
    try:
        kind = ItemKind(raw.get("kind"))
    except ValueError:
        problems.append(f"{where}.kind: 未知类型 {raw.get('kind')!r}")
        return None
    title = raw.get("title")
    if not isinstance(title, str) or not title:
        problems.append(f"{where}.title: 缺少标题")
    points = _dec(raw.get("points", 0), f"{where}.points", problems) or Decimal(0)
    per = _dec(raw.get("per", 0), f"{where}.per", problems) or Decimal(0)
    if kind in BASE_KINDS - {ItemKind.MEASURE} | {ItemKind.BONUS, ItemKind.PENALTY} and points <= 0:
        problems.append(f"{where}.points: {kind} 项必须有正的分值")
    if per and kind not in {ItemKind.DEDUCT, ItemKind.BONUS, ItemKind.PENALTY}:
        problems.append(f"{where}.per: 只有 deduct / bonus / penalty 项按次计分")
    if kind is ItemKind.DEDUCT and per <= 0 and raw.get("per") is not None:
        problems.append(f"{where}.per: 应为正数")
    capture = None
    choices: tuple[str, ...] = ()
    if kind is ItemKind.INFO:
        try:
            capture = Capture(raw.get("capture"))
        except ValueError:
            problems.append(f"{where}.capture: 应为 {', '.join(c.value for c in Capture)}")
        if capture is Capture.CHOICE:
            choices = tuple(str(c) for c in raw.get("choices") or ())
            if not choices:
                problems.append(f"{where}.choices: 选择项必须列出选项")
    min_ok = _dec(raw.get("min_ok"), f"{where}.min_ok", problems)
    max_ok = _dec(raw.get("max_ok"), f"{where}.max_ok", problems)
    if kind is ItemKind.MEASURE and min_ok is None and max_ok is None:
        problems.append(f"{where}: measure 项需要 min_ok 或 max_ok")
    try:
        photos = PhotoRule(raw.get("photos", "none"))
    except ValueError:
        problems.append(f"{where}.photos: 应为 none / optional / required / on_fail")
        photos = PhotoRule.NONE
    unknown = set(raw) - {
        "key", "kind", "title", "points", "per", "unit", "min_ok", "max_ok", "capture", "choices", "required",
        "allow_na", "photos", "min_photos", "category", "responsible", "help",
    }  # fmt: skip
    if unknown:
        problems.append(f"{where}: 未知字段 {sorted(unknown)}")
    return ItemSpec(
        key=key,
        kind=kind,
        title=str(title or ""),
        points=points,
        per=per,
        unit=str(raw.get("unit", "")),
        min_ok=min_ok,
        max_ok=max_ok,
        capture=capture,
        choices=choices,
        required=bool(raw.get("required", kind not in {ItemKind.BONUS, ItemKind.PENALTY})),
        allow_na=bool(raw.get("allow_na", False)),
        photos=photos,
        min_photos=int(raw.get("min_photos", 1)),
        category=str(raw.get("category", "")),
        responsible=str(raw.get("responsible", "")),
    )


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
        cap = _dec(rs.get("cap"), f"{where}.cap", problems)
        sections.append(SectionSpec(rs["key"], str(rs.get("title", "")), tuple(i for i in items if i), cap))
    bonus_cap = _dec(document.get("bonus_cap"), "bonus_cap", problems)
    penalty_cap = _dec(document.get("penalty_cap"), "penalty_cap", problems)
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
