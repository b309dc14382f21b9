"""``/console/map/``: the planners' map — our own vector tiles (towns, sections by the month's class,
facilities by condition, open and overdue rectifications, photos with flags) drawn by MapLibre GL JS
from our static files, a layer switcher, a legend, search and popups linking to the console's pages.

The tiles come through ``/console/map/tiles/…`` for the signed-in session: the same
:func:`checklists.maps.serve.tile_response` the API route calls (scope, ETag / 304, Cache-Control), so
a town officer's map holds only its town. Search calls the API's list selectors with the user's scope.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from checklists.maps import serve
from checklists.maps.sources import LAYERS
from checklists.models import RectificationStatus
from geo import coords
from geo.models import FacilityStatus, Region, RegionLevel, RiverSection, SewageFacility
from geo.outfalls.models import OutfallDecision, OutfallKind, OutfallState
from geo.selectors import facility_list, region_list, section_list
from kernel.errors import InvalidInput
from scoring.engine.sewage import CONDITION_LABELS

from ..access import ConsoleRequest, console_view

SEARCH_LIMIT = 8
MONTH = re.compile(r"(19|20|21)\d\d-(0[1-9]|1[0-2])")
# Haimen's centre, for a user whose scope holds no town with a centroid.
DEFAULT_CENTER = (121.18, 31.90)


def _datum() -> str:
    """The datum the features are drawn in: the base map's, if one is configured."""
    return settings.FIELDSCORE_MAP_BASE_DATUM if settings.FIELDSCORE_MAP_BASE_URL else coords.Datum.WGS84


def _lonlat(point: Any, datum: str) -> list[float] | None:
    if point is None:
        return None
    p = coords.from_wgs84(coords.LonLat(point.x, point.y), datum)
    return [round(p.lon, 6), round(p.lat, 6)]


def _bounds(paths: Any, datum: str) -> list[float] | None:
    """The box around the user's towns' centres (where the map opens)."""
    towns = region_list(paths=paths, level=RegionLevel.TOWN)
    points = [c for c in (_lonlat(r.centroid, datum) for r in towns) if c]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return [min(lons), min(lats), max(lons), max(lats)]


@require_safe
@console_view
def map_page(request: ConsoleRequest) -> HttpResponse:
    datum = _datum()
    month = request.GET.get("month") or f"{timezone.localdate():%Y-%m}"
    if not MONTH.fullmatch(month):
        raise InvalidInput(details={"fields": {"month": ["月份格式应为 YYYY-MM"]}})
    config = {
        "tiles": "/console/map/tiles/{layer}/{z}/{x}/{y}.pbf",
        "layers": list(LAYERS),
        # Below this zoom the point layers are grid cells (counts), not objects.
        "cluster_below": settings.MAP_CLUSTER_BELOW_ZOOM,
        "datum": datum,
        "month": month,
        "base": {"url": settings.FIELDSCORE_MAP_BASE_URL} if settings.FIELDSCORE_MAP_BASE_URL else None,
        "bounds": _bounds(request.principal.region_paths(), datum),
        "center": list(DEFAULT_CENTER),
        "search": "/console/map/search/",
        "labels": {
            "condition": dict(CONDITION_LABELS),
            "status": dict(FacilityStatus.choices),
            "rectification": dict(RectificationStatus.choices),
            "outfall_kind": dict(OutfallKind.choices),
            "outfall_decision": dict(OutfallDecision.choices),
            "outfall_state": dict(OutfallState.choices),
        },
        "links": {
            "facility": "/console/sewage/facilities/{id}/",
            "section": "/console/water/sections/{id}/",
            "town": "/console/towns/{id}/",
        },
    }
    return render(request, "console/map/page.html", {"config": config, "month": month})


@require_safe
@console_view
def map_tile(request: ConsoleRequest, layer: str, z: str, x: str, y: str) -> HttpResponse:
    return serve.tile_response(
        principal=request.principal,
        layer=layer,
        z=int(z),
        x=int(x),
        y=int(y),
        month=request.GET.get("month"),
        datum=request.GET.get("datum"),
        if_none_match=request.headers.get("If-None-Match"),
    )


@require_safe
@console_view
def map_search(request: ConsoleRequest) -> JsonResponse:
    """Towns, facilities and sections in the user's scope whose name contains ``q`` or code starts with it."""
    q = request.GET.get("q", "").strip()[:64]
    if not q:
        return JsonResponse({"results": []})
    paths = request.principal.region_paths()
    datum = _datum()
    found: list[tuple[str, Region | SewageFacility | RiverSection, Any]] = [
        *(
            ("town", t, t.centroid)
            for t in region_list(paths=paths, level=RegionLevel.TOWN, q=q)[:SEARCH_LIMIT]
        ),
        *(("facility", f, f.location) for f in facility_list(paths=paths, q=q)[:SEARCH_LIMIT]),
        *(("section", s, s.location) for s in section_list(paths=paths, q=q)[:SEARCH_LIMIT]),
    ]
    results = [
        {"kind": kind, "id": obj.pk, "name": obj.name, "code": obj.code, "at": _lonlat(point, datum)}
        for kind, obj, point in found
    ]
    return JsonResponse({"results": results})
