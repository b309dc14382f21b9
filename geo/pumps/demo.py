"""Demo pump stations (排涝泵站) on the synthetic river network, flagged synthetic: two on the river of each
key section, ~3 km and ~6 km above it along the water, under the town they stand in. Some held sewage and
were cleared (清零), some still hold it, so the 拦蓄污水 list and its history show working."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.gis.geos import Point
from django.utils import timezone

from kernel.access import Principal

from ..models import LocationQuality, Region, RegionLevel, RiverLine, RiverNetwork
from ..services.locations import LocationInput
from .models import PumpStation
from .services import pump_station_create, pump_station_update

_UP_DEG = (0.027, 0.054)  # ~3 km and ~6 km above the section (km per degree of latitude ≈ 110.9)
_BESIDE_DEG = 0.0006  # ~60 m east of the drawn river: snapped, with a snapping distance to show


def load_pump_stations(*, principal: Principal) -> int:
    """Create the demo stations on the current synthetic network's section rivers (none on a surveyed
    network, none twice). Returns how many were created."""
    network = RiverNetwork.objects.filter(is_current=True, is_synthetic=True).first()
    if network is None or PumpStation.objects.filter(code__startswith="HM-PS-").exists():
        return 0
    rivers = RiverLine.objects.filter(network=network, line_id__regex=r"^DEMO-R\d+$").order_by("line_id")
    towns = list(Region.objects.filter(level=RegionLevel.TOWN, boundary__isnull=False))
    today = timezone.localdate()
    created = 0
    for i, river in enumerate(rivers, start=1):
        # the section stands on the river's second-to-last vertex (its last runs down to the 干流)
        x, y = river.geometry.coords[-2]
        for k, up in enumerate(_UP_DEG, start=1):
            lon, lat = round(x + _BESIDE_DEG, 6), round(y + up, 6)
            town = next((t for t in towns if t.boundary.contains(Point(lon, lat, srid=4326))), None)
            if town is None:
                continue
            n = (i - 1) * len(_UP_DEG) + k
            holds = n % 4 != 0
            name = f"{town.name}{river.river_name[:4]}{k}号泵站（演示）"
            station = pump_station_create(
                principal=principal, code=f"HM-PS-{n:02d}", name=name,
                town_id=town.pk, river=river.river_name, holds_sewage=holds,
                sewage_on=today - timedelta(days=40 + n) if holds else None,
                location=LocationInput(lon, lat, quality=LocationQuality.SYNTHETIC), is_synthetic=True,
                note="演示用合成泵站：位置为示意，不是实测。",
            )  # fmt: skip
            if n % 4 == 1:  # found earlier, cleared by the town a week later (清零), in its history
                pump_station_update(
                    principal=principal, station_id=station.pk, changes={}, holds_sewage=False,
                    sewage_on=today - timedelta(days=30 + n),
                )  # fmt: skip
            created += 1
    return created
