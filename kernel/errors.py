"""The one error family of the API and how it is rendered.

Every error leaves the API as ``{"code": str, "message": str, "details": {...}}`` with a 4xx status:
``code`` is stable and machine-readable, ``message`` is zh-Hans for people, ``details`` names the
offending field(s). A dependency that is down or busy (database, cache, broker) is a 503 with
``Retry-After``: ``kernel.unavailable`` tells which exceptions mean that, here and outside the API.
Services raise these; ``install_exception_handlers`` maps them (and ninja's and
Django's own exceptions) to that shape. This module imports no app code so every app may raise them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)


class ApplicationError(Exception):
    status = 400
    code = "bad_request"
    message = "请求无效"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        self.message = message or self.message
        self.code = code or self.code
        self.details = details or {}
        if status is not None:
            self.status = status
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class Unauthenticated(ApplicationError):
    status, code, message = 401, "unauthenticated", "未登录或登录已失效"


class PermissionDenied(ApplicationError):
    status, code, message = 403, "permission_denied", "无权执行此操作"


class NotFound(ApplicationError):
    status, code, message = 404, "not_found", "对象不存在或不在您的管辖范围内"


class Conflict(ApplicationError):
    status, code, message = 409, "conflict", "与现有数据冲突"


class InvalidInput(ApplicationError):
    status, code, message = 422, "validation_error", "提交的数据未通过校验"


class PayloadTooLarge(ApplicationError):
    status, code, message = 413, "payload_too_large", "请求体过大"


class RateLimited(ApplicationError):
    status, code, message = 429, "rate_limited", "请求过于频繁，请稍后再试"


class ServiceUnavailable(ApplicationError):
    """A dependency (database, cache, broker) is down or busy: 503 with ``Retry-After``, not a bug."""

    status, code, message = 503, "service_unavailable", "服务暂时不可用，请稍后重试"
    retry_after = 30  # seconds; the response's Retry-After header

    def __init__(self, message: str | None = None, *, retry_after: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        if retry_after is not None:
            self.retry_after = retry_after
        self.details.setdefault("retry_after", self.retry_after)


# Pydantic error types → short zh-Hans explanations. Anything not listed falls back to a generic text.
_PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的未知字段",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "uuid_parsing": "应为合法的 UUID",
    "uuid_type": "应为合法的 UUID",
    "datetime_parsing": "应为 ISO 8601 日期时间",
    "datetime_from_date_parsing": "应为 ISO 8601 日期时间",
    "date_parsing": "应为 ISO 8601 日期",
    "date_from_datetime_parsing": "应为 ISO 8601 日期",
    "timezone_aware": "日期时间必须带时区",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "less_than_equal": "数值过大",
    "less_than": "数值过大",
    "greater_than_equal": "数值过小",
    "greater_than": "数值过小",
    "string_too_long": "字符串过长",
    "string_too_short": "字符串过短",
    "too_long": "元素过多",
    "too_short": "元素过少",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为数组",
    "value_error": "取值无效",
}


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    # ninja prefixes locations with the parameter source ("body", "query", "path") and the
    # parameter name of the schema; clients care about the field inside.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
        if parts and parts[0] in {"payload", "data", "body", "filters"}:
            parts = parts[1:]
    return ".".join(parts) or "body"


def validation_details(errors: list[dict[str, Any]]) -> dict[str, Any]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        path = _field_path(err.get("loc", ()))
        text = _PYDANTIC_MESSAGES.get(str(err.get("type", "")), "取值无效")
        if err.get("type") == "value_error" and err.get("msg"):
            # Our own validators raise ValueError with a zh-Hans message; keep it.
            text = str(err["msg"]).removeprefix("Value error, ")
        fields.setdefault(path, []).append(text)
    return {"fields": fields}


# A handler renders through one function; the two groups below are registered in this order.
Render = Callable[["HttpRequest", ApplicationError], "HttpResponse"]
Handlers = list[tuple[type[Exception], Callable[..., "HttpResponse"]]]


def install_exception_handlers(api: NinjaAPI) -> None:
    """Map every exception an API handler can raise to the one error shape."""
    render = _renderer(api)
    for exc_class, handler in (*_server_handlers(render), *_request_handlers(render)):
        # Through ``exception_handler``: ``add_exception_handler`` types the handler's second argument as
        # ``E | type[E]``, yet ninja always passes the instance.
        api.exception_handler(exc_class)(handler)


def _renderer(api: NinjaAPI) -> Render:
    """The one error shape as the API's response, with the headers its status calls for."""

    def render(request: HttpRequest, error: ApplicationError) -> HttpResponse:
        response = api.create_response(request, error.as_dict(), status=error.status)
        if isinstance(error, Unauthenticated):
            response["WWW-Authenticate"] = "Bearer"
        if isinstance(error, ServiceUnavailable):
            response["Retry-After"] = str(error.retry_after)
        return response

    return render


def _server_handlers(render: Render) -> Handlers:
    """Our own errors, the request Django refuses as suspicious, and anything unexpected (a 500 is a
    bug, an outage a 503)."""
    from django.conf import settings
    from django.core.exceptions import RequestDataTooBig, SuspiciousOperation

    def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        return render(request, exc)

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        from kernel.unavailable import log_unavailable, unavailable_error

        unavailable = unavailable_error(exc)
        if unavailable is not None:  # an outage or contention, not a bug: the client retries later
            log_unavailable(unavailable, exc)
            return render(request, unavailable)
        # A 500 is a bug: log it with the traceback, show the client the shape but no internals.
        logger.exception("unhandled error in API handler", exc_info=exc)
        return render(
            request, ApplicationError("服务器内部错误，请联系管理员", code="internal_error", status=500)
        )

    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        if isinstance(exc, RequestDataTooBig):
            return render(
                request, PayloadTooLarge(details={"max_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
            )
        return render(request, ApplicationError("请求无效", code="bad_request"))

    return [
        (Exception, on_unexpected),
        (SuspiciousOperation, on_suspicious),
        (ApplicationError, on_application_error),
    ]


def _request_handlers(render: Render) -> Handlers:
    """ninja's and Django's refusals of a request (validation, HTTP errors, multipart, 404, 403)."""
    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.http import Http404
    from django.http.multipartparser import MultiPartParserError
    from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
    from ninja.errors import ValidationError as NinjaValidationError

    def on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return render(request, InvalidInput(details=validation_details(list(exc.errors))))

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        else:
            fields = {"body": [str(m) for m in exc.messages]}
        return render(request, InvalidInput(details={"fields": fields}))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, AuthenticationError):
            return render(request, Unauthenticated())
        if isinstance(exc, AuthorizationError):
            return render(request, PermissionDenied())
        if isinstance(exc, Throttled):
            return render(request, RateLimited())
        if isinstance(exc.__cause__, ApplicationError):  # our parser's refusal, re-raised by ninja
            return render(request, exc.__cause__)
        text = str(exc)
        if exc.status_code == 400 and text.startswith("Cannot parse request body"):
            return render(request, ApplicationError("请求体不是合法的 JSON", code="invalid_json"))
        return render(request, ApplicationError(text or None, status=exc.status_code, code="http_error"))

    def on_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # No boundary, a broken part, part headers past Django's limit (a 3,000-character file name)…
        return render(
            request,
            ApplicationError(
                "请求体不是合法的 multipart/form-data",
                code="invalid_multipart",
                details={
                    "fields": {"body": ["缺少 boundary、分段损坏或分段头过长（例如文件名过长）"]},
                    "reason": str(exc),
                },
            ),
        )

    def on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
        return render(request, NotFound())

    def on_permission(request: HttpRequest, exc: Exception) -> HttpResponse:
        return render(request, PermissionDenied())

    return [
        (NinjaValidationError, on_validation),
        (DjangoValidationError, on_django_validation),
        (HttpError, on_http_error),
        (MultiPartParserError, on_multipart),
        (Http404, on_404),
        (DjangoPermissionDenied, on_permission),
    ]
