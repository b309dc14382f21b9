"""What the water programme tells people (kernel.notifications): a section whose month, evaluated anew
after an import, misses its target class (未达Ⅲ类 for a Ⅲ target), and a month whose mean dissolved
oxygen is below ``WATER_DO_ALERT`` (溶解氧预警, the rule of the yearly status), each once per section and
month.

The event's region is the section's responsible town when it has exactly one (town subscriptions hear
it), else the section's own region (the district)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from geo.models import RiverSection
from kernel.notifications import events
from kernel.notifications.services import emitted, link, notify

from ..engine import water
from . import selectors

CLASS_NAMES = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ", 6: "劣Ⅴ"}


def _key(section_id: int, month: date, what: str = "below_target") -> str:
    return f"water:{section_id}:{month:%Y-%m}:{what}"


def sections_below_target(samples: Iterable[tuple[RiverSection, datetime]]) -> int:
    """After new measurements of ``(section, sampled_at)``: evaluate each section's month and announce
    those below target or with a DO alert. Returns how many notices were emitted."""
    months: dict[tuple[int, date], RiverSection] = {}
    for section, at in samples:
        day = timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
        months[(section.pk, day.replace(day=1))] = section
    keys = emitted(once_keys=[_key(pk, m, what) for pk, m in months for what in ("below_target", "do_alert")])
    alert = Decimal(str(settings.WATER_DO_ALERT))
    sent = 0
    for (pk, month), section in sorted(months.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if _key(pk, month) in keys and _key(pk, month, "do_alert") in keys:
            continue
        values = selectors.period_values([pk], water.period_of(month, "month")).get(pk)
        evaluation = selectors.evaluate_values(section, values) if values else None
        if evaluation is not None and evaluation.meets_target is False and _key(pk, month) not in keys:
            _announce(section, month, evaluation)
            sent += 1
        do = (values or {}).get("do")
        if do is not None and do < alert and _key(pk, month, "do_alert") not in keys:
            _do_alert(section, month, do, alert)
            sent += 1
    return sent


def _region(section: RiverSection) -> int:
    towns = list(section.responsible_towns.values_list("pk", flat=True))
    return towns[0] if len(towns) == 1 else section.region_id


def _do_alert(section: RiverSection, month: date, do: Decimal, alert: Decimal) -> None:
    notify(
        events.WATER_DO_ALERT, region_id=_region(section),
        title=f"溶解氧预警：{section.name}（{month:%Y年%m月}）",
        text=f"{section.name}（{section.code}）{month:%Y年%m月}溶解氧均值 {do:.2f} mg/L，"
             f"低于预警值 {alert} mg/L。",
        url=link(f"/console/water/sections/{section.pk}/"),
        data={"section_id": section.pk, "section_code": section.code, "month": f"{month:%Y-%m}",
              "do": str(do), "alert": str(alert)},
        once_key=_key(section.pk, month, "do_alert"),
    )  # fmt: skip


def _announce(section: RiverSection, month: date, ev: water.Evaluation) -> None:
    target, got = CLASS_NAMES[ev.target_class], CLASS_NAMES.get(ev.klass or 0, "?")
    deciding = "、".join(water.name_of(k) for k in ev.deciding)
    notify(
        events.WATER_SECTION_BELOW_TARGET, region_id=_region(section),
        title=f"断面水质未达{target}类：{section.name}（{month:%Y年%m月}）",
        text=f"{section.name}（{section.code}）{month:%Y年%m月}水质为{got}类，未达目标{target}类；"
             f"定类因子：{deciding or '无'}。",
        url=link(f"/console/water/sections/{section.pk}/"),
        data={"section_id": section.pk, "section_code": section.code, "month": f"{month:%Y-%m}",
              "class": ev.klass, "target_class": ev.target_class, "deciding": list(ev.deciding),
              "cwqi": str(ev.cwqi) if ev.cwqi is not None else None},
        once_key=_key(section.pk, month),
    )  # fmt: skip
