"""Scoreboards: the ranking, reverse ranking (逆序), publication and the 通报 table exports."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from kernel.kit import Id, Key

from .. import exports, selectors, services
from ..schemas import (
    AppealDecisionIn,
    AppealOut,
    ScoreboardContentOut,
    ScoreboardEntryOut,
    ScoreboardOut,
)

router = Router()

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How OpenAPI names a table download (xlsx, or csv with format=csv): a file, not JSON.
TABLE_CONTENT = {XLSX_TYPE: {}, "text/csv": {}}


@router.get(
    "/scoreboards",
    response=list[ScoreboardEntryOut],
    summary="考核结果目录：有哪些考核方案、各自处于草稿 / 公示 / 发布哪一步（区镇只看已公开的）",
)
def scoreboard_list(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100, description="考核年度"),
    unit_kind: str | None = Query(
        None, pattern="^(town|department|enterprise)$", description="town / department / enterprise"
    ),
) -> object:
    return selectors.scoreboard_catalogue(principal=request.auth, year=year, unit_kind=unit_kind)


@router.get(
    "/scoreboards/{scheme_key}",
    response=ScoreboardOut,
    summary="考核排名（区级可看草稿；其他用户看正式发布结果）",
)
def scoreboard(
    request: HttpRequest,
    scheme_key: Key,
    reverse: bool = Query(False, description="逆序：最差的排在前面"),
    status: str | None = Query(None, pattern="^(draft|final)$", description="draft / final"),
) -> object:
    board = selectors.scoreboard_for(principal=request.auth, scheme_key=scheme_key, status=status)
    rows = selectors.ranked_rows(board, reverse=reverse)
    return {**ScoreboardOut.from_orm(board).model_dump(exclude={"rows"}), "rows": rows}


@router.get(
    "/scoreboards/{scheme_key}/content",
    response=ScoreboardContentOut,
    summary="核验内容摘要：结果与方案原文（SHA-256 按 README 所述的规范 JSON 计算）",
)
def content(
    request: HttpRequest,
    scheme_key: Key,
    status: str | None = Query(None, pattern="^(draft|final)$", description="draft / final"),
) -> object:
    board = selectors.scoreboard_for(principal=request.auth, scheme_key=scheme_key, status=status)
    return {"content_hash": board.content_hash, "rows": board.rows, "scheme": board.scheme_document}


@router.post("/scoreboards/{scheme_key}/notice", response=ScoreboardOut, summary="公示：区镇可在申诉期内申诉")
def notice(request: HttpRequest, scheme_key: Key) -> object:
    return services.scoreboard_notice(principal=request.auth, scheme_key=scheme_key)


@router.post(
    "/scoreboards/{scheme_key}/publish",
    response=ScoreboardOut,
    summary="正式发布（申诉已处理，内容与公示一致）",
)
def publish(request: HttpRequest, scheme_key: Key) -> object:
    return services.scoreboard_publish(principal=request.auth, scheme_key=scheme_key)


# Filing and listing appeals (POST / GET /scoreboards/{scheme_key}/appeals) live in the checklists
# router: the evidence an appeal names is vetted against what the photos prove.


@router.post("/appeals/{appeal_id}/decide", response=AppealOut, summary="区安委办书面处理申诉")
def appeal_decide(request: HttpRequest, appeal_id: Id, payload: AppealDecisionIn) -> object:
    return services.appeal_decide(principal=request.auth, appeal_id=appeal_id, **payload.dict())


@router.get(
    "/scoreboards/{scheme_key}/export",
    summary="导出通报表（Excel 或 CSV）",
    openapi_extra={"responses": {200: {"description": "通报表", "content": TABLE_CONTENT}}},
)
def export(
    request: HttpRequest,
    scheme_key: Key,
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
            content_type=XLSX_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="{scheme_key}-{board.status}.{format}"'
    return response
