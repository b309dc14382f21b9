"""Rural sewage rates: the 双60 treatment rate and the normal-operation rate per town and district."""

from django.http import HttpRequest
from ninja import Query, Router

from kernel.kit import Day, Id

from . import services
from .schemas import RatesOut, TownRateDetailOut

router = Router(tags=["农村生活污水"])


@router.get(
    "/sewage/rates",
    response=RatesOut,
    exclude_unset=True,  # "district" is absent, not null, for town roles
    summary="治理率（双60）与设施正常运行率：各区镇与全区，可查任一日期",
)
def rates(request: HttpRequest, on: Day | None = Query(None, description="截至日期（默认今天）")) -> object:
    return services.rates(principal=request.auth, on=on)


@router.get(
    "/sewage/rates/towns/{town_id}",
    response=TownRateDetailOut,
    summary="区镇明细：每个行政村、自然村与设施如何计入两项比率",
)
def town_rates(
    request: HttpRequest, town_id: Id, on: Day | None = Query(None, description="截至日期（默认今天）")
) -> object:
    return services.town_detail(principal=request.auth, town_id=town_id, on=on)
