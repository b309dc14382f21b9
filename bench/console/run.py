"""bench/console: the scoreboard page (``/console/scoreboards/<scheme>/``) for a 1,000-unit board rendered
server-side, next to the API's JSON for the same board (``GET /api/v1/scoreboards/{scheme}``), in the
same run.

Data: 1,000 towns and a draft board of the real 2022 scheme over them, stored as the recompute stores it
(``scoreboard_store_draft``; spread scores, a few vetoes, so awards, notes and veto reasons are filled).
Both sides go through Django's test client and the full middleware stack as the 区安委办: the API with
a device bearer token, the page with a signed-in session. Measured: the whole answer (selector, rows,
template or schema, chart option). Target: the page within 2× of the API. Run with ``make bench``.
"""

from __future__ import annotations

import os
import random
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import best_of  # noqa: E402 - after the path is set

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
TARGET = 2.0
UNITS = 1000
SCHEME = "towns-2022"


def setup() -> tuple[object, object]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from accounts.models import RoleGrant, User
    from accounts.services import _token_create
    from geo.models import Region
    from geo.services import region_create
    from scoring.assessment.services import UnitEvidence, scoreboard_store_draft

    district = Region.objects.filter(level="district").first()
    district = district or region_create(level="district", name="基准区")
    towns = list(Region.objects.filter(level="town", name__startswith="页面基准镇").order_by("name"))
    for i in range(len(towns), UNITS):
        towns.append(region_create(level="town", name=f"页面基准镇{i:04d}", parent=district))
    rng = random.Random(15)
    units = []
    for town in towns:
        vetoed = rng.random() < 0.01
        units.append(
            UnitEvidence(
                unit_id=town.pk,
                region_id=town.pk,
                name=town.name,
                components={
                    "safety": Decimal(rng.randint(6000, 10000)) / 100,
                    "fire": Decimal(rng.randint(6000, 10000)) / 100,
                },
                vetoed=vetoed,
                veto_reasons=("发生较大生产安全事故",) if vetoed else (),
                tasks_completed=rng.random() > 0.02,
            )
        )
    scoreboard_store_draft(scheme_key=SCHEME, units=units)
    user, _ = User.objects.get_or_create(username="bench-console")
    RoleGrant.objects.get_or_create(user=user, role="district_office", region=district)
    token, _ = _token_create(user=user, device_id="bench-console", device_name="bench")
    api = Client(headers={"Authorization": f"Bearer {token}"})
    page = Client()
    page.force_login(user)
    return api, page


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgis://"):
        sys.exit("bench/console 需要 PostGIS：请用 make bench 运行，或设置 DATABASE_URL=postgis://…")
    api, page = setup()
    api_path = f"/api/v1/scoreboards/{SCHEME}"
    page_path = f"/console/scoreboards/{SCHEME}/"

    def get(client: object, path: str) -> bytes:
        response = client.get(path)  # type: ignore[attr-defined]
        assert response.status_code == 200, (path, response.status_code)
        return response.content

    api_bytes, page_bytes = get(api, api_path), get(page, page_path)  # warm both
    t_api, t_page = best_of(7, lambda: get(api, api_path), lambda: get(page, page_path))
    ratio = t_page / t_api
    print(f"bench/console  scoreboard page for a {UNITS}-unit board, rendered server-side")
    print(f"  API JSON  GET {api_path}:        {t_api * 1000:8.1f} ms  ({len(api_bytes) / 1024:.0f} KiB)")
    print(f"  page      GET {page_path}:  {t_page * 1000:8.1f} ms  ({len(page_bytes) / 1024:.0f} KiB)")
    print(f"  ratio     {ratio:.2f}×  target ≤ {TARGET:.1f}×  → {'PASS' if ratio <= TARGET else 'FAIL'}")


if __name__ == "__main__":
    main()
