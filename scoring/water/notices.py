"""What the water programme tells people (kernel.notifications): a section whose month, evaluated anew
after an import, misses its target class (未达Ⅲ类 for a Ⅲ target), once per section and month.

The event's region is the section's responsible town when it has exactly one (town subscriptions hear
it), else the section's own region (the district)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone

from geo.models import RiverSection
from kernel.notifications import events
from kernel.notifications.services import emitted, link, notify

from ..engine import water
from . import selectors

CLASS_NAMES = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ", 6: "劣Ⅴ"}


def _key(section_id: int, month: date) -> str:
    return f"water:{section_id}:{month:%Y-%m}:below_target"


def sections_below_target(samples: Iterable[tuple[RiverSection, datetime]]) -> int:
    """After new measurements of ``(section, sampled_at)``: evaluate each section's month and announce
    those below target. Returns how many notices were emitted."""
    months: dict[tuple[int, date], RiverSection] = {}
    for section, at in samples:
        day = timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
        months[(section.pk, day.replace(day=1))] = section
    keys = emitted(once_keys=[_key(pk, month) for pk, month in months])
    sent = 0
    for (pk, month), section in sorted(months.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if _key(pk, month) in keys:
            continue
        values = selectors.period_values([pk], water.period_of(month, "month")).get(pk)
        evaluation = selectors.evaluate_values(section, values) if values else None
        if evaluation is None or evaluation.meets_target is not False:
            continue
        _announce(section, month, evaluation)
        sent += 1
    return sent


def _announce(section: RiverSection, month: date, ev: water.Evaluation) -> None:
    towns = list(section.responsible_towns.values_list("pk", flat=True))
    target, got = CLASS_NAMES[ev.target_class], CLASS_NAMES.get(ev.klass or 0, "?")
    deciding = "、".join(water.name_of(k) for k in ev.deciding)
    notify(
        events.WATER_SECTION_BELOW_TARGET, region_id=towns[0] if len(towns) == 1 else section.region_id,
        title=f"断面水质未达{target}类：{section.name}（{month:%Y年%m月}）",
        text=f"{section.name}（{section.code}）{month:%Y年%m月}水质为{got}类，未达目标{target}类；"
             f"定类因子：{deciding or '无'}。",
        url=link(f"/console/water/sections/{section.pk}/"),
        data={"section_id": section.pk, "section_code": section.code, "month": f"{month:%Y-%m}",
              "class": ev.klass, "target_class": ev.target_class, "deciding": list(ev.deciding),
              "cwqi": str(ev.cwqi) if ev.cwqi is not None else None},
        once_key=_key(section.pk, month),
    )  # fmt: skip
