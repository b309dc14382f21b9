"""``/console/photos/<sha256>/?variant=original|phone|list``: an evidence photo for a signed-in browser.

The API's ``GET /api/v1/photos/{sha256}`` reads a bearer token, which a page's ``<img>`` does not send;
this view serves the same files under the same rule (:func:`checklists.selectors.photo_visible`:
evidence for something the user may see, else 404) through the same answer (``media.responses``)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from checklists.selectors import photo_visible
from media.responses import VARIANTS, photo_response

from ..access import ConsoleRequest, console_view


@require_safe
@console_view
def photo(request: ConsoleRequest, sha256: str) -> HttpResponse:
    variant = request.GET.get("variant", "original")
    if variant not in VARIANTS:
        raise Http404("没有这种照片尺寸")
    found = photo_visible(principal=request.principal, sha256=sha256.lower())
    return photo_response(found, variant)
