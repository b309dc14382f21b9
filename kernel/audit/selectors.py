from django.db.models import QuerySet

from kernel.access import AUDIT_READERS, Principal
from kernel.errors import PermissionDenied
from kernel.scope import scope_q

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
    qs = qs.filter(scope_q(principal.region_paths(AUDIT_READERS), "region_path"))
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs.order_by("-at", "-id")
