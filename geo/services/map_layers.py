"""The vector-tile layers' versions: a writer that changes what a layer shows bumps it in its transaction."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from ..models import MapLayerVersion

# The tile layers (checklists.maps serves them); a write names the ones it changes.
TOWNS, SECTIONS, FACILITIES, RECTIFICATIONS, PHOTOS, RIVERS = (
    "towns",
    "sections",
    "facilities",
    "rectifications",
    "photos",
    "rivers",
)
OUTFALLS = "outfalls"
PUMP_STATIONS = "pump_stations"
MAP_LAYERS = (TOWNS, SECTIONS, FACILITIES, RECTIFICATIONS, PHOTOS, RIVERS, OUTFALLS, PUMP_STATIONS)


@transaction.atomic
def map_layers_bump(*layers: str) -> None:
    """Each named layer's version + 1 (rolled back with the write that bumped it)."""
    for layer in layers:
        if layer not in MAP_LAYERS:
            raise ValueError(f"unknown map layer {layer!r}")
        if not MapLayerVersion.objects.filter(layer=layer).update(version=F("version") + 1):
            MapLayerVersion.objects.get_or_create(layer=layer, defaults={"version": 1})


def map_layer_versions() -> dict[str, int]:
    """Every layer's current version (0 for one never written)."""
    found = dict(MapLayerVersion.objects.values_list("layer", "version"))
    return {layer: found.get(layer, 0) for layer in MAP_LAYERS}
