"""bench/photos: the photo pipeline next to bare Pillow, on the same synthetic 12 MP JPEGs, in one run.

- ceiling: Pillow alone — open, JPEG draft mode, decode, 1024 px thumbnail — per file;
- pipeline: what fieldscore does per uploaded photo — validation (format, pixels, truncation via a
  1/8-scale decode), EXIF (time, GPS, camera), sha256, storing the original once, the database row;
  then the Celery task's work: 1024 px and 256 px JPEG derivatives with orientation applied, the
  perceptual hash, storing both, updating the row.
Target: pipeline ≥ 0.70 × ceiling (photos/s). Run with ``make bench`` or ``python bench/photos/run.py``.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
TARGET = 0.70


def make_photos(n: int) -> list[bytes]:
    from PIL import Image

    from tests.media.images import jpeg, scene

    photos = []
    for i in range(n):
        # Shapes plus sensor-like noise, so the files weigh what a phone's 12 MP photo weighs (3–5 MB).
        base = scene(1000 + i, (4000, 3000))
        noise = Image.effect_noise((4000, 3000), 40).convert("RGB")
        img = Image.blend(base, noise, 0.25)
        photos.append(
            jpeg(img, lat=31.9 + i * 1e-4, lon=121.17, taken=datetime(2022, 9, 20, 10, i % 60), quality=90)
        )
    return photos


def ceiling(photos: list[bytes]) -> float:
    from PIL import Image

    start = time.perf_counter()
    for data in photos:
        with Image.open(io.BytesIO(data)) as img:
            img.draft("RGB", (1024, 1024))
            rgb = img.convert("RGB")
        rgb.thumbnail((1024, 1024))
    return len(photos) / (time.perf_counter() - start)


def pipeline(photos: list[bytes], warm_up: bytes) -> float:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from media.services import photo_make_derivatives, photo_store

    user, _ = User.objects.get_or_create(username="bench-photos")
    # One untimed photo first: the first pipeline run imports imagehash and SciPy (~0.2 s, once per
    # worker process), which the ceiling's already-imported Pillow does not pay either.
    photo_make_derivatives(photo_id=photo_store(data=warm_up, uploaded_by_id=user.pk).pk)
    start = time.perf_counter()
    for data in photos:
        photo = photo_store(data=data, uploaded_by_id=user.pk)
        photo_make_derivatives(photo_id=photo.pk)
    return len(photos) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--photos", type=int, default=24)
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="fieldscore-bench-photos-")
    os.environ["FIELDSCORE_VAR_DIR"] = var
    os.environ["MEDIA_ROOT"] = str(Path(var) / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.pop("DATABASE_URL", None)  # the embedded database: this measures image work, not SQL
    warm_up, *photos = make_photos(args.photos + 1)
    size_mb = sum(len(p) for p in photos) / len(photos) / 1e6
    ceiling(photos[:2])  # warm-up, like the pipeline's
    ceil = ceiling(photos)
    rate = pipeline(photos, warm_up)
    ratio = rate / ceil
    print(f"bench/photos  {len(photos)} synthetic 12 MP JPEGs (4000×3000, {size_mb:.1f} MB each)")
    print(f"  ceiling   Pillow draft-mode decode + 1024 px thumbnail:       {ceil:6.1f} photos/s")
    print(f"  pipeline  validate + EXIF + sha256 + store + 2 thumbs + pHash: {rate:6.1f} photos/s")
    print(f"  ratio     {ratio:.2f}  target ≥ {TARGET:.2f}  → {'PASS' if ratio >= TARGET else 'FAIL'}")


if __name__ == "__main__":
    main()
