"""Registering a tributary monitoring point (支流监测点, 65号 item 19's 劣Ⅴ list): a river section of level
``tributary`` under a responsible town, so the measurement import, the GB 3838 engine and the network
snapping treat it as a section. ``section_upsert`` writes, snaps and audits it; this adds the registry
editors' checks (role, the town in scope, a point in the town, a code not taken)."""

from __future__ import annotations

from django.db import transaction

from kernel.access import Principal
from kernel.errors import Conflict

from ..models import Region, RegionLevel, RiverSection, SectionLevel
from ..services.locations import LocationInput, _require_editor, located_fields
from ..services.sections import section_upsert
from .services import _location_check, _town


@transaction.atomic
def tributary_point_create(
    *,
    principal: Principal,
    code: str,
    name: str,
    town_id: int,
    river: str = "",
    target_class: int = 3,
    location: LocationInput | None = None,
    note: str = "",
) -> RiverSection:
    """A new tributary point (409 ``duplicate_code`` if any section has the code: never turns a key section
    into a tributary point)."""
    _require_editor(principal)
    town = _town(principal, town_id)
    _location_check(town, located_fields(location)["location"])
    for field, value in (("code", code), ("name", name)):  # the measurement import matches either
        if RiverSection.objects.filter(**{field: value}).exists():
            message = "断面编码已存在" if field == "code" else "断面名称已存在（监测数据按名称或编码匹配）"
            raise Conflict(message, code=f"duplicate_{field}", details={"fields": {field: [message]}})
    district = Region.objects.get(level=RegionLevel.DISTRICT, pk=int(town.path.strip("/").split("/")[0]))
    return section_upsert(
        code=code, name=name, level=SectionLevel.TRIBUTARY, region=district, responsible_towns=[town],
        river=river, target_class=target_class, location=location, note=note,
    )  # fmt: skip
