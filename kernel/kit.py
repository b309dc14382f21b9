"""Shared API conventions: strict schemas, the bounded input types every router uses (ids, integers,
days, moments, keys), the request parser that refuses text no database can store, ETag'd catalogue
responses, page pagination of catalogues; and the one performance helper the bulk services share (pausing
the garbage collector).

Like ``kernel.errors`` and ``kernel.access``, this module imports no app code, so every app's router
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
from typing import Annotated, Any, Generic, TypeVar

import pydantic_core
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from ninja import Schema
from ninja.pagination import CursorPagination, PageNumberPagination
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    model_validator,
)

from kernel.access import Principal
from kernel.errors import InvalidInput

T = TypeVar("T")


class AuthedRequest(HttpRequest):
    """An annotation only, for handlers behind the API's auth: ninja has set ``request.auth``."""

    auth: Principal


# --- bounded input types ------------------------------------------------------------------------------
# Every integer, date and datetime a client sends is bounded where it is declared, so no value reaches a
# database column, an OFFSET or date arithmetic that cannot hold it (a 20-digit id or page, 9999-12-31
# plus one day, 0001-01-01 in UTC): out of range is a 422 naming the field. tests/backend/test_api_inputs.py
# checks that every operation's inputs use them.

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _not_a_boolean(value: Any) -> Any:
    # JSON true/false are not numbers: lax parsing would make ``"region_id": true`` region 1.
    if isinstance(value, bool):
        raise ValueError("应为整数，不能是 true / false")
    return value


NotABoolean = BeforeValidator(_not_a_boolean)
"""For integer fields with their own bounds: ``Annotated[int, NotABoolean, Field(ge=0, le=100)]``."""

Int64 = Annotated[int, NotABoolean, Field(ge=INT64_MIN, le=INT64_MAX)]
"""Any integer a 64-bit column can hold."""

Id = Annotated[int, NotABoolean, Field(ge=1, le=INT64_MAX)]
"""The id of a stored object (ids start at 1)."""

PageNumber = Annotated[int, NotABoolean, Field(ge=1, le=1_000_000_000)]
"""A page number (from 1); a page past the last is empty."""

FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def _moment_in_range(value: dt.datetime) -> dt.datetime:
    # Far from both ends of what datetime holds, so conversions between UTC and local time and a period's
    # "next day" never overflow.
    if not FIRST_DAY.year <= value.year <= LAST_DAY.year:
        raise ValueError(f"日期时间应在 {FIRST_DAY.year} 年至 {LAST_DAY.year} 年之间")
    return value


Day = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY)]
"""A calendar day between 1900-01-01 and 2999-12-31."""

Moment = Annotated[dt.datetime, AfterValidator(_moment_in_range)]
"""A datetime in the years 1900–2999."""

Key = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
"""A key in a URL path (a scheme, an award): letters, digits, ``_ . -``, at most 64 characters."""


# --- text no database can store ---------------------------------------------------------------------------

BAD_TEXT = "含有不允许的字符（U+0000 或不成对的代理码位）"


def _bad_text(text: str) -> bool:
    # PostgreSQL text and jsonb cannot hold U+0000; a lone surrogate (JSON "\udfff") has no UTF-8 form.
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _printable(text: str) -> str:
    # A field's own name may carry the bad character; name it with U+FFFD in its place.
    if not _bad_text(text):
        return text
    return "".join("\ufffd" if _bad_text(c) else c for c in text)


def _bad_text_paths(value: Any, path: str, found: list[str]) -> None:
    if isinstance(value, str):
        if _bad_text(value):
            found.append(path or "body")
    elif isinstance(value, dict):
        for k, v in value.items():
            key = str(k)
            child = f"{path}.{_printable(key)}" if path else _printable(key)
            if _bad_text(key):
                found.append(child)
            else:
                _bad_text_paths(v, child, found)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _bad_text_paths(v, f"{path}.{i}" if path else str(i), found)


def _refuse_bad_text(value: Any) -> None:
    found: list[str] = []
    _bad_text_paths(value, "", found)
    if found:
        raise InvalidInput(details={"fields": {path: [BAD_TEXT] for path in found}})


def _text_of(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return value.name or ""
    if isinstance(value, list):
        return [_text_of(v) for v in value]
    return value


class TextCheckingParser(Parser):
    """ninja's parser for JSON bodies, query strings, form fields and upload file names, refusing text
    that contains U+0000 or a lone surrogate with a 422 naming the field — once here, for every endpoint,
    so no such text reaches a query or a column (PostgreSQL refuses both; UTF-8 has no lone surrogate).
    Path parameters are typed (:data:`Id`, :data:`Key`, UUIDs, patterns) and cannot carry them."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        _refuse_bad_text(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        parsed = super().parse_querydict(data, list_fields, request)
        _refuse_bad_text({k: _text_of(v) for k, v in parsed.items()})
        return parsed


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


def json_response(data: Any) -> HttpResponse:
    """``data`` — plain dicts, lists, text, numbers, dates, and datetimes already written as text (see
    ``local_moment``) — as JSON with the API's content type, written by pydantic-core's encoder: the same
    JSON values as the API's renderer (parsed, they are equal, floats exactly; only the spacing and a float's
    exponent style differ), at a fifth of the cost. For answers already in their response schema's shape,
    where having pydantic validate and dump hundreds of rows again costs more than the reads (the upstream
    answer). Anything else is written by the renderer's encoder."""
    content = pydantic_core.to_json(data, fallback=Renderer.encoder_class().default)
    return HttpResponse(content, content_type=f"{Renderer.media_type}; charset={Renderer.charset}")


def local_moment(value: dt.datetime | None) -> str | None:
    """A datetime as the API's renderer writes it (aware: in the configured zone, ``…+08:00``)."""
    return None if value is None else LocalTimeJSONEncoder().default(value)


def dumps(data: Any) -> str:
    return json.dumps(data, cls=LocalTimeJSONEncoder, ensure_ascii=False, sort_keys=True)


class StrictSchema(Schema):
    """Input schema that refuses unknown fields (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: Any) -> Any:
        # Input is parsed JSON (dicts and lists), validated once as plain pydantic would. ninja's own
        # wrapper (replaced here, same name) validates an extra="forbid" schema twice — once more through
        # its DjangoGetter, which only ORM objects need — and each nested schema again in each pass: a
        # 50-answer inspection ran it 141 times.
        return handler(values)


class Page(Schema, Generic[T]):
    items: list[T] = Field(description="本页数据")
    count: int = Field(description="符合条件的总条数")
    page: int = Field(description="页码（从 1 开始）")
    page_size: int = Field(description="每页条数")


class Pages(PageNumberPagination):
    """ninja's page pagination with bounded ``page`` and ``page_size`` (an unbounded page number reached
    the database as an OFFSET no integer column holds)."""

    class Input(Schema):
        page: PageNumber = Field(1, description="页码（从 1 开始）")
        page_size: Annotated[int, NotABoolean, Field(ge=1, le=1_000_000)] | None = Field(
            None, description="每页条数（超过该列表的上限时按上限）"
        )


class Cursors(CursorPagination):
    """ninja's cursor pagination with a bounded ``page_size``."""

    class Input(Schema):
        page_size: Annotated[int, NotABoolean, Field(ge=1, le=1_000_000)] | None = Field(
            None, description="每页条数（超过该列表的上限时按上限）"
        )
        cursor: str | None = Field(None, max_length=512, description="上一页返回的 next / previous")


def page_of(qs: QuerySet[Any], *, page: int, page_size: int) -> tuple[list[Any], int]:
    count = qs.count()
    start = (page - 1) * page_size
    return list(qs[start : start + page_size]), count


def etag_matches(header: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names this tag (weak or strong, or ``*``)."""
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
    if inm and etag_matches(inm, etag):
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
