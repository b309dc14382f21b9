"""The console's own pages: login, logout, home. Page families live in their own modules."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.throttling import AnonRateThrottle

from kernel.errors import RateLimited

from .. import services
from ..access import ConsoleRequest, console_view, error_context, render_error


class ConsoleLoginView(LoginView):
    """Django's login (``username``, ``password``, CSRF); django-axes counts failures as for the API."""

    template_name = "console/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The login rate per address of POST /api/v1/auth/token, on the same counter: one budget for both.
        if not AnonRateThrottle(settings.FIELDSCORE_LOGIN_RATE).allow_request(request):
            return render_error(request, RateLimited())
        return super().post(request, *args, **kwargs)


class ConsoleLogoutView(LogoutView):
    """POST only (Django's rule): a link cannot sign anyone out."""

    next_page = "console:login"


def lockout(request: HttpRequest) -> HttpResponse:
    """django-axes' answer to a locked-out console login (``backend.lockout`` routes it here)."""
    error = RateLimited("登录失败次数过多，账号已临时锁定，请稍后再试", code="login_locked")
    return render(request, "console/login_locked.html", {"error": error_context(error)}, status=error.status)


@console_view
def home(request: ConsoleRequest) -> HttpResponse:
    boards = services.scoreboard_catalogue(principal=request.principal, year=None, unit_kind=None)
    return render(request, "console/home.html", {"boards": boards})
