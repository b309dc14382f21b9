"""Scoreboards: the ranking, reverse ranking (逆序), publication and the 通报 table exports."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from . import exports, selectors, services
from .schemas import ScoreboardOut

router = Router(tags=["考核结果"])


@router.get(
    "/scoreboards/{scheme_key}",
    response=ScoreboardOut,
    summary="考核排名（区级可看草稿；其他用户看正式发布结果）",
)
def scoreboard(
    request: HttpRequest,
    scheme_key: str,
    reverse: bool = Query(False, description="逆序：最差的排在前面"),
    status: str | None = Query(None, pattern="^(draft|final)$", description="draft / final"),
) -> object:
    board = selectors.scoreboard_for(principal=request.auth, scheme_key=scheme_key, status=status)
    rows = sorted(board.rows.all(), key=lambda r: (r.reverse_rank if reverse else r.rank, r.region_id))
    return {**ScoreboardOut.from_orm(board).model_dump(exclude={"rows"}), "rows": rows}


@router.post(
    "/scoreboards/{scheme_key}/publish",
    response=ScoreboardOut,
    summary="正式发布（冻结内容并记录摘要与发布人）",
)
def publish(request: HttpRequest, scheme_key: str) -> object:
    return services.scoreboard_publish(principal=request.auth, scheme_key=scheme_key)


@router.get("/scoreboards/{scheme_key}/export", summary="导出通报表（Excel 或 CSV）")
def export(
    request: HttpRequest,
    scheme_key: str,
    format: str = Query("xlsx", pattern="^(xlsx|csv)$", description="xlsx / csv"),
    reverse: bool = Query(False, description="逆序"),
    status: str | None = Query(None, pattern="^(draft|final)$", description="draft / final"),
) -> HttpResponse:
    board = selectors.scoreboard_for(principal=request.auth, scheme_key=scheme_key, status=status)
    if format == "csv":
        response = HttpResponse(
            exports.to_csv(board, reverse=reverse), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exports.to_xlsx(board, reverse=reverse),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{scheme_key}-{board.status}.{format}"'
    return response
