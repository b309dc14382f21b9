"""bench/photos: the photo pipeline next to bare Pillow, on the same synthetic 12 MP JPEGs, in one run.

- ceiling: Pillow alone — open, JPEG draft mode, decode, 1024 px thumbnail — per file;
- pipeline: what fieldscore does per uploaded photo — validation (format, pixels, EXIF size, truncation:
  an end-of-image marker after the scan data, no decode), EXIF (time, GPS, camera), sha256, storing the
  original once, the database row; then the Celery task's work: reading the original back, 1024 px and
  256 px JPEG derivatives with orientation applied, the perceptual hash, storing both, updating the row.

Both sides are timed per photo in adjacent turns (ceiling then pipeline, or the other way round in every
other round), ``--rounds`` rounds, and the ratio is the median over all pairs of their time ratio: a
busy spell of a shared machine falls on both turns of a pair instead of on whichever side happened to run
then. Between rounds the pipeline's rows and files are removed (untimed), so every turn stores the photo
anew. The ratios of the best and of the median turns per photo are printed too.
Target: pipeline ≥ 0.85 × ceiling (photos/s). Run with ``make bench`` or ``python bench/photos/run.py``.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
TARGET = 0.85


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


def ceiling_one(data: bytes) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (1024, 1024))
        rgb = img.convert("RGB")
    rgb.thumbnail((1024, 1024))


def pipeline_setup(warm_up: bytes) -> tuple[Callable[[bytes], None], Callable[[], None]]:
    """The pipeline for one photo, and what removes its traces (row and files) between turns."""
    import django

    django.setup()
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from media.models import Photo
    from media.services import photo_make_derivatives, photo_store

    user, _ = User.objects.get_or_create(username="bench-photos")
    # One untimed photo first: the first pipeline run imports imagehash and SciPy (~0.2 s, once per
    # worker process), which the ceiling's already-imported Pillow does not pay either.
    photo_make_derivatives(photo_id=photo_store(data=warm_up, uploaded_by_id=user.pk).pk)

    def one(data: bytes) -> None:
        photo = photo_store(data=data, uploaded_by_id=user.pk)
        photo_make_derivatives(photo_id=photo.pk)

    def forget() -> None:
        for photo in Photo.objects.all():
            for name in (photo.file.name, photo.thumb_phone.name, photo.thumb_list.name):
                if name:
                    default_storage.delete(name)
        Photo.objects.all().delete()

    return one, forget


def timed(fn: Callable[[bytes], None], data: bytes) -> float:
    start = time.perf_counter()
    fn(data)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--photos", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="fieldscore-bench-photos-")
    os.environ["FIELDSCORE_VAR_DIR"] = var
    os.environ["MEDIA_ROOT"] = str(Path(var) / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.pop("DATABASE_URL", None)  # the embedded database: this measures image work, not SQL
    warm_up, *photos = make_photos(args.photos + 1)
    size_mb = sum(len(p) for p in photos) / len(photos) / 1e6
    pipeline_one, forget = pipeline_setup(warm_up)
    ceiling_one(warm_up)  # warm-up, like the pipeline's
    ceiling_turns: list[float] = []
    pipeline_turns: list[float] = []
    for round_ in range(args.rounds):
        forget()
        for data in photos:
            # Adjacent turns on the same photo; who goes first alternates by round (cache warmth).
            first, second = (ceiling_one, pipeline_one) if round_ % 2 == 0 else (pipeline_one, ceiling_one)
            a, b = timed(first, data), timed(second, data)
            ceiling_turns.append(a if first is ceiling_one else b)
            pipeline_turns.append(b if first is ceiling_one else a)
    forget()
    n = len(photos)
    # The verdict: the median over all pairs of adjacent turns of ceiling time / pipeline time. A pair
    # shares the machine's state of the moment, so a busy spell cancels out within it; the median drops
    # the pairs that a spike split. Best turns per photo and side, and the median turns, are shown too.
    ratio = statistics.median(c / p for c, p in zip(ceiling_turns, pipeline_turns, strict=True))
    sides = (ceiling_turns, pipeline_turns)
    best = [sum(min(turns[i::n]) for i in range(n)) for turns in sides]
    typical = [sum(statistics.median(turns[i::n]) for i in range(n)) for turns in sides]
    ceil, rate = n / best[0], n / best[1]
    print(f"bench/photos  {n} synthetic 12 MP JPEGs (4000×3000, {size_mb:.1f} MB each), "
          f"{args.rounds} rounds of adjacent turns per photo")  # fmt: skip
    print(f"  ceiling   Pillow draft-mode decode + 1024 px thumbnail:       {ceil:6.1f} photos/s (best)")
    print(f"  pipeline  validate + EXIF + sha256 + store + 2 thumbs + pHash: {rate:6.1f} photos/s (best)")
    print(f"  (ratio of best turns {best[0] / best[1]:.2f}, of median turns {typical[0] / typical[1]:.2f})")
    print(f"  ratio     {ratio:.2f} (median of paired turns)  target ≥ {TARGET:.2f}  → "
          f"{'PASS' if ratio >= TARGET else 'FAIL'}")  # fmt: skip


if __name__ == "__main__":
    main()
