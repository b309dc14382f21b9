"""Photo files for console pages: ``GET /api/v1/photos/{sha256}`` for a session.

The API's route reads a bearer token, which a page's ``<img>`` does not send; this view serves the same
files under the same rule (:func:`checklists.selectors.photo_visible`: evidence for something the user may
see, else 404) and the same derivatives (``original`` / ``phone`` / ``list``).
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect

from checklists.selectors import photo_visible

from ..access import ConsoleRequest, console_view

VARIANTS = ("original", "phone", "list")


@console_view
def photo(request: ConsoleRequest, sha256: str) -> HttpResponse:
    variant = request.GET.get("variant", "original")
    if variant not in VARIANTS:
        raise Http404("没有这种照片尺寸")
    found = photo_visible(principal=request.principal, sha256=sha256.lower())
    field = {"original": found.file, "phone": found.thumb_phone, "list": found.thumb_list}[variant]
    pending = not field
    field = field or found.file  # derivatives not made yet: the original serves meanwhile
    try:
        field.path  # noqa: B018 - raises on storages without a local path
    except NotImplementedError:  # object storage: a signed, expiring URL
        response: HttpResponse = HttpResponseRedirect(field.url)
    else:
        content_type = found.content_type if pending or variant == "original" else "image/jpeg"
        try:
            handle = field.open("rb")
        except FileNotFoundError as exc:  # the row outlived its file (a restore without media)
            raise Http404("照片文件缺失") from exc
        response = FileResponse(handle, content_type=content_type)  # type: ignore[assignment]
    response["Cache-Control"] = "private, max-age=86400"
    return response
