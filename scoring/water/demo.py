"""Haimen demo water data: synthetic measurements for the seven sections of 海政办发〔2022〕65号, imported
through the real import path (an automatic-station CSV export and a lab's XLSX of monthly samples).

SYNTHETIC: the values are generated, shaped to tell the seed's story — 海洪大桥 under a DO warning in
summer (提Ⅲ), 青龙河桥 missing Ⅲ on ammonia in some winter months (稳Ⅲ), 临海公路桥's dissolved oxygen
dipping below the Ⅲ limit over the last three weeks (a DO alert this month, 提Ⅲ), the others mostly Ⅱ–Ⅲ.
The station's export runs to the last reading before the import, so the current month always has data."""

from __future__ import annotations

import csv
import io
import math
import random
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook

from geo.models import RiverSection
from kernel.access import Principal

from ..models import Measurement
from . import services

AUTOMATIC = ["ph", "do", "codmn", "nh3n", "tp", "temp"]
HEADERS = {"ph": "pH", "do": "溶解氧(mg/L)", "codmn": "高锰酸盐指数(mg/L)", "nh3n": "氨氮(mg/L)",
           "tp": "总磷(mg/L)", "temp": "水温(℃)"}  # fmt: skip
LAB = {  # indicator: (header, typical value, detection limit); the rest of the 21 from the lab
    "cod": ("化学需氧量(mg/L)", 12.0, 4.0), "bod5": ("五日生化需氧量(mg/L)", 2.4, 0.5),
    "cu": ("铜(mg/L)", 0.004, 0.001), "zn": ("锌(mg/L)", 0.02, 0.005), "f": ("氟化物(mg/L)", 0.45, 0.05),
    "se": ("硒(μg/L)", 0.6, 0.4), "as": ("砷(μg/L)", 1.8, 0.3), "hg": ("汞(μg/L)", 0.02, 0.04),
    "cd": ("镉(mg/L)", 0.0003, 0.0001), "cr6": ("六价铬(mg/L)", 0.006, 0.004),
    "pb": ("铅(mg/L)", 0.002, 0.001),
    "cn": ("氰化物(mg/L)", 0.002, 0.004), "phenol": ("挥发酚(mg/L)", 0.0008, 0.0003),
    "oil": ("石油类(mg/L)", 0.02, 0.01), "las": ("阴离子表面活性剂(mg/L)", 0.06, 0.05),
    "s2": ("硫化物(mg/L)", 0.01, 0.005),
}  # fmt: skip
STORY = {  # section code: adjustments to the baseline
    "HM-SK-02": {"summer_do_drop": 2.6},  # 海洪大桥: DO warning in summer
    "HM-SHK-01": {"winter_nh3n": 0.65},  # 青龙河桥: ammonia over Ⅲ in winter months
    "HM-SHK-04": {"recent_do_dip": 3.0},  # 临海公路桥: DO below Ⅲ over the last RECENT_DAYS days
}
RECENT_DAYS = 21


def _auto_value(key: str, code: str, at: datetime, rng: random.Random, *, recent: bool = False) -> float:
    doy = at.timetuple().tm_yday
    season = math.sin((doy - 110) / 365 * 2 * math.pi)  # +1 in late July, −1 in late January
    daily = math.sin(at.hour / 24 * 2 * math.pi)
    story = STORY.get(code, {})
    if key == "ph":
        return round(7.6 + 0.25 * daily + rng.uniform(-0.15, 0.15), 2)
    if key == "temp":
        return round(17 + 11 * season + 1.5 * daily + rng.uniform(-0.5, 0.5), 1)
    if key == "do":
        drop = story.get("summer_do_drop", 0.8) * max(0.0, season) + (
            story.get("recent_do_dip", 0.0) * recent
        )
        return round(max(1.5, 7.4 - drop + 0.6 * daily + rng.uniform(-0.4, 0.4)), 2)
    if key == "codmn":
        return round(4.2 + 0.8 * season + rng.uniform(-0.6, 0.6), 2)
    if key == "nh3n":
        winter = story.get("winter_nh3n", 0.0) * max(0.0, -season)
        return round(max(0.03, 0.45 + winter + rng.uniform(-0.15, 0.2)), 3)
    return round(max(0.02, 0.12 + 0.03 * season + rng.uniform(-0.03, 0.04)), 3)  # tp


def automatic_csv(
    sections: list[RiverSection],
    first: date,
    last: date,
    step_hours: int = 4,
    *,
    until: datetime | None = None,
) -> bytes:
    """A station export (GBK, as Chinese Excel writes it): every ``step_hours``, six indicators, a status
    column; readings after ``until`` (naive local time) are not taken yet."""
    rng = random.Random(3838)  # noqa: S311 - synthetic demo values
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["断面名称", "监测时间", *HEADERS.values(), "站点状态"])
    day = first
    while day <= last:
        for hour in range(0, 24, step_hours):
            at = datetime(day.year, day.month, day.day, hour)
            if until is not None and at > until:
                break
            recent = (last - day).days < RECENT_DAYS
            for s in sections:
                writer.writerow([s.name, at.strftime("%Y-%m-%d %H:%M"),
                                 *(_auto_value(k, s.code, at, rng, recent=recent) for k in AUTOMATIC),
                                 "正常"])  # fmt: skip
        day += timedelta(days=1)
    return buf.getvalue().encode("gb18030")


def lab_xlsx(sections: list[RiverSection], first: date, last: date) -> bytes:
    """The lab's monthly full-scan results (one sample per section and month, mid-month), with the
    below-detection values written the Chinese way ("0.004L")."""
    rng = random.Random(2002)  # noqa: S311 - synthetic demo values
    wb = Workbook()
    ws = wb.active
    ws.title = "手工监测"
    ws.append(["断面编码", "采样日期", *(h for h, _, _ in LAB.values())])
    month = date(first.year, first.month, 15)
    while month <= last:
        for s in sections:
            row: list[object] = [s.code, month]
            for typical, limit in ((t, dl) for _, t, dl in LAB.values()):
                value = typical * rng.uniform(0.5, 1.5)
                row.append(f"{limit}L" if value < limit else round(value, 5))
            ws.append(row)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 15)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def load(*, principal: Principal) -> tuple[int, int]:
    """Import last year and this year up to now (idempotent: skipped when the demo sections have data).
    Returns (values imported, sections flagged 提Ⅲ by hand)."""
    sections = list(RiverSection.objects.filter(code__startswith="HM-").order_by("code"))
    if not sections or Measurement.objects.filter(section__in=sections).exists():
        return 0, 0
    now = timezone.localtime()
    today = now.date()
    first, last = date(today.year - 1, 1, 1), today  # to the station's last reading before now
    imported = 0
    for data, name, source in (
        (
            automatic_csv(
                sections, first, last, settings.DEMO_WATER_STEP_HOURS, until=now.replace(tzinfo=None)
            ),
            "自动站数据导出（演示）.csv",
            "automatic",
        ),
        (lab_xlsx(sections, first, last), "实验室手工监测结果（演示）.xlsx", "manual"),
    ):
        record = services.measurement_import_create(
            principal=principal, data=data, filename=name, source=source,
            dry_run=False, on_duplicate="reject", valid_rows_only=False,
        )  # fmt: skip
        record.refresh_from_db()
        imported += int(record.report.get("imported", 0))
    flagged = RiverSection.objects.filter(code="HM-SK-02").update(watch_flag=True)  # the seed's DO warning
    return imported, flagged


def load_work_plans(*, principal: Principal) -> int:
    """A first version of this year's 稳Ⅲ提Ⅲ 工作方案 analysis for each demo section, saved through the
    service by the 生态环境局 (idempotent: a section whose plan has a version is left alone). The text is
    the engine's analysis of the recent months and a labelled placeholder for the office's own reasoning."""
    from .workplans.selectors import section_analysis, work_plan_current
    from .workplans.services import work_plan_save

    year, saved = timezone.localdate().year, 0
    for section in RiverSection.objects.filter(code__startswith="HM-").order_by("code"):
        if work_plan_current(section_id=section.pk, year=year) is not None:
            continue
        summary = section_analysis(section=section, year=year).analysis.summary
        text = (
            f"{summary}\n【演示文字，非正式分析】超标原因初步分析：上游一级支流沿线农村生活污水收集不全、"
            "部分污水处理设施运行不正常；汛期泵站排水带入污染物。下一步按溯源问题清单逐项整改、动态清零。"
        )
        work_plan_save(
            principal=principal, section_id=section.pk, year=year, analysis=text,
            document_number=f"海环治〔{year}〕演示{saved + 1}号", if_match=None,
        )  # fmt: skip
        saved += 1
    return saved
