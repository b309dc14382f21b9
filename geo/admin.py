from django.contrib.gis import admin

from .models import Region, RiverSection, SewageFacility


@admin.register(Region)
class RegionAdmin(admin.GISModelAdmin):
    list_display = ("name", "level", "code", "code_source", "parent", "households", "is_synthetic")
    list_filter = ("level", "code_source", "town_kind", "is_synthetic")
    search_fields = ("name", "code")
    readonly_fields = ("path",)
    autocomplete_fields = ("parent",)


@admin.register(RiverSection)
class RiverSectionAdmin(admin.GISModelAdmin):
    list_display = ("code", "name", "river", "level", "target_class", "location_quality")
    list_filter = ("level", "water_body", "location_quality")
    search_fields = ("code", "name", "river")
    filter_horizontal = ("responsible_towns",)


@admin.register(SewageFacility)
class SewageFacilityAdmin(admin.GISModelAdmin):
    list_display = (
        "code",
        "name",
        "village",
        "capacity_tpd",
        "status",
        "meter_number",
        "location_quality",
        "is_synthetic",
    )
    list_filter = ("status", "location_quality", "is_synthetic")
    search_fields = ("code", "name", "meter_number", "operator")
    autocomplete_fields = ("village",)
