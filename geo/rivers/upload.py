"""An uploaded river file → a temporary file GDAL can open → ``river_network_import``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile

from kernel.access import Principal

from .. import boundary_file as bf
from .services import river_network_import

MAX_BYTES = 200 * 1024 * 1024


def river_network_upload(
    *,
    principal: Principal,
    data: UploadedFile,
    filename: str,
    dry_run: bool,
    datum: str,
    source_srid: int | None,
    layer: str | None,
    flip_reversed: bool = False,
) -> dict[str, Any]:
    suffix = Path(filename).suffix.lower()
    if suffix not in (".geojson", ".json", ".gpkg", ".zip"):
        raise bf.file_error(
            "unsupported_file",
            "请上传 GeoJSON（.geojson / .json）、GeoPackage（.gpkg）或压缩的 Shapefile（.zip）",
        )
    if data.size is not None and data.size > MAX_BYTES:
        raise bf.file_error("file_too_large", f"文件超过 {MAX_BYTES // 1024 // 1024} MB")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"rivers{suffix}"
        with path.open("wb") as out:
            for chunk in data.chunks():
                out.write(chunk)
        return river_network_import(
            principal=principal, path=path, source_name=Path(filename).name, layer=layer,
            source_srid=source_srid, datum=datum, dry_run=dry_run, flip_reversed=flip_reversed,
        )  # fmt: skip
