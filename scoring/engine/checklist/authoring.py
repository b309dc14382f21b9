"""Reading one template item (its YAML mapping) into an ``ItemSpec``, by the registry of kinds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from typing import Any

from .fields import COMMON_FIELDS, read_amount, read_limit
from .kinds import KindSpec, kinds, lookup
from .model import ItemSpec, PhotoRule

_ATTRIBUTES = frozenset(f.name for f in dataclass_fields(ItemSpec))
_read_points, _read_min_ok, _read_max_ok = read_amount("points"), read_limit("min_ok"), read_limit("max_ok")


def known_fields() -> frozenset[str]:
    """Every field an item may carry: the common ones and those of every registered kind."""
    return COMMON_FIELDS | {f.name for k in kinds() for f in k.fields}


def _kind_fields(kind: KindSpec, raw: Mapping[str, Any], where: str, problems: list[str]) -> dict[str, Any]:
    """The values of the kind's own fields; another kind's field is ignored or, where it says so, refused."""
    values = {f.name: f.read(raw, where, problems) for f in kind.fields}
    seen = {f.name for f in kind.fields}
    for other in kinds():
        for f in other.fields:
            if f.name in seen or f.elsewhere is None or f.name not in raw:
                continue
            seen.add(f.name)
            if f.read(raw, where, problems) != f.default:
                takers = " / ".join(k.name for k in kinds() if any(g.name == f.name for g in k.fields))
                problems.append(f"{where}.{f.name}: " + f.elsewhere.format(kinds=takers))
    return values


def read_item(raw: Mapping[str, Any], key: str, where: str, problems: list[str]) -> ItemSpec | None:
    """The item ``key`` of a template (``raw`` its mapping, ``where`` its place for the problems)."""
    kind = lookup(raw.get("kind"))
    if kind is None:
        problems.append(f"{where}.kind: 未知类型 {raw.get('kind')!r}")
        return None
    title = raw.get("title")
    if not isinstance(title, str) or not title:
        problems.append(f"{where}.title: 缺少标题")
    points: Decimal = _read_points(raw, where, problems)
    if kind.positive_points and points <= 0:
        problems.append(f"{where}.points: {kind.name} 项必须有正的分值")
    own = _kind_fields(kind, raw, where, problems)
    try:
        photos = PhotoRule(raw.get("photos", "none"))
    except ValueError:
        problems.append(f"{where}.photos: 应为 none / optional / required / on_fail")
        photos = PhotoRule.NONE
    unknown = set(raw) - known_fields()
    if unknown:
        problems.append(f"{where}: 未知字段 {sorted(unknown)}")
    item = ItemSpec(
        key=key,
        kind=kind.name,
        title=str(title or ""),
        points=points,
        unit=str(raw.get("unit", "")),
        min_ok=_read_min_ok(raw, where, problems),
        max_ok=_read_max_ok(raw, where, problems),
        required=bool(raw.get("required", kind.required_by_default)),
        allow_na=bool(raw.get("allow_na", False)),
        photos=photos,
        min_photos=int(raw.get("min_photos", 1)),
        category=str(raw.get("category", "")),
        responsible=str(raw.get("responsible", "")),
        extra=tuple((n, v) for n, v in own.items() if n not in _ATTRIBUTES),
        **{n: v for n, v in own.items() if n in _ATTRIBUTES},
    )
    kind.check(item, raw, where, problems)
    return item
