"""What a phone syncs: the published checklist templates and the inspector's own assignments."""

from __future__ import annotations

from datetime import datetime

from django.contrib.gis.db.models import PointField
from django.db.models import Case, OuterRef, QuerySet, Subquery, Value, When

from geo.models import Organisation, Outfall, PumpStation, Region, RiverSection, SewageFacility
from kernel.access import Principal

from ..models import Assignment, AssignmentStatus, ChecklistTemplate, TemplateStatus


def template_catalogue(*, since: datetime | None = None) -> QuerySet[ChecklistTemplate]:
    """Published versions; with ``since``, also versions retired since then (so phones can drop them)."""
    qs = ChecklistTemplate.objects.order_by("key", "version")
    if since is None:
        return qs.filter(status=TemplateStatus.PUBLISHED)
    return qs.filter(updated_at__gte=since)


def subject_point() -> Case:
    """The subject's own WGS-84 point, the one the photo checks measure from (``geo.selectors.subject_get``):
    a facility's, section's, outfall's, pump station's or organisation's location, a town's or village's
    centroid; null when unknown. For any row with ``subject_kind`` / ``subject_id`` (assignments; the map
    places rectifications with it too): a new subject kind is added here once."""
    point = PointField(srid=4326)
    by_kind = {
        "sewage_facility": SewageFacility.objects.filter(pk=OuterRef("subject_id")).values("location"),
        "river_section": RiverSection.objects.filter(pk=OuterRef("subject_id")).values("location"),
        "pump_station": PumpStation.objects.filter(pk=OuterRef("subject_id")).values("location"),
        "department": Organisation.objects.filter(pk=OuterRef("subject_id")).values("location"),
        "enterprise": Organisation.objects.filter(pk=OuterRef("subject_id")).values("location"),
        "town": Region.objects.filter(pk=OuterRef("subject_id")).values("centroid"),
        "village": Region.objects.filter(pk=OuterRef("subject_id")).values("centroid"),
        "outfall": Outfall.objects.filter(pk=OuterRef("subject_id")).values("location"),
    }
    return Case(
        *(When(subject_kind=k, then=Subquery(q[:1], output_field=point)) for k, q in by_kind.items()),
        default=Value(None, output_field=point),
        output_field=point,
    )


def assignment_catalogue(*, principal: Principal, since: datetime | None = None) -> QuerySet[Assignment]:
    """The inspector's assignments, each with ``subject_point`` (see ``subject_point``)."""
    qs = (
        Assignment.objects.filter(inspector_id=principal.user_id)
        .annotate(subject_point=subject_point())
        .order_by("due_date", "id")
    )
    if since is None:
        return qs.filter(status=AssignmentStatus.OPEN)
    return qs.filter(updated_at__gte=since)
