"""Image facts and derivatives: validation, EXIF (time, GPS, camera), thumbnails, perceptual hash.

Pure: bytes in, frozen facts out; Pillow (with pillow-heif for HEIC) and imagehash only, no Django.
Broken EXIF never raises: it is reported as "no usable GPS" / "no time", because a photo with a
corrupt EXIF block is still evidence.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

import imagehash
from PIL import Image, ImageOps
from PIL.TiffImagePlugin import IFDRational
from pillow_heif import register_heif_opener

register_heif_opener()

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "HEIF": ("image/heic", "heic")}
# A multi-picture JPEG (MPF, CIPA DC-007: Android's Ultra HDR gain map, some dual cameras) is a JPEG whose
# first picture is the photo, the others appended after it; Pillow calls it "MPO". Stored and served as
# the JPEG it is.
_AS_JPEG = {"MPO"}
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
TAG_MAKE, TAG_MODEL, TAG_ORIENTATION, TAG_DATETIME = 271, 272, 274, 306
TAG_DATETIME_ORIGINAL, TAG_OFFSET_TIME_ORIGINAL = 36867, 36881


class ImageRejected(ValueError):
    def __init__(self, code: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class GpsFix:
    lat: float
    lon: float
    altitude_m: float | None = None
    direction_deg: float | None = None


@dataclass(frozen=True)
class ExifFacts:
    taken_at: datetime | None
    gps: GpsFix | None
    gps_status: str  # "ok", "missing" (no GPS block), "invalid" (present but unusable)
    make: str
    model: str
    orientation: int | None


@dataclass(frozen=True)
class ImageFacts:
    sha256: str
    content_type: str
    extension: str
    width: int
    height: int
    size_bytes: int
    exif: ExifFacts


NO_EXIF = ExifFacts(None, None, "missing", "", "", None)


def inspect(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    max_exif_bytes: int = 128 * 1024,
    local_tz: tzinfo = UTC,
) -> ImageFacts:
    """Validate ``data`` as a JPEG, PNG or HEIC photo; raise ``ImageRejected`` (stable code) otherwise."""
    if not data:
        raise ImageRejected("empty_file", "文件为空")
    if len(data) > max_bytes:
        raise ImageRejected("file_too_large", f"文件超过 {max_bytes // (1024 * 1024)} MB", 413)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                fmt = "JPEG" if img.format in _AS_JPEG else img.format or ""
                width, height = img.size
                if fmt not in FORMATS:
                    raise ImageRejected("unsupported_format", "只接受 JPEG、PNG 或 HEIC 照片", 415)
                if width < 1 or height < 1 or width * height > max_pixels:
                    raise ImageRejected("image_too_large", "图片像素过多或尺寸无效")
                raw_exif = img.info.get("exif") or b""
                if len(raw_exif) > max_exif_bytes:
                    raise ImageRejected("exif_too_large", "照片的 EXIF 信息过大，疑似被篡改")
                if fmt != "HEIF":
                    img.verify()  # must come straight after open, before anything reads the file
            with Image.open(io.BytesIO(data)) as img:
                exif = read_exif(img, local_tz)
                if fmt == "JPEG":
                    if not jpeg_complete(data):
                        raise ImageRejected("invalid_image", "图片不完整（文件被截断）")
                else:
                    img.load()  # verify() misses truncation; a decode does not
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("image_too_large", "图片像素过多（疑似解压炸弹）") from exc
    except Exception as exc:  # Pillow raises many types for broken input
        raise ImageRejected("invalid_image", "无法识别或已损坏的图片") from exc
    content_type, extension = FORMATS[fmt]
    return ImageFacts(
        hashlib.sha256(data).hexdigest(), content_type, extension, width, height, len(data), exif
    )


def jpeg_complete(data: bytes) -> bool:
    """Whether a JPEG has an end-of-image marker after the start of its (first) scan: a truncated one
    has not. Checking that costs nothing, whereas decoding 12 MP here would double the work the
    thumbnail task does anyway.

    The marker is looked for after the scan starts, not anywhere: the EXIF preview every phone writes
    in the header is a complete JPEG of its own, end-of-image marker included. Inside entropy-coded
    data a 0xFF byte is always followed by 0x00 or a restart marker, so 0xFF 0xD9 there is the real end.
    It is searched for from the end of the file, where it sits (before a trailer, if any).
    """
    scan = _scan_start(data)
    return scan is not None and data.rfind(b"\xff\xd9", scan) != -1


def _scan_start(data: bytes) -> int | None:
    """The offset of the first start-of-scan marker, walking the header's segments; None if there is
    none or the segments do not chain up."""
    view = memoryview(data)
    pos, end = 2, len(data)
    while pos + 4 <= end:
        if view[pos] != 0xFF:
            return None
        marker = view[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
        elif marker == 0xDA:
            return pos
        elif marker == 0xD9:  # the end of the image before any scan
            return None
        elif marker == 0x01 or 0xD0 <= marker <= 0xD8:  # markers without a length
            pos += 2
        else:
            pos += 2 + int.from_bytes(view[pos + 2 : pos + 4], "big")
    return None


def _rational(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return f if math.isfinite(f) else None


def _dms(value: Any) -> float | None:
    """Degrees-minutes-seconds rationals (or one decimal value) to decimal degrees."""
    try:
        parts = [_rational(v) for v in value] if isinstance(value, tuple | list) else [_rational(value)]
    except TypeError:
        return None
    known = [p for p in parts if p is not None]
    if not parts or len(known) < len(parts) or len(parts) > 3:
        return None
    d, m, s = (*known, 0.0, 0.0)[:3]
    # Some firmware rounds 59.996″ up to 60″: tolerate exactly 60, refuse anything beyond.
    if d < 0 or not (0 <= m <= 60) or not (0 <= s <= 60):
        return None
    return d + m / 60 + s / 3600


def dms_rationals(degrees: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    """Decimal degrees as cameras write them: degrees, minutes, seconds in 1/100 (the inverse of _dms)."""
    hundredths = round(abs(degrees) * 360000)
    d, rest = divmod(hundredths, 360000)
    m, s = divmod(rest, 6000)
    return IFDRational(d, 1), IFDRational(m, 1), IFDRational(s, 100)


def parse_gps(gps: dict[int, Any]) -> tuple[GpsFix | None, str]:
    """The GPS IFD (tag → value) as a fix, or why not. Refs are required: a bare number has no hemisphere."""
    if not gps:
        return None, "missing"
    lat_ref, lon_ref = gps.get(1), gps.get(3)
    lat, lon = _dms(gps.get(2)), _dms(gps.get(4))
    if isinstance(lat_ref, bytes):
        lat_ref = lat_ref.decode("ascii", "ignore")
    if isinstance(lon_ref, bytes):
        lon_ref = lon_ref.decode("ascii", "ignore")
    lat_ref, lon_ref = str(lat_ref or "").strip().upper(), str(lon_ref or "").strip().upper()
    if lat is None or lon is None or lat_ref not in {"N", "S"} or lon_ref not in {"E", "W"}:
        return None, "invalid"
    lat = -lat if lat_ref == "S" else lat
    lon = -lon if lon_ref == "W" else lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None, "invalid"
    altitude = _rational(gps.get(6))
    if altitude is not None and gps.get(5) in (1, b"\x01"):
        altitude = -altitude
    direction = _rational(gps.get(17))
    if direction is not None and not (0 <= direction <= 360):
        direction = None
    return GpsFix(lat, lon, altitude, direction), "ok"


def _exif_time(exif: Any, local_tz: tzinfo) -> datetime | None:
    sub = exif.get_ifd(EXIF_IFD)
    raw = sub.get(TAG_DATETIME_ORIGINAL) or exif.get(TAG_DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        naive = datetime.strptime(raw.strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = sub.get(TAG_OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str) and len(offset) == 6 and offset[0] in "+-":
        try:
            sign = 1 if offset[0] == "+" else -1
            tz = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
            return naive.replace(tzinfo=tz)
        except ValueError:
            pass
    return naive.replace(tzinfo=local_tz)  # phones write local time without a zone


def read_exif(img: Image.Image, local_tz: tzinfo = UTC) -> ExifFacts:
    try:
        exif = img.getexif()
    except Exception:
        return ExifFacts(None, None, "invalid", "", "", None)
    if not exif:
        return NO_EXIF
    try:
        gps, status = parse_gps(dict(exif.get_ifd(GPS_IFD)))
    except Exception:
        gps, status = None, "invalid"
    try:
        taken_at = _exif_time(exif, local_tz)
    except Exception:
        taken_at = None
    orientation = exif.get(TAG_ORIENTATION)
    return ExifFacts(
        taken_at=taken_at,
        gps=gps,
        gps_status=status,
        make=str(exif.get(TAG_MAKE) or "").strip("\x00 ")[:64],
        model=str(exif.get(TAG_MODEL) or "").strip("\x00 ")[:64],
        orientation=orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else None,
    )


@dataclass(frozen=True)
class Derivatives:
    phone_jpeg: bytes
    list_jpeg: bytes
    phash: str  # 64-bit perceptual hash, hex


def derivatives(
    data: bytes, *, phone_edge: int = 1024, list_edge: int = 256, quality: int = 82
) -> Derivatives:
    """Phone- and list-sized JPEGs (orientation applied) and the perceptual hash, from one decode.

    JPEG draft mode lets libjpeg decode at 1/2, 1/4 or 1/8 scale straight away, so a 12 MP photo is
    never fully decoded to make a 1024 px thumbnail.
    """
    # Not closed: closing would free the decoded pixels, and there is only an in-memory buffer to close.
    img = Image.open(io.BytesIO(data))
    if img.format == "JPEG" or img.format in _AS_JPEG:
        img.draft("RGB", (phone_edge, phone_edge))
    # Hamming (a windowed sinc, one source pixel either side per step) costs two thirds of bicubic, the
    # largest single cost after the decode, and keeps moiré at bay far better than bilinear, which costs
    # the same (see the zone-plate test). On ordinary photos it is within 0.2 dB of bicubic.
    img.thumbnail((phone_edge, phone_edge), Image.Resampling.HAMMING, reducing_gap=2.0)
    ImageOps.exif_transpose(img, in_place=True)  # rotating the small result is cheap
    phone = img if img.mode == "RGB" else img.convert("RGB")
    # From the phone size, a 4× reduction: box-averaged 2× first, then bicubic (reducing_gap, as in
    # Image.thumbnail) — a quarter of the cost of a 16-tap bicubic, and no visible difference at 256 px.
    small = phone.resize(_fit(phone.size, list_edge), Image.Resampling.BICUBIC, reducing_gap=2.0)
    return Derivatives(_jpeg(phone, quality), _jpeg(small, quality), str(imagehash.phash(small)))


def _fit(size: tuple[int, int], edge: int) -> tuple[int, int]:
    w, h = size
    scale = min(1.0, edge / max(w, h))
    return max(1, round(w * scale)), max(1, round(h * scale))


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
