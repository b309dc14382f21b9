"""What every demo scenario uses: fixed client UUIDs and synthetic phone photos."""

from __future__ import annotations

import uuid

from django.utils import timezone

NAMESPACE = uuid.UUID("8d2e3f7a-2022-4b81-9c65-0d3a5e6f7081")


def _uuid(name: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, name)


def _demo_jpeg(seed: int, lon: float | None, lat: float | None) -> bytes:
    """A synthetic placeholder photo (coloured panels), with EXIF time and GPS like a phone writes."""
    import io
    import random

    from PIL import Image, ImageDraw

    from media.imaging import dms_rationals

    rng = random.Random(seed)  # noqa: S311 - a picture, not a secret
    img = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(14):  # distinct shapes per photo: placeholders must not look like reused photos
        x, y = rng.randrange(600), rng.randrange(440)
        box = (x, y, x + rng.randrange(30, 240), y + rng.randrange(30, 180))
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
    exif = Image.Exif()
    exif[271], exif[272] = "DEMO", "合成示例照片"
    exif.get_ifd(0x8769)[36867] = timezone.localtime().strftime("%Y:%m:%d %H:%M:%S")
    if lon is not None and lat is not None:
        exif.get_ifd(0x8825).update({1: "N", 2: dms_rationals(lat), 3: "E", 4: dms_rationals(lon)})
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, exif=exif.tobytes())
    return buf.getvalue()
