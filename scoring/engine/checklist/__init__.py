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

Each kind is one ``KindSpec`` in the registry (``kinds.py``): its answer check, its scoring, how its
result counts and its template fields. ``score``, ``missing_answers`` and the template reader
(``read_item``, used by ``checklists.templates``) all go through it. Modules: ``model`` (the dataclasses),
``values`` (answer coercions), ``fields`` (template fields), ``kinds`` (the registry and the built-in
kinds), ``authoring`` (a template item from YAML), ``scoring``.
"""

from .authoring import known_fields, read_item
from .fields import COMMON_FIELDS, TemplateField, read_amount, read_decimal, read_limit
from .kinds import KindSpec, Role, base_result, in_base, kind_spec, kinds, lookup, register, unregister
from .model import (
    HUNDRED,
    ZERO,
    Answer,
    AnswerError,
    Capture,
    ItemKind,
    ItemResult,
    ItemSpec,
    PhotoRule,
    ScoreResult,
    SectionResult,
    SectionSpec,
    TemplateSpec,
)
from .scoring import missing_answers, round_half_up, score, score_item, validate_answer
from .values import as_bool, as_count, as_decimal

__all__ = [
    "COMMON_FIELDS", "HUNDRED", "ZERO", "Answer", "AnswerError", "Capture", "ItemKind", "ItemResult",
    "ItemSpec", "KindSpec", "PhotoRule", "Role", "ScoreResult", "SectionResult", "SectionSpec",
    "TemplateField", "TemplateSpec", "as_bool", "as_count", "as_decimal", "base_result", "in_base",
    "kind_spec", "kinds", "known_fields", "lookup", "missing_answers", "read_amount", "read_decimal",
    "read_item", "read_limit", "register", "round_half_up", "score", "score_item", "unregister",
    "validate_answer",
]  # fmt: skip
