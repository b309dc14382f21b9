"""bench/ledger_export: the facility ledger export (``geo.ledger_export``: query, rows, ``write_ledger``) for
towns of 1,000, 4,000 and 16,000 facilities, next to a bare openpyxl write-only dump of the same cells,
in one run.

Issue 13: a town of 24,000 facilities took 342 s (each row scanned every cell written before it). The
export must scale linearly: the time per facility at 16,000 within 1.5× of that at 1,000 (measured, not
assumed), and within 2.5× of the bare dump at every size (the export also reads the database and lays
the rows out). Data: one town per size, 20 villages each with 4 natural villages, every facility serving
2 of its village's natural villages; made through the ORM (PostGIS or SpatiaLite), reused on a re-run.
Run with ``make bench`` (PostGIS) or alone (``python bench/ledger_export/run.py``, SpatiaLite).
"""

from __future__ import annotations

import gc
import io
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import best_of  # noqa: E402 - after the path is set

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
SIZES = (1_000, 4_000, 16_000)
VILLAGES, NATURALS_PER_VILLAGE = 20, 4
LINEAR_TARGET, RATIO_TARGET = 1.5, 2.5
TOWN_PREFIX, CODE_PREFIX = "基准台账镇", "BENCH-LX"


def setup() -> dict[int, int]:
    """Size → town id, generating what is missing."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from geo.models import FacilityService, Region, SewageFacility
    from geo.services import region_create

    district = Region.objects.filter(level="district").first()
    district = district or region_create(level="district", name="基准区")
    towns = {}
    for size in SIZES:
        name = f"{TOWN_PREFIX}{size}"
        town = Region.objects.filter(parent=district, name=name).first()
        prefix = f"{CODE_PREFIX}{size}-"
        if town and SewageFacility.objects.filter(code__startswith=prefix).count() == size:
            towns[size] = town.pk
            continue
        start = time.perf_counter()
        with transaction.atomic():
            FacilityService.objects.filter(facility__code__startswith=prefix).delete()
            SewageFacility.objects.filter(code__startswith=prefix).delete()
            town = town or region_create(level="town", name=name, parent=district)
            villages = [
                Region.objects.filter(parent=town, name=f"基准村{v:02d}").first()
                or region_create(level="village", name=f"基准村{v:02d}", parent=town)
                for v in range(VILLAGES)
            ]
            naturals = {
                v.pk: [
                    Region.objects.filter(parent=v, name=f"{k + 1}组").first()
                    or region_create(level="natural_village", name=f"{k + 1}组", parent=v, households=40)
                    for k in range(NATURALS_PER_VILLAGE)
                ]
                for v in villages
            }
            facilities = SewageFacility.objects.bulk_create(
                SewageFacility(
                    code=f"{prefix}{i:05d}",
                    name=f"基准设施{i:05d}",
                    village=villages[i % VILLAGES],
                    capacity_tpd=Decimal(5 + i % 40),
                    process="A/O",
                    meter_number=f"M{i:05d}" if i % 3 else "",
                    operator="基准运维公司",
                    is_synthetic=True,
                )
                for i in range(size)
            )
            FacilityService.objects.bulk_create(
                FacilityService(facility=f, natural_village=n, households=20)
                for i, f in enumerate(facilities)
                for n in naturals[f.village_id][i % 2 * 2 : i % 2 * 2 + 2]
            )
        towns[size] = town.pk
        print(f"  generated {size:,} facilities in {time.perf_counter() - start:.0f} s")
    return towns


def main() -> None:
    db = os.environ.get("DATABASE_URL", "spatialite (embedded)").split("@")[-1]
    print(f"bench/ledger_export  towns of {', '.join(f'{s:,}' for s in SIZES)} facilities  ({db})")
    towns = setup()
    from openpyxl import Workbook

    from geo import ledger
    from geo.ledger_export import _ledger_bytes, _ledger_rows

    per_row: dict[int, float] = {}
    ratios: dict[int, float] = {}
    print(f"  {'facilities':>10}  {'export':>9}  {'per row':>9}  {'bare dump':>9}  {'ratio':>6}")
    for size, town in towns.items():
        cells = [ledger._ledger_cells(r) for r in _ledger_rows(paths=None, town_id=town)]
        assert len(cells) == size, (size, len(cells))
        gc.collect()
        gc.freeze()  # the prepared cells are not the export's garbage: keep the collector off them

        def export(town: int = town) -> None:
            _ledger_bytes(paths=None, town_id=town, title="基准台账")

        def bare(cells: list = cells) -> None:  # type: ignore[type-arg]
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("台账")
            for row in cells:
                ws.append(row)
            wb.save(io.BytesIO())

        t_app, t_bare = best_of(3 if size < 10_000 else 2, export, bare)
        per_row[size], ratios[size] = t_app / size, t_app / t_bare
        us = per_row[size] * 1e6
        print(f"  {size:>10,}  {t_app:8.2f}s  {us:7.0f}µs  {t_bare:8.2f}s  {ratios[size]:5.2f}×")
        del cells
        gc.unfreeze()
    growth = per_row[SIZES[-1]] / per_row[SIZES[0]]
    worst = max(ratios.values())
    ok = growth <= LINEAR_TARGET and worst <= RATIO_TARGET
    print(f"  time per row {SIZES[-1]:,} / {SIZES[0]:,}: {growth:.2f}×  target ≤ {LINEAR_TARGET:.1f}×")
    verdict = "PASS" if ok else "FAIL"
    print(f"  ratio to the bare dump (worst) {worst:.2f}×  target ≤ {RATIO_TARGET:.1f}×  → {verdict}")
    if not ok:
        sys.exit(1)  # make bench names it among the benchmarks that failed


if __name__ == "__main__":
    main()
