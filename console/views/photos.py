"""``/console/photos/<sha256>/``: an evidence photo for a signed-in browser, as the API's
``GET /api/v1/photos/{sha256}`` serves it to a bearer token: the same visibility selector and the same
file answer (a photo the user may not see is a 404)."""

from __future__ import annotations

from django.http import HttpResponse

from checklists.api.photos import photo_response
from checklists.selectors import photo_visible

from ..access import ConsoleRequest, console_view

VARIANTS = ("original", "phone", "list")


@console_view
def photo(request: ConsoleRequest, sha256: str) -> HttpResponse:
    variant = request.GET.get("variant", "original")
    found = photo_visible(principal=request.principal, sha256=sha256)
    return photo_response(found, variant if variant in VARIANTS else "original")
