"""The 每旬 reverse ranking of towns (65号 item 38) and its history."""

from django.http import HttpRequest
from ninja import Query, Router

from kernel.kit import Day

from . import schemes, selectors
from .schemas import DekadHistoryOut, DekadRankingOut

router = Router(tags=["区镇排名"])

SCHEME = Query(
    schemes.DEFAULT_KEY, description="排名方案键（scoring/schemes/dekad/ 或区办公室自己的同名文件）"
)


@router.get(
    "/rankings/dekad",
    response=DekadRankingOut,
    summary="每旬区镇逆序排名（空气、降尘、省考断面水质；最差在前）",
)
def dekad_ranking(
    request: HttpRequest, on: Day = Query(..., description="该旬内任一日期"), scheme: str = SCHEME
) -> object:
    return selectors.dekad_ranking(principal=request.auth, on=on, scheme_key=scheme)


@router.get(
    "/rankings/dekad/history",
    response=DekadHistoryOut,
    summary="各旬逆序排名与持续靠后的区镇（约谈候选；最多 108 旬）",
)
def dekad_history(
    request: HttpRequest,
    first: Day = Query(..., alias="from", description="起始日期（所在旬起）"),
    last: Day = Query(..., alias="to", description="截止日期（所在旬止）"),
    scheme: str = SCHEME,
) -> object:
    return selectors.dekad_history(principal=request.auth, first=first, last=last, scheme_key=scheme)
