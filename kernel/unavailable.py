"""When a dependency is down or busy: which exceptions mean that, and their answer everywhere.

A database, cache (Redis) or broker that cannot be reached, or a database lock not obtained in time, is
not a bug: the answer is 503 in the API's error shape with ``Retry-After``, logged on one line. The API's
handler (``kernel.errors``) asks :func:`unavailable_error`; :class:`UnavailableMiddleware` answers for
views outside ninja and for exceptions that escape it (the login throttle's cache); :func:`server_error`
(``handler500``) for exceptions raised in middleware, such as reading a session with the database down.
Anything else stays a 500, in the same JSON shape.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from kernel.errors import ApplicationError, ServiceUnavailable

logger = logging.getLogger(__name__)

# SQLite's OperationalError also stands for bugs ("no such table"): only these mean "try again later".
_SQLITE_BUSY = ("database is locked", "database table is locked")
_SQLITE_DOWN = ("unable to open database file", "disk i/o error")
# PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html). Busy:
# serialization failure, deadlock, lock not available, statement timeout. Down: connection exception,
# insufficient resources, shutdown / cannot connect now, system error. Other operational errors (e.g.
# 54000 "index row size exceeds maximum") come from the request and stay 500s to be fixed.
_PG_BUSY = ("40001", "40P01", "55P03", "57014")
_PG_DOWN = ("08", "53", "57P", "58")


def unavailable_error(exc: BaseException) -> ServiceUnavailable | None:
    """The 503 an exception stands for when it means a dependency is down or busy; else ``None``.

    Looks through the exception's causes: Django wraps the driver's error, kombu wraps Redis'.
    """
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, InterfaceError):  # "connection already closed"
            return _database_down()
        if isinstance(current, OperationalError):
            return _database_error(current)
        if isinstance(current, BrokerError):
            return ServiceUnavailable(
                "任务队列暂时不可用，请稍后重试", code="broker_unavailable",
                details={"service": "broker"}, retry_after=settings.FIELDSCORE_RETRY_AFTER_UNAVAILABLE,
            )  # fmt: skip
        if isinstance(current, RedisConnectionError | RedisTimeoutError):
            return ServiceUnavailable(
                "缓存服务（Redis）暂时不可用，请稍后重试", code="cache_unavailable",
                details={"service": "cache"}, retry_after=settings.FIELDSCORE_RETRY_AFTER_UNAVAILABLE,
            )  # fmt: skip
        current = current.__cause__ or current.__context__
    return None


def _database_error(exc: BaseException) -> ServiceUnavailable | None:
    cause = exc.__cause__
    if type(cause).__module__.startswith("sqlite3"):
        text = str(exc).lower()
        if text.startswith(_SQLITE_BUSY):
            return _database_busy()
        return _database_down() if text.startswith(_SQLITE_DOWN) else None
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:  # no answer from the server at all: refused, reset, closed
        return _database_down()
    if sqlstate in _PG_BUSY:
        return _database_busy()
    return _database_down() if str(sqlstate).startswith(_PG_DOWN) else None


def _database_down() -> ServiceUnavailable:
    return ServiceUnavailable(
        "数据库暂时不可用，请稍后重试", code="database_unavailable",
        details={"service": "database"}, retry_after=settings.FIELDSCORE_RETRY_AFTER_UNAVAILABLE,
    )  # fmt: skip


def _database_busy() -> ServiceUnavailable:
    return ServiceUnavailable(
        "数据库繁忙，请稍后重试", code="database_busy",
        details={"service": "database"}, retry_after=settings.FIELDSCORE_RETRY_AFTER_BUSY,
    )  # fmt: skip


def log_unavailable(error: ServiceUnavailable, exc: BaseException) -> None:
    # One line, no traceback: an outage answers many requests, all for the same reason.
    first_line = (str(exc).strip().splitlines() or [""])[0]
    logger.warning("%s: %s: %s", error.code, type(exc).__name__, first_line)


def error_response(error: ApplicationError) -> JsonResponse:
    response = JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})
    if isinstance(error, ServiceUnavailable):
        response["Retry-After"] = str(error.retry_after)
    return response


class UnavailableMiddleware:
    """A view's "database / cache / broker unavailable" exception → the 503 error shape."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        error = unavailable_error(exception)
        if error is None:
            return None  # a bug: Django logs it and answers with server_error below
        log_unavailable(error, exception)
        return error_response(error)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``. Django calls it while handling the exception, so ``sys.exc_info`` holds it."""
    exc = sys.exc_info()[1]
    error: ApplicationError | None = unavailable_error(exc) if exc is not None else None
    if error is None:
        error = ApplicationError("服务器内部错误，请联系管理员", code="internal_error", status=500)
    return error_response(error)
