"""Sets the request context and guarantees every state-changing request leaves an audit event.

Services record precise events (with before/after) inside their transactions. A state-changing request
that recorded none — a refused one (4xx), or a back-office form — still gets one request-level event
here, so nobody can try something and leave no trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import context

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class AuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = context.RequestContext(
            method=request.method or "",
            path=request.get_full_path(),
            ip=request.META.get("REMOTE_ADDR") or None,
        )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ctx.actor_id, ctx.actor_username = user.pk, user.get_username()
        token = context.activate(ctx)
        try:
            response = self.get_response(request)
            # A 503 is an outage (or a database busy past its lock timeout), not a refused attempt:
            # writing its event would wait for, or fail on, the same database.
            if (
                ctx.method not in SAFE_METHODS
                and response.status_code != 503
                and (ctx.events_recorded == 0 or response.status_code >= 400)
            ):
                self._record_request(ctx, response.status_code)
            response["X-Request-ID"] = ctx.request_id
            return response
        finally:
            context.deactivate(token)

    @staticmethod
    def _record_request(ctx: context.RequestContext, status_code: int) -> None:
        from .services import audit_record

        try:
            audit_record(action="request", status_code=status_code)
        except Exception:  # the response is already decided; never turn it into a 500
            logger.exception("could not write the request-level audit event")
