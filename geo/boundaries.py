"""How far a point lies outside a region's boundary, in metres.

Boundaries are stored in WGS-84 degrees; GEOS distances on degrees mix east–west and north–south units, so
both sides are projected to UTM zone 51N (EPSG:32651, the zone of Haimen) first. Used with the ledger's
containment rule (``geo.ledger.is_outside``) by the ledger import and by the registry's facility forms,
so that both measure the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry, Point

from .models import Region

UTM51N = 32651


class BoundaryDistances:
    """Metres from a WGS-84 point to the boundary of each given region (0 inside it), each boundary
    projected once; ``None`` for a region without a boundary."""

    def __init__(self, regions: Iterable[Region]) -> None:
        self._to_metres = CoordTransform(SpatialReference(4326), SpatialReference(UTM51N))
        self._areas: dict[int, GEOSGeometry] = {
            r.pk: r.boundary.transform(self._to_metres, clone=True) for r in regions if r.boundary is not None
        }

    def __call__(self, region_id: int, lon: float, lat: float) -> float | None:
        area = self._areas.get(region_id)
        if area is None:
            return None
        point = Point(lon, lat, srid=4326).transform(self._to_metres, clone=True)
        return 0.0 if area.contains(point) else float(area.distance(point))
