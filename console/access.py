"""Who is asking, for pages: session login, ``request.principal``, and service errors as pages.

Wrap every console view in :func:`console_view`::

    @console_view
    def water(request: ConsoleRequest) -> HttpResponse:
        rows = services.water_overview(principal=request.principal)
        return render(request, "console/water.html", {"rows": rows})

Class-based views inherit :class:`ConsoleViewMixin` instead. An anonymous visitor is sent to the login
page (and back afterwards). The principal is the API's, built once per request from the same role
grants, so scope is the same: a service's ``NotFound``
(outside scope, or absent) becomes Django's 404 page, any other ``ApplicationError`` a page showing the
service's own zh-Hans message with its status code. A page that wants to show an error next to its form
catches the error itself and renders :func:`error_context` into its template.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from kernel.access import Principal
from kernel.errors import ApplicationError, NotFound

from . import services


class ConsoleRequest(HttpRequest):
    """The request a console view receives: signed in, with the caller's principal."""

    principal: Principal


View = Callable[..., HttpResponse]


def console_view(view: View) -> View:
    """Login required (→ the login page), ``request.principal`` set, services' errors as pages."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        console_request = cast(ConsoleRequest, request)
        console_request.principal = services.principal_for(request.user)
        try:
            return view(console_request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except ApplicationError as exc:
            return render_error(console_request, exc)

    return wrapper


def error_context(exc: ApplicationError) -> dict[str, Any]:
    """What templates show of a service's error: its message, code and the offending fields."""
    return {"message": exc.message, "code": exc.code, "fields": exc.details.get("fields", {})}


def render_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return render(request, "console/error.html", {"error": error_context(exc)}, status=exc.status)


class ConsoleViewMixin:
    """:func:`console_view` for class-based views: ``class WaterPage(ConsoleViewMixin, TemplateView)``."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return console_view(super().dispatch)(request, *args, **kwargs)  # type: ignore[misc]
