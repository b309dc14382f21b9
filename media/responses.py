"""A stored photo's file as an HTTP answer: the API's ``GET /photos/{sha256}`` and the console's photo view
both serve visible photos through here (the caller has already applied the visibility rule)."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse, HttpResponseRedirect

from kernel.errors import NotFound

from .models import Photo

VARIANTS = ("original", "phone", "list")


def photo_response(photo: Photo, variant: str) -> HttpResponse:
    """The ``original`` / ``phone`` / ``list`` file; while a derivative is not made yet the original serves
    (``X-Derivative-Pending: 1``); on object storage a signed, expiring redirect. A row whose file is gone
    (a restore without media) is a 404, not a 500."""
    field = {"original": photo.file, "phone": photo.thumb_phone, "list": photo.thumb_list}[variant]
    pending = not field
    field = field or photo.file  # derivatives not made yet: the original serves meanwhile
    try:
        field.path  # noqa: B018 - raises on storages without a local path
    except NotImplementedError:  # object storage: a signed, expiring URL
        response: HttpResponse = HttpResponseRedirect(field.url)
    else:
        content_type = photo.content_type if pending or variant == "original" else "image/jpeg"
        try:
            handle = field.open("rb")
        except FileNotFoundError as exc:
            raise NotFound("照片文件缺失", details={"sha256": photo.sha256}) from exc
        response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    if pending:
        response["X-Derivative-Pending"] = "1"
    return response
