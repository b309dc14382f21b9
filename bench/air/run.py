"""bench/air: the 每旬 ranking's air input — ``scoring.air.indicators.town_air_values`` for every 旬 of three
years, 100 towns with one station each — next to a plain SQL ``AVG(aqi) … GROUP BY town`` over the same rows,
in one run.

Data: 100 towns × 3 years of station-days (the 日报 rows ``scoring_airday`` that an hourly import computes
from 100 × 26,280 hourly means; the hours are read once, at import, never by the ranking), ~3 % of days
without an AQI. Measured: the indicator for each of the 108 旬 (every active station LEFT JOINed to its days,
AQI summed and counted per station, then the engine's rounding, station → town; stations without data kept)
against the plain aggregate ``AVG(aqi) … GROUP BY town`` per 旬. Target: within 2×. Run with ``make bench``
(or ``deploy/run-bench.sh air``).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import best_of  # noqa: E402 - after the path is set

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
TARGET = 2.0
TOWNS, FIRST, LAST = 100, date(2022, 1, 1), date(2024, 12, 31)


def setup() -> list[int]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from geo.models import AirStation, Region
    from geo.services import region_create
    from scoring.models import AirDay

    district = Region.objects.filter(level="district").first() or region_create(
        level="district", name="基准区"
    )
    ids = []
    for i in range(TOWNS):
        name = f"基准镇{i:03d}"
        town = Region.objects.filter(parent=district, name=name).first() or region_create(
            level="town", name=name, parent=district
        )
        station = AirStation.objects.filter(code=f"BENCH-AQ-{i:03d}").first() or AirStation.objects.create(
            code=f"BENCH-AQ-{i:03d}", name=f"{name}空气站", kind="town", town=town
        )
        ids.append(station.pk)
    expected = TOWNS * ((LAST - FIRST).days + 1)
    if AirDay.objects.filter(station_id__in=ids).count() == expected:
        return ids
    AirDay.objects.filter(station_id__in=ids).delete()
    table = AirDay._meta.db_table
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {table} (station_id, day, so2, no2, pm10, pm25, co, o3_1h, o3_8h, aqi, "primary",
                                     from_hours)
            SELECT id, day, so2, no2, pm10, pm25, co, o3 * 1.2, o3,
                   CASE WHEN random() < 0.03 THEN NULL ELSE ceil(pm25 * 1.35)::int END, 'pm25', true
            FROM (SELECT s.id, d.day::date AS day,
                         round((4 + 5 * random())::numeric, 0) AS so2,
                         round((15 + 25 * random())::numeric, 0) AS no2,
                         round((40 + 60 * random())::numeric, 0) AS pm10,
                         round((20 + 60 * random() + s.id %% 7)::numeric, 0) AS pm25,
                         round((0.4 + 0.8 * random())::numeric, 1) AS co,
                         round((60 + 100 * random())::numeric, 0) AS o3
                  FROM unnest(%s::bigint[]) AS s(id)
                  CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') AS d(day)) AS v""",
            [ids, FIRST, LAST],
        )
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {table}")
    print(f"  generated {expected:,} station-days in {time.perf_counter() - start:.1f} s")
    return ids


RAW = """
SELECT st.town_id, AVG(d.aqi) FROM scoring_airday d JOIN geo_airstation st ON st.id = d.station_id
WHERE st.is_active AND d.day >= %s AND d.day <= %s GROUP BY st.town_id
"""


def dekads() -> list[tuple[date, date]]:
    from scoring.engine.water.periods import period_of

    out, day = [], FIRST
    while day <= LAST:
        p = period_of(day, "dekad")
        out.append((p.start, p.end))
        day = p.end + timedelta(days=1)
    return out


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgis://"):
        sys.exit("bench/air 需要 PostGIS：请用 make bench 运行，或设置 DATABASE_URL=postgis://…")
    print(f"bench/air  {TOWNS} towns × {FIRST.year}–{LAST.year} station-days, every 旬")
    setup()
    from django.db import connection

    from scoring.air.indicators import town_air_values

    periods = dekads()

    def raw() -> None:
        with connection.cursor() as cur:
            for start, end in periods:
                cur.execute(RAW, [start, end])
                cur.fetchall()

    def app() -> None:
        for start, end in periods:
            town_air_values(start=start, end=end)

    raw()  # warm the cache for both
    app()
    t_raw, t_app = best_of(3, raw, app)
    ratio = t_app / t_raw
    n = len(periods)
    print(f"  plain SQL AVG(aqi) GROUP BY town, {n} 旬:                 {t_raw * 1000:8.0f} ms")
    print(f"  town_air_values (per station, then per town), {n} 旬:        {t_app * 1000:8.0f} ms")
    print(f"  ratio     {ratio:.2f}×  target ≤ {TARGET:.1f}×  → {'PASS' if ratio <= TARGET else 'FAIL'}")


if __name__ == "__main__":
    main()
