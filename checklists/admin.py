from django.contrib import admin

from .models import (
    Assignment,
    ChecklistTemplate,
    Finding,
    Inspection,
    InspectionRevision,
    Rectification,
    SpotCheck,
)


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ("key", "version", "title", "domain", "subject_kind", "status", "published_at")
    list_filter = ("domain", "status", "subject_kind")
    search_fields = ("key", "title")
    readonly_fields = [f.name for f in ChecklistTemplate._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False  # published through `manage.py load_templates`, never typed in

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class RevisionInline(admin.TabularInline):
    model = InspectionRevision
    extra = 0
    can_delete = False
    fields = ("revision", "period", "percent", "vetoed", "submitted_at", "decision", "reason")
    readonly_fields = fields


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = (
        "client_uuid",
        "subject_name",
        "template",
        "inspector",
        "period",
        "status",
        "revision",
        "percent",
        "vetoed",
    )
    list_filter = ("period", "status", "purpose", "subject_kind", "vetoed")
    search_fields = ("client_uuid", "subject_name", "inspector__username")
    readonly_fields = [f.name for f in Inspection._meta.fields]
    inlines = [RevisionInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("subject_name", "template_key", "inspector", "purpose", "period", "due_date", "status")
    list_filter = ("period", "purpose", "status")
    search_fields = ("subject_name", "inspector__username")


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("inspection", "item_title", "category", "points_lost")
    list_filter = ("category",)
    readonly_fields = [f.name for f in Finding._meta.fields]


@admin.register(Rectification)
class RectificationAdmin(admin.ModelAdmin):
    list_display = ("subject_name", "category", "responsible_unit", "deadline", "status", "overdue")
    list_filter = ("status", "overdue", "category")
    search_fields = ("subject_name", "responsible_unit")
    readonly_fields = [f.name for f in Rectification._meta.fields]


@admin.register(SpotCheck)
class SpotCheckAdmin(admin.ModelAdmin):
    list_display = ("year", "subject_kind", "template_key", "per_town", "seed", "created_at", "published_at")
    readonly_fields = [f.name for f in SpotCheck._meta.fields]
