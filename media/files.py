"""Serving a stored photo: the one way every door (the API, the console) answers with a photo's file."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse, HttpResponseRedirect

from .models import Photo

VARIANTS = ("original", "phone", "list")


def photo_response(photo: Photo, variant: str = "original") -> HttpResponse:
    """The photo's file (``variant``: original / phone / list thumbnail) from local storage, or a redirect
    to a signed, expiring URL on object storage. A derivative not made yet is served by the original
    meanwhile (``X-Derivative-Pending: 1``). The caller has already decided the photo may be seen."""
    field = {"original": photo.file, "phone": photo.thumb_phone, "list": photo.thumb_list}[variant]
    pending = not field
    field = field or photo.file  # derivatives not made yet: the original serves meanwhile
    try:
        field.path  # noqa: B018 - raises on storages without a local path
    except NotImplementedError:  # object storage: a signed, expiring URL
        response: HttpResponse = HttpResponseRedirect(field.url)
    else:
        content_type = photo.content_type if pending or variant == "original" else "image/jpeg"
        response = FileResponse(field.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    if pending:
        response["X-Derivative-Pending"] = "1"
    return response
