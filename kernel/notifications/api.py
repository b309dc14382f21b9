from ninja import Router
from ninja.pagination import paginate

from kernel.kit import AuthedRequest, Cursors

from . import selectors
from .schemas import DeliveryOut

router = Router(tags=["消息通知"])


@router.get("/deliveries", response=list[DeliveryOut], summary="通知投递记录（区安委办、管理员；游标分页）")
@paginate(Cursors, ordering=("-created_at", "-id"), page_size=100)
def delivery_list(request: AuthedRequest, status: str | None = None, event: str | None = None) -> object:
    return selectors.deliveries(principal=request.auth, status=status, event=event)
