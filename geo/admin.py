from typing import Any

from django import forms
from django.contrib.gis import admin
from django.http import HttpRequest

from kernel.access import Principal

from . import services
from .models import AirStation, DustFallPoint, Region, RiverSection, SewageFacility


def _back_office_principal(request: HttpRequest) -> Principal:
    """Who acts in the back office: Django's model permissions already decided that they may."""
    return Principal(user_id=request.user.pk, username=request.user.get_username(), is_superuser=True)


class RegionAdminForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = (  # every editable field; ``path`` is the services' business
            "level",
            "parent",
            "name",
            "code",
            "code_source",
            "alt_codes",
            "town_kind",
            "households",
            "centroid",
            "boundary",
            "geometry_quality",
            "is_synthetic",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        level = data.get("level") or self.instance.level
        message = level and services.region_parent_error(level, data.get("parent"))
        if message and "parent" not in self.errors:
            self.add_error("parent", message)
        return data


@admin.register(Region)
class RegionAdmin(admin.GISModelAdmin):
    """Regions are created and moved through ``geo.services`` so that their scope paths (and their
    subtree's, on a move) stay right; the level of an existing region is fixed."""

    form = RegionAdminForm
    list_display = ("name", "level", "code", "code_source", "parent", "households", "is_synthetic")
    list_filter = ("level", "code_source", "town_kind", "is_synthetic")
    search_fields = ("name", "code")
    readonly_fields = ("path",)
    autocomplete_fields = ("parent",)

    def get_readonly_fields(self, request: HttpRequest, obj: Region | None = None) -> tuple[str, ...]:
        return ("path", "level") if obj is not None else ("path",)

    def save_model(self, request: HttpRequest, obj: Region, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if change:
            changes = {
                ("parent_id" if name == "parent" else name): (
                    (data[name].pk if data[name] else None) if name == "parent" else data[name]
                )
                for name in form.changed_data
            }
            saved = services.region_update(
                principal=_back_office_principal(request), region_id=obj.pk, changes=changes
            )
        else:
            centroid = data.get("centroid")
            saved = services.region_create(
                level=data["level"],
                name=data["name"],
                parent=data.get("parent"),
                code=data.get("code"),
                code_source=data.get("code_source", ""),
                town_kind=data.get("town_kind", ""),
                households=data.get("households"),
                centroid=None if centroid is None else services.LocationInput(centroid.x, centroid.y),
                is_synthetic=data.get("is_synthetic", False),
                alt_codes=data.get("alt_codes") or [],
                boundary=data.get("boundary"),
                geometry_quality=data.get("geometry_quality", ""),
            )
        obj.pk = saved.pk
        obj.refresh_from_db()


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


class _ReadOnlyAdmin(admin.GISModelAdmin):
    """Shown, not edited here: changes go through the API's services (scope, town check, audit)."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AirStation)
class AirStationAdmin(_ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "town", "is_active", "location_quality", "is_synthetic")
    list_filter = ("kind", "is_active", "is_synthetic")
    search_fields = ("code", "name")


@admin.register(DustFallPoint)
class DustFallPointAdmin(_ReadOnlyAdmin):
    list_display = ("code", "name", "town", "is_active", "location_quality", "is_synthetic")
    list_filter = ("is_active", "is_synthetic")
    search_fields = ("code", "name")
