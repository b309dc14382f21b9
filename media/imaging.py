"""Image checks before anything is stored (pure: bytes in, facts out; Pillow only)."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}


class ImageRejected(ValueError):
    def __init__(self, code: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class ImageFacts:
    sha256: str
    content_type: str
    extension: str
    width: int
    height: int
    size_bytes: int


def inspect(data: bytes, *, max_bytes: int, max_pixels: int) -> ImageFacts:
    """Validate ``data`` as a JPEG or PNG photo; raise ``ImageRejected`` with a stable code otherwise."""
    if not data:
        raise ImageRejected("empty_file", "文件为空")
    if len(data) > max_bytes:
        raise ImageRejected("file_too_large", f"文件超过 {max_bytes // (1024 * 1024)} MB", 413)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format or ""
                width, height = img.size
                if fmt not in FORMATS:
                    raise ImageRejected("unsupported_format", "只接受 JPEG 或 PNG 照片", 415)
                if width * height > max_pixels or width < 1 or height < 1:
                    raise ImageRejected("image_too_large", "图片像素过多或尺寸无效")
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()  # verify() misses truncation; a full decode does not
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("image_too_large", "图片像素过多（疑似解压炸弹）") from exc
    except Exception as exc:  # Pillow raises many types for broken input
        raise ImageRejected("invalid_image", "无法识别或已损坏的图片") from exc
    content_type, extension = FORMATS[fmt]
    return ImageFacts(hashlib.sha256(data).hexdigest(), content_type, extension, width, height, len(data))
