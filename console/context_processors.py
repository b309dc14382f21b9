"""What the base template needs on every console page: the navigation and who is signed in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kernel.access import ROLE_LABELS

from .navigation import nav_for


def console(request: HttpRequest) -> dict[str, Any]:
    principal = getattr(request, "principal", None)
    if principal is None:  # not a console view (admin, login page): nothing to add
        return {}
    return {
        "principal": principal,
        "nav": nav_for(principal, request.path),
        "role_labels": [ROLE_LABELS[r] for r in sorted(principal.roles)],
    }
