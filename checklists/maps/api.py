"""``GET /api/v1/geo/tiles/{layer}/{z}/{x}/{y}.pbf``: Mapbox Vector Tiles of the map layers."""

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router

from . import serve
from .sources import LAYERS

router = Router(tags=["地图"])

_DESCRIPTION = (
    "Mapbox Vector Tile（`application/vnd.mapbox-vector-tile`，extent 4096，buffer 64，图层名即 `layer`，"
    "要素 id 为对象编号）。按调用者的管辖范围过滤：区镇账号只见本镇的要素，区级角色与规划（planner）"
    "见全区。带 `ETag` 与 `Cache-Control: private, max-age=60`，`If-None-Match` 命中时答 304；图层数据、"
    "调用者范围或（断面图层的）月份变化时 ETag 随之变化。瓦片内没有要素时答 200 与空内容（0 字节，"
    "即没有图层的合法 MVT）。`datum=gcj02` 时几何按 GCJ-02 偏移（叠加高德、腾讯底图用），默认 WGS-84。"
    "未知图层答 404（`unknown_layer`），z/x/y 超出范围答 422 并指明字段。\n\n"
    "各图层属性：\n\n" + "\n".join(f"- `{name}`：{layer.description}" for name, layer in LAYERS.items())
)


@router.get(
    "/{layer}/{z}/{x}/{y}.pbf",
    summary="地图矢量瓦片",
    operation_id="map_tile",
    description=_DESCRIPTION,
    response={200: None, 304: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "MVT 瓦片（可能为空）",
                "content": {
                    "application/vnd.mapbox-vector-tile": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def tile(
    request: HttpRequest,
    layer: str = Path(..., pattern=r"^[a-z_]{1,32}$"),
    z: int = Path(..., ge=0, le=2**31),
    x: int = Path(..., ge=0, le=2**62),
    y: int = Path(..., ge=0, le=2**62),
    month: str | None = Query(None, max_length=16, description="断面图层的月份 YYYY-MM（默认本月）"),
    datum: str | None = Query(None, max_length=8, description="几何的坐标系：wgs84（默认）或 gcj02"),
) -> HttpResponse:
    return serve.tile_response(
        principal=request.auth,
        layer=layer,
        z=z,
        x=x,
        y=y,
        month=month,
        datum=datum,
        if_none_match=request.headers.get("If-None-Match"),
    )
