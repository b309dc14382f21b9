"""The console's own pages: login, logout, home. Page families live in their own modules."""

from __future__ import annotations

from django.contrib.auth.views import LoginView, LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kernel.errors import RateLimited

from . import services
from .access import ConsoleRequest, console_view, error_context


class ConsoleLoginView(LoginView):
    """Django's login (``username``, ``password``, CSRF); django-axes counts failures as for the API."""

    template_name = "console/login.html"
    redirect_authenticated_user = True


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


@console_view
def scoreboards(request: ConsoleRequest) -> HttpResponse:
    boards = services.scoreboard_catalogue(principal=request.principal, year=None, unit_kind=None)
    return render(request, "console/scoreboards.html", {"boards": boards})
