"""Shared API conventions: strict schemas, ETag'd catalogue responses, page pagination of catalogues;
and the one performance helper the bulk services share (pausing the garbage collector).

Like ``backend.errors`` and ``backend.access``, this module imports no app code, so every app's router
may use it.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Schema
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


def decimal_text(value: Decimal) -> str:
    """A Decimal as people write it: positional, its places kept (``100.00``), never exponent notation
    (``str(Decimal("1E+2"))`` is ``"1E+2"``, which a client must not have to parse)."""
    return format(value, "f")


class LocalTimeJSONEncoder(NinjaJSONEncoder):
    """Aware datetimes in the configured zone (Asia/Shanghai: ``…+08:00``), as people here read them;
    Decimals as plain text (:func:`decimal_text`)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime) and timezone.is_aware(o):
            return timezone.localtime(o).isoformat()
        if isinstance(o, Decimal):
            return decimal_text(o)
        return super().default(o)


class Renderer(JSONRenderer):
    encoder_class = LocalTimeJSONEncoder
    # Chinese text as UTF-8, not \uXXXX escapes: fewer bytes on a phone's link, and readable.
    json_dumps_params = {"ensure_ascii": False}


def dumps(data: Any) -> str:
    return json.dumps(data, cls=LocalTimeJSONEncoder, ensure_ascii=False, sort_keys=True)


class StrictSchema(Schema):
    """Input schema that refuses unknown fields (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class Page(Schema, Generic[T]):
    items: list[T] = Field(description="本页数据")
    count: int = Field(description="符合条件的总条数")
    page: int = Field(description="页码（从 1 开始）")
    page_size: int = Field(description="每页条数")


def page_of(qs: QuerySet[Any], *, page: int, page_size: int) -> tuple[list[Any], int]:
    count = qs.count()
    start = (page - 1) * page_size
    return list(qs[start : start + page_size]), count


def _etag_matches(header: str, etag: str) -> bool:
    candidates = {c.strip().removeprefix("W/") for c in header.split(",")}
    return "*" in candidates or etag in candidates


def conditional_json(request: HttpRequest, payload: BaseModel | dict[str, Any]) -> HttpResponse:
    """200 with a strong ETag, or an empty 304 when the client already holds this exact content.

    The tag is the SHA-256 of the canonical JSON, so it changes exactly when the content does: a phone
    on a slow link re-downloads a catalogue only after something in it changed.
    """
    data = payload.model_dump() if isinstance(payload, BaseModel) else payload
    body = dumps(data).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    inm = request.headers.get("If-None-Match")
    if inm and _etag_matches(inm, etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@contextmanager
def collector_paused() -> Iterator[None]:
    """For services that build many thousands of short, acyclic objects at once (a district's rates,
    a 1,000-unit scoreboard): the garbage collector's passes over them free nothing and cost up to a
    third of the time. Reference counting still frees everything; the collector resumes afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
