"""What the checklists routers share: If-Match / ETag, photo uploads, table downloads."""

import re
from datetime import datetime
from typing import Annotated

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Path
from ninja.files import UploadedFile

from kernel.errors import ApplicationError, PayloadTooLarge

from ..services import evidence as evidence_services

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How OpenAPI names a table download (xlsx, or csv with format=csv): a file, not JSON.
TABLE_CONTENT = {XLSX_TYPE: {}, "text/csv": {}}

# A photo is addressed by the SHA-256 of its bytes (64 hex digits).
Sha256 = Annotated[str, Path(pattern=r"^[0-9A-Fa-f]{64}$")]

_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def _if_match(request: HttpRequest) -> int | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    m = _IF_MATCH.match(header)
    if not m:
        raise ApplicationError(
            'If-Match 应为版本号，例如 "3"', code="invalid_if_match", details={"If-Match": header}
        )
    return int(m.group(1))


def _etag(response: HttpResponse, version: int) -> None:
    response["ETag"] = f'"{version}"'


def _device_meta(
    lon: float | None, lat: float | None, datum: str, accuracy_m: float | None, captured_at: datetime | None
) -> evidence_services.DevicePhotoMeta:
    return evidence_services.DevicePhotoMeta(
        lon=lon, lat=lat, datum=datum, accuracy_m=accuracy_m, captured_at=captured_at
    )


def _read_photo(file: UploadedFile) -> bytes:
    if file.size is not None and file.size > settings.PHOTO_MAX_BYTES:
        raise PayloadTooLarge("照片过大", details={"max_bytes": settings.PHOTO_MAX_BYTES})
    return file.read()
