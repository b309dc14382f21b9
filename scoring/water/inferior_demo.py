"""Demo tributary monitoring points (支流监测点) for the 劣Ⅴ list, flagged synthetic: one on each demo ditch
of the synthetic network (level ``tributary``), measured monthly over the last year through the ordinary
import (a lab CSV) with a series that shows the list working — a point entering the list and cleared (清零),
one cleared and back (动态清零), one that never reaches 劣Ⅴ. The ammonia value decides each month's class."""

from __future__ import annotations

from django.utils import timezone

from geo.models import Region, RegionLevel, RiverLine, RiverNetwork, RiverSection, SectionLevel
from geo.services import LocationInput, section_upsert
from kernel.access import Principal

from ..engine.water.inferior import months_between
from . import services

NH3N = {2: 0.35, 3: 0.85, 4: 1.3, 5: 1.8, 6: 2.6}  # mg/L → that class (pH, DO, CODMn, TP stay at Ⅱ)
PATTERNS = (
    (3, 4, 6, 6, 6, 4, 3, 3, 4, 3, 3, 3),  # entered, then cleared (清零)
    (4, 4, 4, 5, 6, 6, 4, 6, 6, 6, 5, 6),  # cleared, back on, on the list this month (动态清零)
    (3, 3, 3, 3, 3, 4, 4, 3, 3, 3, 3, 3),  # never 劣Ⅴ
)
PREFIX = "TP-DEMO-"


def load(*, principal: Principal) -> int:
    """Create the points on the current synthetic network's ditches and import their last twelve months
    (once). Returns the values imported."""
    network = RiverNetwork.objects.filter(is_current=True, is_synthetic=True).first()
    if network is None or RiverSection.objects.filter(code__startswith=PREFIX).exists():
        return 0
    district = Region.objects.get(level=RegionLevel.DISTRICT)
    towns = list(Region.objects.filter(level=RegionLevel.TOWN, boundary__isnull=False))
    ditches = RiverLine.objects.filter(network=network, line_id__regex=r"^DEMO-R\d+-T\d+$").order_by(
        "line_id"
    )
    points: list[RiverSection] = []
    for n, ditch in enumerate(ditches, start=1):
        mid = ditch.geometry.interpolate_normalized(0.5)
        lon, lat = round(mid.x, 6), round(mid.y + 0.0003, 6)  # ~33 m north of the ditch
        town = next((t for t in towns if t.boundary.contains(mid)), None)
        name = f"{ditch.river_name[:-4]}{n}号监测点（演示）"  # names are unique: the import matches by name
        points.append(
            section_upsert(
                code=f"{PREFIX}{n:02d}", name=name, level=SectionLevel.TRIBUTARY,
                region=district, responsible_towns=[town] if town else [], river=ditch.river_name,
                location=LocationInput(lon, lat, quality="synthetic"),
                note="演示用合成支流监测点：位置与监测值均为合成数据。",
            )
        )  # fmt: skip
    if not points:
        return 0
    today = timezone.localdate()
    months = months_between(today.replace(year=today.year - 1, day=1), today)[-12:]
    lines = ["断面名称,监测时间,pH,溶解氧(mg/L),高锰酸盐指数(mg/L),氨氮(mg/L),总磷(mg/L)"]
    for k, point in enumerate(points):
        for month, klass in zip(months, PATTERNS[k % len(PATTERNS)], strict=True):
            lines.append(f"{point.name},{month:%Y-%m}-01 00:00,7.6,7.2,3.1,{NH3N[klass]},0.08")
    record = services.measurement_import_create(
        principal=principal, data="\n".join(lines).encode("utf-8"), filename="支流监测点月度监测（演示）.csv",
        source="manual", dry_run=False, on_duplicate="reject", valid_rows_only=False,
    )  # fmt: skip
    record.refresh_from_db()
    return int(record.report.get("imported", 0))
