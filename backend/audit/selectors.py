from django.db.models import Q, QuerySet

from backend.access import AUDIT_READERS, Principal
from backend.errors import PermissionDenied

from .models import AuditEvent


def audit_events(
    *,
    principal: Principal,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events the principal may read: admins all; the district office those of its regions."""
    if not principal.has_any(AUDIT_READERS):
        raise PermissionDenied("无权查看审计日志")
    qs = AuditEvent.objects.all()
    paths = principal.region_paths(AUDIT_READERS)
    if paths is not None:
        scope = Q(pk__in=[])
        for p in paths:
            scope |= Q(region_path__startswith=p)
        qs = qs.filter(scope)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs.order_by("-at", "-id")
