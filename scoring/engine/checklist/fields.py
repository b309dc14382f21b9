"""Template fields: how an item's YAML mapping is read into ``ItemSpec`` values, problems collected.

Every item takes the common fields (``COMMON_FIELDS``); a kind takes its own ``TemplateField``s besides
(``KindSpec.fields``). A reader returns the value and appends a zh-Hans problem for each error it finds,
so a template author sees every problem of a file at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .model import Capture

Reader = Callable[[Mapping[str, Any], str, list[str]], Any]  # (raw item, where, problems) → value

# Read for an item of any kind. ``points``, ``unit`` and the limits always were, whatever the kind: a
# stored template version that carries them elsewhere must still read as it did.
COMMON_FIELDS = frozenset(
    {"key", "kind", "title", "points", "unit", "min_ok", "max_ok", "required", "allow_na", "photos",
     "min_photos", "category", "responsible", "help"}
)  # fmt: skip


@dataclass(frozen=True)
class TemplateField:
    """A template field a kind takes. On an item of a kind that does not take it, the field is ignored,
    or, when ``elsewhere`` is a message, refused if it holds anything but ``default`` (``{kinds}`` in the
    message lists the kinds that take it)."""

    name: str  # the YAML key; an ``ItemSpec`` attribute of that name, else kept in ``ItemSpec.extra``
    read: Reader
    default: Any = None
    elsewhere: str | None = None


def read_decimal(v: Any, where: str, problems: list[str], *, required: bool = False) -> Decimal | None:
    """A non-negative decimal of a template (points, caps, limits); ``None`` when absent."""
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


def read_amount(name: str) -> Reader:
    """A decimal field that reads as 0 when absent or unreadable."""
    return lambda raw, where, problems: (
        read_decimal(raw.get(name, 0), f"{where}.{name}", problems) or Decimal(0)
    )


def read_limit(name: str) -> Reader:
    return lambda raw, where, problems: read_decimal(raw.get(name), f"{where}.{name}", problems)


def _read_capture(raw: Mapping[str, Any], where: str, problems: list[str]) -> Capture | None:
    try:
        return Capture(raw.get("capture", ""))  # missing: refused like any other unknown value
    except ValueError:
        problems.append(f"{where}.capture: 应为 {', '.join(c.value for c in Capture)}")
        return None


def _read_choices(raw: Mapping[str, Any], where: str, problems: list[str]) -> tuple[str, ...]:
    if raw.get("capture") != Capture.CHOICE:
        return ()
    return tuple(str(c) for c in raw.get("choices") or ())


PER = TemplateField("per", read_amount("per"), Decimal(0), elsewhere="只有 {kinds} 项按次计分")
CAPTURE = TemplateField("capture", _read_capture)
CHOICES = TemplateField("choices", _read_choices, ())
