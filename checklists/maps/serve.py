"""One tile answer for every door: the API route (bearer token) and the console's map (session) both
call :func:`tile_response`, so scope, ``ETag`` / 304 and ``Cache-Control`` cannot drift apart."""

from __future__ import annotations

from django.http import HttpResponse

from kernel.access import Principal
from kernel.kit import etag_matches

from . import tiles


def tile_response(
    *,
    principal: Principal,
    layer: str,
    z: int,
    x: int,
    y: int,
    month: str | None,
    datum: str | None,
    if_none_match: str | None,
) -> HttpResponse:
    req = tiles.tile_request(principal=principal, layer=layer, z=z, x=x, y=y, month=month, datum=datum)
    etag = tiles.tile_etag(req)
    if if_none_match and etag_matches(if_none_match, etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(tiles.tile_render(req), content_type=tiles.mvt.MEDIA_TYPE)
    response["ETag"] = etag
    response["Cache-Control"] = f"private, max-age={tiles.MAX_AGE}"
    return response
