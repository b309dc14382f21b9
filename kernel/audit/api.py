from ninja import Router
from ninja.pagination import paginate

from kernel.kit import AuthedRequest, Cursors

from . import selectors
from .schemas import AuditEventOut

router = Router(tags=["审计日志"])


@router.get("/events", response=list[AuditEventOut], summary="审计日志（区安委办、管理员；游标分页）")
@paginate(Cursors, ordering=("-at", "-id"), page_size=100)
def event_list(
    request: AuthedRequest,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> object:
    return selectors.audit_events(
        principal=request.auth, action=action, object_type=object_type, object_id=object_id
    )
