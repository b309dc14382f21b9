"""Seed the load test: the Haimen demo, then 500 phones, 20 office users and 10 planners with device
tokens, and a pool of ~2 MB phone JPEGs with EXIF GPS. Writes ``RUN/seed.json`` and ``RUN/photos/``.

Run by ``deploy/run-load.sh`` with the service's venv and DATABASE_URL set:
``python bench/load/seed.py RUN_DIR``. Everything is made through the application's own services
(``load_demo``, ``accounts.services.user_create`` with an administrator's principal, the token service).

The 530 accounts never sign in with a password during the run: phones keep their 30-day device token
(the login limiter allows 30 logins a minute per address, and every simulated user comes from
127.0.0.1), so their tokens are issued here through the token service the login endpoint ends in
(as bench/ingest does). Their passwords are hashed with a fast hasher while seeding only: Django's
PBKDF2 costs ~0.5 s a user on this machine, 530 of them minutes of CPU measured by nobody.
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

PHONES = int(os.environ.get("LOAD_PHONES", "500"))
OFFICE = int(os.environ.get("LOAD_OFFICE", "20"))
PLANNERS = int(os.environ.get("LOAD_PLANNERS", "10"))
REPAIR_EVERY = 5  # one phone in five belongs to a town officer (安监局) who also repairs
PHOTO_POOL = int(os.environ.get("LOAD_PHOTO_POOL", "60"))  # distinct pictures
PASSWORD = "load-test-2022-Haimen"  # noqa: S105 - throwaway accounts on a throwaway database


def photo_pool(out: Path, lon: float, lat: float) -> list[str]:
    """Phone-like JPEGs of ~2 MB (2592×1944, 5 MP, colour sensor noise over shapes, quality 90), with
    EXIF time, camera and GPS. Every picture is a different scene: a pool of a few pictures sent a
    thousand times would make every upload a near-duplicate of hundreds of others (the reuse check's
    worst case, not a day's work) — a real day's photos rarely resemble each other."""
    from PIL import Image, ImageDraw

    from media.imaging import dms_rationals

    out.mkdir(parents=True, exist_ok=True)
    names = []
    w, h = 2592, 1944
    base = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    noise = Image.merge("RGB", [Image.effect_noise((w, h), 50) for _ in range(3)])  # made once
    for n in range(PHOTO_POOL):
        rng = random.Random(2022 + n)
        img = base.rotate(rng.choice((0, 90, 180, 270)), expand=False)
        draw = ImageDraw.Draw(img)
        for _ in range(30):
            x, y = rng.randrange(w - 200), rng.randrange(h - 200)
            box = (x, y, x + rng.randrange(100, 1200), y + rng.randrange(100, 900))
            colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
            (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)
        img = Image.blend(img, noise, 0.3)
        exif = Image.Exif()
        exif[271], exif[272] = "LoadTest", "Phone 5MP"
        exif.get_ifd(0x8769)[36867] = time.strftime("%Y:%m:%d %H:%M:%S")
        p_lon, p_lat = lon + rng.uniform(-0.01, 0.01), lat + rng.uniform(-0.01, 0.01)
        exif.get_ifd(0x8825).update({1: "N", 2: dms_rationals(p_lat), 3: "E", 4: dms_rationals(p_lon)})
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=90, exif=exif.tobytes())
        name = f"photo-{n:03d}.jpg"
        (out / name).write_bytes(buf.getvalue())
        names.append(name)
    return names


def answer_variants(year: int) -> list[dict[str, object]]:
    """Complete answers for the two town templates the scheme scores: every check met, no deduction
    (no photo required beyond the site photo), score items varied so that some points are lost
    (findings, then rectifications once approved)."""
    from checklists.demo.assessment import _annual_answers

    variants = []
    for template in ("safety-town", "fire-town"):
        for staffing in (5, 4, 3):
            for micro_or_hazard in (0,):
                answers = _annual_answers(template, 0, staffing, micro_or_hazard, False)
                if template == "fire-town":
                    answers["org.meetings"] = {"value": staffing + 1}
                    answers["grid.training"] = {"value": staffing + 2}
                variants.append({"template_key": template, "answers": answers, "period": year})
    return variants


def tile_list(lon: float, lat: float) -> list[list[int]]:
    """The tiles a planner's map asks for around the district: z9–z14, a 3×3 block at each zoom."""
    tiles = []
    for z in range(9, 15):
        n = 2**z
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        tiles += [[z, x + dx, y + dy] for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    return tiles


def main() -> None:
    run = Path(sys.argv[1])
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings
    from django.utils import timezone

    from accounts.models import User
    from accounts.selectors import principal_for
    from accounts.services import user_create
    from accounts.services.tokens import _token_create
    from geo.models import Region
    from kernel.access import Role

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    print(f">>> 演示数据 {time.perf_counter() - started:.0f} 秒", flush=True)
    district = Region.objects.get(level="district")
    towns = list(Region.objects.filter(level="town").order_by("pk"))
    admin = principal_for(User.objects.get(username="admin"))
    year = timezone.localdate().year

    def account(username: str, grants: list[tuple[str, int]]) -> str:
        user = User.objects.filter(username=username).first()
        if user is None:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                user = user_create(
                    principal=admin,
                    username=username,
                    password=PASSWORD,
                    display_name=f"压测 {username}",
                    grants=[{"role": r, "region_id": g} for r, g in grants],
                )
        raw, _ = _token_create(user=user, device_id=f"load-{username}", device_name="locust")
        return raw

    started = time.perf_counter()
    phones = []
    repairers: dict[int, list[dict[str, object]]] = {}
    for i in range(PHONES):
        town = towns[i % len(towns)]
        repairs = i % REPAIR_EVERY == 0
        grants = [(Role.INSPECTOR, town.pk)] + ([(Role.TOWN_OFFICER, town.pk)] if repairs else [])
        c = town.centroid
        phone = {
            "token": account(f"load-phone-{i:03d}", grants), "town_id": town.pk, "repairs": repairs,
            "lon": c.x if c else 121.17, "lat": c.y if c else 31.89,
        }  # fmt: skip
        phones.append(phone)
        if repairs:
            repairers.setdefault(town.pk, []).append(phone)
    for crew in repairers.values():  # a town's officers split its repairs: two never take the same one
        for k, phone in enumerate(crew):
            phone["share"] = [k, len(crew)]
    office = [account(f"load-office-{i:02d}", [(Role.DISTRICT_OFFICE, district.pk)]) for i in range(OFFICE)]
    planners = [account(f"load-planner-{i:02d}", [(Role.PLANNER, district.pk)]) for i in range(PLANNERS)]
    print(
        f">>> {PHONES} 部手机、{OFFICE} 名区级用户、{PLANNERS} 名规划用户",
        f"{time.perf_counter() - started:.0f} 秒",
    )

    centre = district.centroid
    lon, lat = (centre.x, centre.y) if centre else (121.17, 31.89)
    started = time.perf_counter()
    photos = photo_pool(run / "photos", lon, lat)
    sizes = [(run / "photos" / p).stat().st_size for p in photos]
    print(
        f">>> 照片池 {len(photos)} 张，{min(sizes) / 1e6:.1f}–{max(sizes) / 1e6:.1f} MB，"
        f"{time.perf_counter() - started:.0f} 秒"
    )
    seed = {
        "scheme_key": f"towns-demo-{year}",
        "year": year,
        "town_ids": [t.pk for t in towns],
        "phones": phones,
        "office": office,
        "planners": planners,
        "variants": answer_variants(year),
        "photos": photos,
        "tiles": tile_list(lon, lat),
        "seeded_at": timezone.now().isoformat(),
    }
    (run / "seed.json").write_text(json.dumps(seed, ensure_ascii=False))


if __name__ == "__main__":
    main()
