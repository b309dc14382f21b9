"""Writes to the river sections."""

from __future__ import annotations

from django.db import transaction

from kernel.audit.services import audit_record, snapshot
from kernel.errors import InvalidInput

from ..models import (
    Region,
    RegionLevel,
    RiverSection,
)
from ..rivers.models import SiteKind
from ..rivers.services import site_snaps_refresh
from .locations import LocationInput, located_fields
from .map_layers import SECTIONS, map_layers_bump

# --- river sections ----------------------------------------------------------------------------------


@transaction.atomic
def section_upsert(
    *,
    code: str,
    name: str,
    level: str,
    region: Region,
    responsible_towns: list[Region],
    river: str = "",
    water_body: str = "river",
    target_class: int = 3,
    location: LocationInput | None = None,
    note: str = "",
) -> RiverSection:
    """Create or update a section by its code (used by the registry import and the demo loader)."""
    bad = [t.pk for t in responsible_towns if t.level != RegionLevel.TOWN]
    if bad:
        raise InvalidInput("责任单位必须是区镇", details={"fields": {"responsible_towns": bad}})
    section = RiverSection.objects.filter(code=code).first() or RiverSection(code=code)
    before = snapshot(section) if section.pk else None
    fields = dict(
        name=name,
        level=level,
        region=region,
        river=river,
        water_body=water_body,
        target_class=target_class,
        note=note,
        **located_fields(location),
    )
    for attr, value in fields.items():
        setattr(section, attr, value)
    section.full_clean()
    section.save()
    section.responsible_towns.set(responsible_towns)
    site_snaps_refresh(kinds=[SiteKind.RIVER_SECTION], ids=[section.pk])  # its point or river may have moved
    map_layers_bump(SECTIONS)
    after = snapshot(section) | {"responsible_towns": sorted(t.pk for t in responsible_towns)}
    audit_record(
        action="geo.section.update" if before else "geo.section.create",
        obj=section,
        region_path=region.path,
        before=before,
        after=after,
    )
    return section
