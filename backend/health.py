"""Liveness (/healthz: the process answers) and readiness (/readyz: database and broker reachable).

Anyone (a load balancer) learns whether each dependency is ``ok`` or ``unavailable``; what failed — the
driver's error text, with host and port — goes to the log, and to administrators who ask with an admin
bearer token or a staff session.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # report, never raise: this endpoint is for load balancers
        return f"{type(exc).__name__}: {exc}"
    return None


def _check_broker() -> str | None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    from backend.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _is_admin(request: HttpRequest) -> bool:
    """An admin's bearer token or a staff session; never raises (the database may be what is down)."""
    from accounts.services import principal_from_token

    try:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            return principal_from_token(raw=header[7:].strip(), ip=request.META.get("REMOTE_ADDR")).is_admin
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and (user.is_staff or user.is_superuser))
    except Exception:
        return False


def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "broker": _check_broker()}
    for name, problem in checks.items():
        if problem is not None:
            logger.warning("readyz: %s unavailable: %s", name, problem)
    ok = all(v is None for v in checks.values())
    detailed = not ok and _is_admin(request)
    body = {
        "status": "ok" if ok else "unavailable",
        "checks": {k: "ok" if v is None else (v if detailed else "unavailable") for k, v in checks.items()},
        "celery": "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "broker",
    }
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})
