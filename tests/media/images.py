"""Test images made by the tests themselves: scenes, EXIF variants and a corpus of bad files."""

from __future__ import annotations

import io
import random
import struct
from datetime import datetime

from PIL import Image, ImageDraw

from media.imaging import dms_rationals


def scene(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A random but structured scene (shapes on a gradient): different seeds are different scenes."""
    rng = random.Random(seed)
    img = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x0, y0 = rng.randrange(size[0]), rng.randrange(size[1])
        box = (x0, y0, x0 + rng.randrange(40, 260), y0 + rng.randrange(40, 200))
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    return img


def zone_plate(size: tuple[int, int] = (2000, 1500)) -> Image.Image:
    """Rings ever finer towards the corners, up to the pixel grid's limit: a resize that aliases (draws
    moiré) or blurs shows at once, as on a photo of a fence, roof tiles or a sign's small print."""
    import numpy as np

    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    rings = 127.5 + 127.5 * np.cos(np.pi * ((x - w / 2) ** 2 + (y - h / 2) ** 2) / (w * 4))
    return Image.fromarray(rings.astype(np.uint8)).convert("RGB")


dms = dms_rationals


def jpeg(
    img: Image.Image | None = None,
    *,
    gps: dict[int, object] | None = None,
    lat: float | None = None,
    lon: float | None = None,
    taken: datetime | None = None,
    orientation: int | None = None,
    quality: int = 90,
    make: str = "HUAWEI",
    exif_thumbnail: bool = False,
) -> bytes:
    img = img or scene(1)
    exif = Image.Exif()
    exif[271] = make
    exif[272] = "TEST-AL00"
    if orientation:
        exif[274] = orientation
    if taken:
        exif.get_ifd(0x8769)[36867] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if lat is not None and lon is not None:
        gps = {1: "N" if lat >= 0 else "S", 2: dms(abs(lat)), 3: "E" if lon >= 0 else "W", 4: dms(abs(lon))}
    if gps:
        exif.get_ifd(0x8825).update(gps)
    raw_exif = exif.tobytes()
    if exif_thumbnail:
        raw_exif = with_thumbnail(raw_exif, img)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, exif=raw_exif)
    return buf.getvalue()


def with_thumbnail(raw_exif: bytes, img: Image.Image) -> bytes:
    """``raw_exif`` (``Exif.tobytes()``, big-endian) with the 160 px JPEG preview every phone writes in
    IFD1, so the file holds a complete JPEG — end-of-image marker included — before its own scan data."""
    preview = io.BytesIO()
    img.resize((160, 120)).save(preview, "JPEG", quality=70)
    thumb = preview.getvalue()
    tiff = bytearray(raw_exif[6:])  # after b"Exif\0\0": offsets count from the TIFF header
    assert tiff[:2] == b"MM"
    entries = struct.unpack_from(">H", tiff, 8)[0]
    ifd1 = len(tiff) + len(tiff) % 2
    tiff += b"\0" * (ifd1 - len(tiff))
    struct.pack_into(">I", tiff, 8 + 2 + 12 * entries, ifd1)  # IFD0's next-IFD pointer → IFD1
    tiff += struct.pack(">H", 2)
    tiff += struct.pack(">HHII", 0x0201, 4, 1, ifd1 + 2 + 2 * 12 + 4)  # JPEGInterchangeFormat
    tiff += struct.pack(">HHII", 0x0202, 4, 1, len(thumb))  # JPEGInterchangeFormatLength
    tiff += struct.pack(">I", 0) + thumb
    return raw_exif[:6] + bytes(tiff)


def png(img: Image.Image | None = None, **params: object) -> bytes:
    buf = io.BytesIO()
    (img or scene(2)).save(buf, "PNG", **params)
    return buf.getvalue()


def heic(img: Image.Image | None = None) -> bytes:
    buf = io.BytesIO()
    (img or scene(3)).save(buf, "HEIF", quality=80)
    return buf.getvalue()


def bad_files() -> dict[str, tuple[bytes, int, str]]:
    """name → (bytes, expected HTTP status, expected code)."""
    good = jpeg()
    phone = jpeg(scene(4), exif_thumbnail=True)  # its EXIF preview ends in an end-of-image marker
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")  # 400 MP of zeros in a few tens of KB
    huge_exif = png(exif=b"Exif\x00\x00" + b"\x00" * (300 * 1024))
    return {
        "zero_bytes": (b"", 422, "empty_file"),
        "truncated_jpeg": (good[: len(good) // 2], 422, "invalid_image"),
        "truncated_phone_jpeg": (phone[: len(phone) // 2], 422, "invalid_image"),
        "text_renamed_jpg": ("这不是图片，只是改了扩展名的文本".encode() * 20, 422, "invalid_image"),
        "png_bomb": (bomb.getvalue(), 422, "image_too_large"),
        "huge_exif_block": (huge_exif, 422, "exif_too_large"),
        "gif": (_gif(), 415, "unsupported_format"),
    }


def _gif() -> bytes:
    buf = io.BytesIO()
    Image.new("P", (20, 20)).save(buf, "GIF")
    return buf.getvalue()
