"""What a phone syncs: the published checklist templates and the inspector's own assignments."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from kernel.access import Principal

from ..models import Assignment, AssignmentStatus, ChecklistTemplate, TemplateStatus


def template_catalogue(*, since: datetime | None = None) -> QuerySet[ChecklistTemplate]:
    """Published versions; with ``since``, also versions retired since then (so phones can drop them)."""
    qs = ChecklistTemplate.objects.order_by("key", "version")
    if since is None:
        return qs.filter(status=TemplateStatus.PUBLISHED)
    return qs.filter(updated_at__gte=since)


def assignment_catalogue(*, principal: Principal, since: datetime | None = None) -> QuerySet[Assignment]:
    qs = Assignment.objects.filter(inspector_id=principal.user_id).order_by("due_date", "id")
    if since is None:
        return qs.filter(status=AssignmentStatus.OPEN)
    return qs.filter(updated_at__gte=since)
