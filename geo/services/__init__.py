"""Writes to the spatial registry. Each checks the caller's scope, validates, writes and audits atomically."""

from .conditions import (
    facility_condition_correct,
    facility_condition_record,
    facility_condition_withdraw,
    facility_status_set,
)
from .facilities import (
    FACILITY_EDITABLE,
    VillageRef,
    facility_create,
    facility_location_check,
    facility_update,
    facility_village_resolve,
)
from .locations import LocationInput, device_fix_fields, located_fields, wgs84_point
from .map_layers import FACILITIES, MAP_LAYERS, map_layer_versions, map_layers_bump
from .region_boundaries import boundary_centroid, region_boundaries_import
from .regions import (
    REGION_EDITABLE,
    REGION_IDENTITY,
    region_create,
    region_parent_error,
    region_paths_repair,
    region_update,
)
from .sections import section_upsert

__all__ = [
    "FACILITIES",
    "FACILITY_EDITABLE",
    "MAP_LAYERS",
    "REGION_EDITABLE",
    "REGION_IDENTITY",
    "LocationInput",
    "VillageRef",
    "boundary_centroid",
    "device_fix_fields",
    "facility_condition_correct",
    "facility_condition_record",
    "facility_condition_withdraw",
    "facility_create",
    "facility_location_check",
    "facility_status_set",
    "facility_update",
    "facility_village_resolve",
    "located_fields",
    "map_layer_versions",
    "map_layers_bump",
    "region_boundaries_import",
    "region_create",
    "region_parent_error",
    "region_paths_repair",
    "region_update",
    "section_upsert",
    "wgs84_point",
]
