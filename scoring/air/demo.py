"""Haimen demo air and dust-fall data, imported through the real import path (a station export of daily
statistics, one station's hourly export, the dust-fall jars' monthly readings).

SYNTHETIC: one air station (镇控; 海门街道's is 省控) and one dust-fall jar per town, at a point inside the
town's synthetic boundary, flagged ``is_synthetic``; values generated with a fixed seed for the last
``DAYS`` days up to yesterday, shaped so that a few towns sit at the bottom of the 每旬 逆序排名 (PM2.5 and
dust fall higher near the port and the industrial parks, a pollution episode in the middle of the period).
The demo stores daily statistics for most stations (a day is one row: cheap); 海门街道's station also has
its last three days hourly, so the hourly path (day computed by HJ 633 from the hours) shows working."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from django.utils import timezone

from geo.air.services import air_station_create, dust_point_create
from geo.models import AirStation, LocationQuality, Region, RegionLevel
from geo.services.locations import LocationInput
from kernel.access import Principal

from .imports import air_import_create

DAYS = 92
HOURLY_DAYS = 3
CODE_PREFIX = "HM-AQ-"
# towns whose air and dust are worse in the demo story (the port, the industrial parks)
WORSE = {"海门港新区": 1.45, "三厂工业园区": 1.3, "临江新区": 1.2}
DAILY_HEADER = "站点编码,日期,SO2,NO2,PM10,PM2.5,CO,O3_1h,O3_8h\n"
HOURLY_HEADER = "站点编码,监测时间,SO2,NO2,PM10,PM2.5,CO,O3\n"


def _episode(i: int) -> float:
    """A pollution episode (×1.8 at its peak) around day 60 of the period."""
    return 1 + 0.8 * math.exp(-(((i - 60) / 3) ** 2))


def load(*, principal: Principal) -> dict[str, int]:
    """Create the points and import the data (none twice). Returns the counts imported."""
    if AirStation.objects.filter(code__startswith=CODE_PREFIX).exists():
        return {"stations": 0, "air_daily": 0, "air_hourly": 0, "dust": 0}
    towns = list(Region.objects.filter(level=RegionLevel.TOWN, boundary__isnull=False).order_by("code", "pk"))
    for n, town in enumerate(towns, start=1):
        p = town.boundary.point_on_surface
        loc = LocationInput(round(p.x, 6), round(p.y, 6), quality=LocationQuality.SYNTHETIC)
        kind = "provincial" if town.name == "海门街道" else "town"
        air_station_create(
            principal=principal, code=f"{CODE_PREFIX}{n:02d}", name=f"{town.name}空气自动站（演示）",
            kind=kind, town_id=town.pk, location=loc, is_synthetic=True,
            note="演示用合成站点：位置为示意，数据为合成。",
        )  # fmt: skip
        dust_point_create(
            principal=principal, code=f"HM-DF-{n:02d}", name=f"{town.name}降尘点（演示）", town_id=town.pk,
            location=loc, is_synthetic=True, note="演示用合成降尘点：位置为示意，数据为合成。",
        )  # fmt: skip
    rng = random.Random(6332012)  # noqa: S311 - synthetic demo values (HJ 633-2012)
    today = timezone.localdate()
    first = today - timedelta(days=DAYS)
    daily, hourly, dust = [DAILY_HEADER], [HOURLY_HEADER], ["点位编码,开始日期,结束日期,降尘量(t/km²)\n"]
    for n, town in enumerate(towns, start=1):
        worse = WORSE.get(town.name, 1.0)
        code = f"{CODE_PREFIX}{n:02d}"
        hourly_station = town.name == "海门街道"
        for i in range(DAYS):
            day = first + timedelta(days=i)
            if hourly_station and day > today - timedelta(days=HOURLY_DAYS + 1):
                hourly += _hours(code, day, worse * _episode(i), rng)
                continue
            f = worse * _episode(i) * rng.uniform(0.75, 1.25)
            o3 = rng.uniform(70, 150)
            daily.append(
                f"{code},{day},{rng.uniform(4, 9):.0f},{22 * f:.0f},{55 * f:.0f},{32 * f:.0f},"
                f"{0.6 * f:.1f},{o3 * 1.25:.0f},{o3:.0f}\n"
            )
        start = date(first.year, first.month, 1)
        yesterday = today - timedelta(days=1)
        while start <= yesterday:  # a jar a month; this month's collected yesterday (a demo shortcut)
            end = min((start + timedelta(days=32)).replace(day=1) - timedelta(days=1), yesterday)
            dust.append(f"HM-DF-{n:02d},{start},{end},{2.6 * worse * rng.uniform(0.8, 1.25):.2f}\n")
            start = end + timedelta(days=1)
    counts = {"stations": len(towns)}
    for kind, rows in (("air_daily", daily), ("air_hourly", hourly), ("dust", dust)):
        record = air_import_create(
            principal=principal, data="".join(rows).encode(), filename=f"demo-{kind}.csv", kind=kind,
            dry_run=False, on_duplicate="reject", valid_rows_only=False,
        )  # fmt: skip
        counts[kind] = record.report.get("imported", 0)
    return counts


def _hours(code: str, day: date, factor: float, rng: random.Random) -> list[str]:
    rows = []
    for h in range(24):
        f = factor * rng.uniform(0.8, 1.2) * (1.2 if h in (7, 8, 18, 19) else 1.0)  # rush hours
        o3 = 40 + 90 * max(0.0, math.sin((h - 6) / 12 * math.pi))  # sunlight
        rows.append(
            f"{code},{day} {h:02d}:00,{rng.uniform(4, 9):.0f},{22 * f:.0f},{55 * f:.0f},{32 * f:.0f},"
            f"{0.6 * f:.1f},{o3:.0f}\n"
        )
    return rows
