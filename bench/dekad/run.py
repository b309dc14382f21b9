"""bench/dekad: the 每旬 逆序排名 (issue 19) — ``scoring.rankings.selectors.history_of`` over three years
(108 旬, scheme dekad-2022: AQI, dust fall, the provincial sections' CWQI; ranks, scores, 持续靠后 streaks)
for 100 towns — next to one plain SQL aggregate per 旬 over the same rows, in one run.

Data (as the product stores it): 100 towns, each with a town air station, a dust-fall jar and a provincial
(省考) section it is responsible for; 2022–2024.

- Air: 100 × 26,304 hourly rows (``scoring_airhour``, what an hourly import stores) and the station-days
  (``scoring_airday``, 100 × 1,096) that the import computes from them. The ranking reads the **days**, never
  the hours: the AQI of a day is the national 日报 value (HJ 633: 24-hour means, O₃ 8-hour maximum), fixed
  once at import, and the 旬's AQI is the mean of the days' AQI — recomputing it from the hours on every
  read would cost 24× the rows for the same answer. Here the days are the hours' 24-hour means and the
  day's AQI a stand-in (PM2.5 × 1.35), not HJ 633: the timing does not depend on it. ~3 % of days lack an AQI.
- Dust fall: one reading per jar per calendar month (t/km² collected over the month).
- Water: the sections' automatic stations every 4 hours, 5 indicators (pH, DO, CODMn, NH3-N, TP;
  100 × 6,576 × 5 ≈ 3.3 M values), ~1 % of NH3-N / TP below detection.

Measured: the whole history (108 旬 × 3 indicators, the engine's ranking and streaks) against, per 旬, one
plain SQL statement — ``AVG(aqi) GROUP BY town`` over the station-days, ``AVG(deposit × 30 / days) GROUP BY
town`` over the jar readings overlapping the 旬, and ``AVG(value) GROUP BY town, indicator`` over the
responsible sections' samples (the inputs of the same answer, without rules, rounding or ranking).
Target: within 2×. Run with ``make bench`` (or ``deploy/run-bench.sh dekad``).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import best_of  # noqa: E402 - after the path is set

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
TARGET = 2.0
TOWNS, FIRST, LAST = 100, date(2022, 1, 1), date(2024, 12, 31)
WATER = {"ph": (7.4, 0.4), "do": (6.0, 2.0), "codmn": (4.5, 1.5), "nh3n": (0.7, 0.5), "tp": (0.15, 0.08)}
WATER_EVERY = 4  # hours


def _towns_and_points() -> tuple[list[int], list[int], list[int]]:
    from geo.models import AirStation, DustFallPoint, Region, RiverSection
    from geo.services import region_create, section_upsert

    district = Region.objects.filter(level="district").first() or region_create(
        level="district", name="基准区"
    )
    stations, jars, sections = [], [], []
    for i in range(TOWNS):
        name = f"基准镇{i:03d}"  # the towns of bench/air: both benches can share a database
        town = Region.objects.filter(parent=district, name=name).first() or region_create(
            level="town", name=name, parent=district
        )
        station = AirStation.objects.filter(code=f"BENCH-AQ-{i:03d}").first() or AirStation.objects.create(
            code=f"BENCH-AQ-{i:03d}", name=f"{name}空气站", kind="town", town=town
        )
        jar = DustFallPoint.objects.filter(code=f"BENCH-DF-{i:03d}").first() or DustFallPoint.objects.create(
            code=f"BENCH-DF-{i:03d}", name=f"{name}降尘缸", town=town
        )
        section = RiverSection.objects.filter(code=f"BENCH-P-{i:03d}").first() or section_upsert(
            code=f"BENCH-P-{i:03d}",
            name=f"基准省考断面{i:03d}",
            level="provincial",
            region=district,
            responsible_towns=[town],
        )
        stations.append(station.pk)
        jars.append(jar.pk)
        sections.append(section.pk)
    return stations, jars, sections


def _seed_air(cur, stations: list[int]) -> None:
    from scoring.models import AirDay, AirHour

    hours, days = AirHour._meta.db_table, AirDay._meta.db_table
    cur.execute(f"DELETE FROM {days} WHERE station_id = ANY(%s)", [stations])
    cur.execute(f"DELETE FROM {hours} WHERE station_id = ANY(%s)", [stations])
    cur.execute(
        f"""INSERT INTO {hours} (station_id, at, so2, no2, pm10, pm25, co, o3)
        SELECT s.id, h.at,
               round((4 + 5 * random())::numeric, 0), round((15 + 25 * random())::numeric, 0),
               round((40 + 60 * random())::numeric, 0),
               round((20 + 60 * random() + s.id %% 7 + 10 * sin(extract(doy FROM h.at) / 58.0))::numeric, 0),
               round((0.4 + 0.8 * random())::numeric, 1),
               round((60 + 100 * random())::numeric, 0)
        FROM unnest(%s::bigint[]) AS s(id)
        CROSS JOIN generate_series(%s::timestamptz, %s::timestamptz, interval '1 hour') AS h(at)""",
        [stations, f"{FIRST} 00:00+08", f"{LAST} 23:00+08"],
    )
    cur.execute(
        f"""INSERT INTO {days} (station_id, day, so2, no2, pm10, pm25, co, o3_1h, o3_8h, aqi, "primary",
                               from_hours)
        SELECT station_id, day, so2, no2, pm10, pm25, co, o3_1h, o3_8h,
               CASE WHEN random() < 0.03 THEN NULL ELSE ceil(pm25 * 1.35)::int END, 'pm25', true
        FROM (SELECT station_id, (at AT TIME ZONE 'Asia/Shanghai')::date AS day,
                     round(avg(so2), 0) AS so2, round(avg(no2), 0) AS no2, round(avg(pm10), 0) AS pm10,
                     round(avg(pm25), 0) AS pm25, round(avg(co), 1) AS co, max(o3) AS o3_1h,
                     round(avg(o3) * 1.2, 0) AS o3_8h
              FROM {hours} WHERE station_id = ANY(%s) GROUP BY 1, 2) AS d""",
        [stations],
    )


def _seed_dust(cur, jars: list[int]) -> None:
    from scoring.models import DustFallReading

    table = DustFallReading._meta.db_table
    cur.execute(f"DELETE FROM {table} WHERE point_id = ANY(%s)", [jars])
    cur.execute(
        f"""INSERT INTO {table} (point_id, start, "end", deposit)
        SELECT p.id, m.month::date, (m.month + interval '1 month' - interval '1 day')::date,
               round((2.5 + 3 * random() + p.id %% 5 * 0.2)::numeric, 3)
        FROM unnest(%s::bigint[]) AS p(id)
        CROSS JOIN generate_series(%s::date, %s::date, interval '1 month') AS m(month)""",
        [jars, FIRST, LAST],
    )


def _seed_water(cur, sections: list[int]) -> None:
    from scoring.models import Measurement

    table = Measurement._meta.db_table
    values = " UNION ALL ".join(
        f"SELECT '{k}' AS indicator, {base}::numeric AS base, {amp}::numeric AS amp"
        for k, (base, amp) in WATER.items()
    )
    cur.execute(f"DELETE FROM {table} WHERE section_id = ANY(%s)", [sections])
    cur.execute(
        f"""INSERT INTO {table} (section_id, sampled_at, indicator, value, below_detection, source)
        SELECT s.id, h.at, i.indicator,
               round(GREATEST(0.001, i.base + i.amp * (0.6 * sin(extract(doy FROM h.at) / 58.0 + s.id)
                    + 0.4 * (random() - 0.5)))::numeric, 4),
               i.indicator IN ('nh3n', 'tp') AND random() < 0.01, 'automatic'
        FROM unnest(%s::bigint[]) AS s(id)
        CROSS JOIN generate_series(%s::timestamptz, %s::timestamptz, interval '{WATER_EVERY} hours') AS h(at)
        CROSS JOIN ({values}) AS i""",
        [sections, f"{FIRST} 00:00+08", f"{LAST} 23:00+08"],
    )


def setup() -> tuple[list[int], list[int], list[int]]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from scoring.models import AirDay, AirHour, DustFallReading, Measurement

    stations, jars, sections = _towns_and_points()
    n_days = (LAST - FIRST).days + 1
    n_months = (LAST.year - FIRST.year) * 12 + LAST.month - FIRST.month + 1
    start = time.perf_counter()
    seeded = []
    with transaction.atomic(), connection.cursor() as cur:
        if AirHour.objects.filter(station_id__in=stations).count() != TOWNS * n_days * 24 or (
            AirDay.objects.filter(station_id__in=stations).count() != TOWNS * n_days
        ):
            _seed_air(cur, stations)
            seeded += [AirHour._meta.db_table, AirDay._meta.db_table]
        if DustFallReading.objects.filter(point_id__in=jars).count() != TOWNS * n_months:
            _seed_dust(cur, jars)
            seeded.append(DustFallReading._meta.db_table)
        expected = TOWNS * n_days * 24 // WATER_EVERY * len(WATER)
        if Measurement.objects.filter(section_id__in=sections).count() != expected:
            _seed_water(cur, sections)
            seeded.append(Measurement._meta.db_table)
    if seeded:
        # Steady state, as production reads it (visibility map, hint bits, statistics).
        with connection.cursor() as cur:
            for table in seeded:
                cur.execute(f"VACUUM ANALYZE {table}")
        print(f"  generated {', '.join(seeded)} in {time.perf_counter() - start:.0f} s")
    return stations, jars, sections


RAW = """
SELECT 'air', st.town_id, NULL, AVG(d.aqi)
FROM scoring_airday d JOIN geo_airstation st ON st.id = d.station_id
WHERE st.is_active AND d.day >= %(start)s AND d.day <= %(end)s GROUP BY st.town_id
UNION ALL
SELECT 'dust', p.town_id, NULL, AVG(r.deposit * 30 / (r."end" - r.start + 1))
FROM scoring_dustfallreading r JOIN geo_dustfallpoint p ON p.id = r.point_id
WHERE p.is_active AND r.start <= %(end)s AND r."end" >= %(start)s GROUP BY p.town_id
UNION ALL
SELECT 'water', rt.region_id, m.indicator, AVG(m.value)
FROM scoring_measurement m JOIN geo_riversection_responsible_towns rt ON rt.riversection_id = m.section_id
WHERE m.section_id = ANY(ARRAY(SELECT id FROM geo_riversection WHERE is_active AND level = 'provincial'))
  AND m.sampled_at >= %(from)s AND m.sampled_at < %(to)s
GROUP BY rt.region_id, m.indicator
"""  # the sections as an array, so that the (section, time) index is used (a join: a seq scan, 10× slower)


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgis://"):
        sys.exit("bench/dekad 需要 PostGIS：请用 make bench 运行，或设置 DATABASE_URL=postgis://…")
    print(f"bench/dekad  {TOWNS} towns × {FIRST.year}–{LAST.year}: hourly air, monthly dust, water; every 旬")
    setup()
    from django.db import connection

    from scoring.engine.rankings import dekads_between
    from scoring.rankings.selectors import history_of
    from scoring.water.selectors import bounds

    periods = dekads_between(FIRST, LAST)
    spans = [
        {"start": p.start, "end": p.end, "from": a, "to": b}
        for p in periods
        for a, b in [bounds(p.start, p.end)]
    ]

    def raw() -> None:
        with connection.cursor() as cur:
            for span in spans:
                cur.execute(RAW, span)
                cur.fetchall()

    def app() -> None:
        history_of(first=FIRST, last=LAST)

    raw()  # warm the cache for both
    history = history_of(first=FIRST, last=LAST)
    t_raw, t_app = best_of(3, raw, app)
    ratio = t_app / t_raw
    n = len(periods)
    ranked = sum(1 for r in history.dekads[-1].ranking if r.rank is not None)
    print(f"  plain SQL AVG per town (air, dust, water by indicator), {n} 旬:   {t_raw * 1000:8.0f} ms")
    streaks = len(history.persistent_bottom)
    print(f"  history_of ({n} 旬, {ranked} towns ranked, {streaks} streaks):         {t_app * 1000:8.0f} ms")
    print(f"  load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"  ratio     {ratio:.2f}×  target ≤ {TARGET:.1f}×  → {'PASS' if ratio <= TARGET else 'FAIL'}")


if __name__ == "__main__":
    main()
