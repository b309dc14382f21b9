"""bench/sewage: the 双60 treatment rate and the normal-operation rate for 100 towns × 50,000 facilities ×
200,000 natural villages on PostGIS, next to one SQL aggregate computing both rates per town from the
same rows, in one run.

Data: 1 district, 100 towns, 2,000 administrative villages (20 per town), 200,000 natural villages (100
per village, 10–80 households), 50,000 facilities (25 per village, 1–60 t/d; ~5 % stopped, ~1 % beyond
repair, ~1 % under construction), each serving 4 natural villages of its own village (200,000 service
rows; per village a share of 10–90 % of its natural villages reaches 60 % of households, about half
overall), and one approved audit for ~80 % of the facilities (mostly normal; stopped, damaged, pipe
network missing, no meter). Generated in SQL, hash-based and deterministic; a re-run reuses it.
Measured: ``scoring.sewage.services.report`` (load regions, facilities, services and each facility's
latest audit, then the pure engine) against one SQL statement computing, per town, both rates'
numerators and denominators with the same rules. Target: within 3× of the SQL. Run with ``make bench``.
"""

from __future__ import annotations

import os
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import best_of  # noqa: E402 - after the path is set

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
TARGET = 3.0
TOWNS, VILLAGES_PER_TOWN, NATURAL_PER_VILLAGE = 100, 20, 100
FACILITIES_PER_VILLAGE, SERVED_PER_FACILITY = 25, 4  # 25 × 4 = 100: every natural village served once
VILLAGES = TOWNS * VILLAGES_PER_TOWN
NATURALS = VILLAGES * NATURAL_PER_VILLAGE
FACILITIES = VILLAGES * FACILITIES_PER_VILLAGE
SERVICES = FACILITIES * SERVED_PER_FACILITY
TOWN_PREFIX, FACILITY_PREFIX = "基准污水镇", "BENCH-F"


def h(expr: str, salt: int, n: int) -> str:
    """SQL for a deterministic pseudo-random integer in [0, n) from an integer expression and a salt."""
    return f"mod(hashint8extended(({expr})::bigint, {salt}) & 2147483647, {n})::int"


# Region rows: id from the identity sequence first, so that the path (parent's path + id) is written in
# the same INSERT. Bench rows carry their ordinal in their name (towns 3 digits, villages 4, natural
# villages 6) so that the pseudo-random values do not depend on the ids the database hands out.
REGION_COLUMNS = """(id, level, path, name, code, code_source, alt_codes, town_kind, households,
    geometry_quality, is_synthetic, created_at, updated_at, parent_id)"""
INSERT_TOWNS = f"""
WITH n AS (SELECT nextval(pg_get_serial_sequence('geo_region', 'id')) AS id, i
           FROM generate_series(0, {TOWNS - 1}) AS i ORDER BY i)
INSERT INTO geo_region {REGION_COLUMNS}
SELECT n.id, 'town', d.path || n.id || '/', %s || lpad(n.i::text, 3, '0'), NULL, '', '[]', 'town', NULL,
       'synthetic', true, now(), now(), d.id
FROM n CROSS JOIN (SELECT id, path FROM geo_region WHERE id = %s) AS d
RETURNING id
"""
INSERT_VILLAGES = f"""
WITH n AS (SELECT nextval(pg_get_serial_sequence('geo_region', 'id')) AS id, t.id AS parent_id, t.path,
                  right(t.name, 3)::int * {VILLAGES_PER_TOWN} + j AS v
           FROM geo_region t CROSS JOIN generate_series(0, {VILLAGES_PER_TOWN - 1}) AS j
           WHERE t.id = ANY(%s) ORDER BY 4)
INSERT INTO geo_region {REGION_COLUMNS}
SELECT id, 'village', path || id || '/', '基准村' || lpad(v::text, 4, '0'), NULL, '', '[]', '', NULL,
       'synthetic', true, now(), now(), parent_id
FROM n
"""
INSERT_NATURALS = f"""
WITH n AS (SELECT nextval(pg_get_serial_sequence('geo_region', 'id')) AS id, v.id AS parent_id, v.path,
                  right(v.name, 4)::int * {NATURAL_PER_VILLAGE} + k AS g
           FROM geo_region v CROSS JOIN generate_series(0, {NATURAL_PER_VILLAGE - 1}) AS k
           WHERE v.parent_id = ANY(%s) ORDER BY 4)
INSERT INTO geo_region {REGION_COLUMNS}
SELECT id, 'natural_village', path || id || '/', '基准自然村' || lpad(g::text, 6, '0'), NULL, '', '[]', '',
       10 + {h("g", 1, 71)}, 'synthetic', true, now(), now(), parent_id
FROM n
"""
# Statuses: ~1 % beyond repair, ~1 % under construction (not yet commissioned: no date), ~5 % stopped.
INSERT_FACILITIES = f"""
WITH f AS (SELECT v.id AS village_id, right(v.name, 4)::int * {FACILITIES_PER_VILLAGE} + k AS g
           FROM geo_region v CROSS JOIN generate_series(0, {FACILITIES_PER_VILLAGE - 1}) AS k
           WHERE v.parent_id = ANY(%s)),
s AS (SELECT f.*, CASE WHEN {h("g", 2, 1000)} < 10 THEN 'beyond_repair'
                       WHEN {h("g", 2, 1000)} < 20 THEN 'under_construction'
                       WHEN {h("g", 2, 1000)} < 70 THEN 'stopped' ELSE 'in_service' END AS status,
             (100 + {h("g", 3, 5901)}) / 100.0 AS capacity
      FROM f)
INSERT INTO geo_sewagefacility (location, location_datum, location_raw_lon, location_raw_lat,
    location_quality, code, name, capacity_tpd, process, meter_number, operator, funding_wan, status,
    commissioned_on, is_synthetic, created_at, updated_at, village_id)
SELECT NULL, '', NULL, NULL, 'synthetic', %s || lpad(g::text, 5, '0'), '基准设施' || lpad(g::text, 5, '0'),
       capacity, (ARRAY['A/O', 'A2/O', 'MBR', '人工湿地', '生物接触氧化'])[1 + {h("g", 4, 5)}],
       CASE WHEN capacity >= 20 THEN 'BENCH-M' || lpad(g::text, 5, '0') ELSE '' END, '基准运维公司',
       NULL, status,
       CASE WHEN status <> 'under_construction' THEN DATE '2012-01-01' + {h("g", 5, 3650)}::int END,
       true, now(), now(), village_id
FROM s ORDER BY g
"""
# Facility k of a village serves its natural villages 4k … 4k+3. Per village, a share p of 10–90 % of its
# natural villages gets ≥ 60 % of its households served (half of them overall), the others 10–59 %.
INSERT_SERVICES = f"""
WITH f AS (SELECT id, village_id, mod(right(code, 5)::int, {FACILITIES_PER_VILLAGE}) AS k
           FROM geo_sewagefacility WHERE starts_with(code, %s)),
n AS (SELECT id, parent_id, households, right(name, 6)::int AS g FROM geo_region
      WHERE level = 'natural_village' AND parent_id IN (SELECT id FROM geo_region WHERE parent_id = ANY(%s)))
INSERT INTO geo_facilityservice (facility_id, natural_village_id, households)
SELECT f.id, n.id,
       CASE WHEN {h("n.g", 6, 100)} < 10 + {h(f"n.g / {NATURAL_PER_VILLAGE}", 7, 81)}
            THEN (n.households * (60 + {h("n.g", 8, 41)}) + 99) / 100
            ELSE n.households * (10 + {h("n.g", 8, 50)}) / 100 END
FROM f JOIN n ON n.parent_id = f.village_id
             AND mod(n.g, {NATURAL_PER_VILLAGE}) / {SERVED_PER_FACILITY} = f.k
ORDER BY f.id, n.id
"""
# One approved audit in the past year for ~80 % of the facilities in operation; its status is the
# registry's (the audit set it), its condition follows: stopped → stopped, beyond repair → damaged,
# in service → mostly normal, some pipe network missing or no meter.
INSERT_CONDITIONS = f"""
WITH f AS (SELECT id, status, right(code, 5)::int AS g FROM geo_sewagefacility
           WHERE starts_with(code, %s) AND status IN ('in_service', 'stopped', 'beyond_repair'))
INSERT INTO geo_facilitycondition (facility_id, conditions, status, inspection_uuid, approved_at)
SELECT id,
       jsonb_build_array(CASE WHEN status = 'stopped' THEN 'stopped'
                              WHEN status = 'beyond_repair' THEN 'damaged'
                              WHEN {h("g", 9, 100)} < 88 THEN 'normal'
                              WHEN {h("g", 9, 100)} < 94 THEN 'pipe_network_missing'
                              ELSE 'no_meter' END),
       status, md5('BENCH-audit-' || g)::uuid,
       date_trunc('minute', now()) - make_interval(mins => 1 + {h("g", 10, 365 * 24 * 60 - 1)})
FROM f WHERE {h("g", 11, 100)} < 82
ORDER BY id
"""
DELETE_BENCH = (  # a dataset of other sizes (or a partial one): bottom-up
    "DELETE FROM geo_facilitycondition WHERE facility_id IN"
    " (SELECT id FROM geo_sewagefacility WHERE starts_with(code, %(f)s))",
    "DELETE FROM geo_facilityservice WHERE facility_id IN"
    " (SELECT id FROM geo_sewagefacility WHERE starts_with(code, %(f)s))",
    "DELETE FROM geo_sewagefacility WHERE starts_with(code, %(f)s)",
    "DELETE FROM geo_region WHERE parent_id IN (SELECT id FROM geo_region WHERE parent_id = ANY(%(t)s))",
    "DELETE FROM geo_region WHERE parent_id = ANY(%(t)s)",
    "DELETE FROM geo_region WHERE id = ANY(%(t)s)",
)


def setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from geo.models import FacilityCondition, FacilityService, Region, SewageFacility
    from geo.services import region_create

    tables = [m._meta.db_table for m in (Region, SewageFacility, FacilityService, FacilityCondition)]
    assert tables == ["geo_region", "geo_sewagefacility", "geo_facilityservice", "geo_facilitycondition"]
    district = Region.objects.filter(level="district").first() or region_create(
        level="district", name="基准区"
    )
    towns = list(
        Region.objects.filter(parent=district, name__startswith=TOWN_PREFIX).values_list("pk", flat=True)
    )
    facilities = SewageFacility.objects.filter(code__startswith=FACILITY_PREFIX)
    if (
        len(towns) == TOWNS
        and Region.objects.filter(parent__parent__in=towns, level="natural_village").count() == NATURALS
        and facilities.count() == FACILITIES
        and FacilityService.objects.filter(facility__in=facilities).count() == SERVICES
    ):
        return  # already generated (a re-run on the same database)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        for sql in DELETE_BENCH if towns else ():
            cur.execute(sql, {"f": FACILITY_PREFIX, "t": towns})
        cur.execute(INSERT_TOWNS, [TOWN_PREFIX, district.pk])
        towns = [row[0] for row in cur.fetchall()]
        cur.execute(INSERT_VILLAGES, [towns])
        cur.execute(INSERT_NATURALS, [towns])
        cur.execute("ANALYZE geo_region")  # the planner must know the tables it joins next are large
        cur.execute(INSERT_FACILITIES, [towns, FACILITY_PREFIX])
        cur.execute("ANALYZE geo_sewagefacility")
        cur.execute(INSERT_SERVICES, [FACILITY_PREFIX, towns])
        cur.execute(INSERT_CONDITIONS, [FACILITY_PREFIX])
    with connection.cursor() as cur:  # outside the transaction: statistics, visibility map, hint bits
        for table in tables:
            cur.execute(f"VACUUM ANALYZE {table}")
    print(
        f"  generated {TOWNS + VILLAGES + NATURALS:,} regions, {FACILITIES:,} facilities, {SERVICES:,} "
        f"services and their audits in {time.perf_counter() - start:.0f} s"
    )


# Both rates per town in one statement, with the engine's rules (scoring/engine/sewage/): a facility
# counts from its commissioning date; its status and conditions are those of its latest audit approved by
# the end of the day (else the registry's status, conditions unknown); a natural village's treated
# households are min(households, Σ served by treating facilities); the 双60 thresholds compare integers;
# a facility in scope is normal without a not-normal condition (its status implies one; no_meter counts
# from the meter capacity), never-audited ones by the never_audited rule.
RAW = """
WITH facility AS (
    SELECT f.id, f.village_id,
           COALESCE(a.status, f.status) = ANY(%(treating)s) AS treating,
           COALESCE(a.status, f.status) = ANY(%(in_scope)s) AS in_scope,
           a.conditions IS NULL AS never_audited,
           COALESCE(a.conditions ?| %(not_normal)s, false)
           OR COALESCE(CASE COALESCE(a.status, f.status) WHEN 'stopped' THEN 'stopped'
                                                         WHEN 'beyond_repair' THEN 'damaged' END
                       = ANY(%(not_normal)s), false)
           OR (%(meter_counts)s AND f.capacity_tpd >= %(meter)s
               AND COALESCE(a.conditions ? 'no_meter', false))
           AS not_normal
    FROM geo_sewagefacility f
    LEFT JOIN (SELECT DISTINCT ON (facility_id) facility_id, status, conditions
               FROM geo_facilitycondition WHERE approved_at < %(end)s
               ORDER BY facility_id, approved_at DESC, id DESC) AS a ON a.facility_id = f.id
    WHERE f.commissioned_on IS NULL OR f.commissioned_on <= %(on)s
), village AS (
    SELECT id, parent_id AS town_id FROM geo_region WHERE level = 'village'
), served AS (
    SELECT s.natural_village_id AS id, SUM(s.households) AS served
    FROM geo_facilityservice s JOIN facility f ON f.id = s.facility_id
    WHERE f.treating
    GROUP BY s.natural_village_id
), naturals AS (
    SELECT n.parent_id AS village_id,
           COUNT(*) FILTER (WHERE n.households > 0) AS counted,
           COUNT(*) FILTER (WHERE n.households > 0 AND LEAST(COALESCE(s.served, 0), n.households)
                                  * %(hh_den)s >= n.households * %(hh_num)s) AS treated
    FROM geo_region n LEFT JOIN served s ON s.id = n.id
    WHERE n.level = 'natural_village'
    GROUP BY n.parent_id
), treatment AS (
    SELECT v.town_id,
           COUNT(*) FILTER (WHERE n.counted > 0
                                  AND n.treated * %(av_den)s >= n.counted * %(av_num)s) AS treated,
           COUNT(*) AS villages
    FROM village v LEFT JOIN naturals n ON n.village_id = v.id
    GROUP BY v.town_id
), operation AS (
    SELECT v.town_id,
           COUNT(*) FILTER (WHERE NOT f.not_normal AND NOT f.never_audited) AS normal,
           COUNT(*) FILTER (WHERE f.not_normal OR (f.never_audited AND %(never_audited_counts)s)) AS judged
    FROM facility f JOIN village v ON v.id = f.village_id
    WHERE f.in_scope
    GROUP BY v.town_id
)
SELECT t.id, COALESCE(v.treated, 0), COALESCE(v.villages, 0), COALESCE(o.normal, 0),
       COALESCE(o.normal, 0) + COALESCE(o.judged, 0)
FROM geo_region t LEFT JOIN treatment v ON v.town_id = t.id LEFT JOIN operation o ON o.town_id = t.id
WHERE t.level = 'town'
ORDER BY t.path
"""  # fmt: skip


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgis://"):
        sys.exit("bench/sewage 需要 PostGIS：请用 make bench 运行，或设置 DATABASE_URL=postgis://…")
    print(f"bench/sewage  {TOWNS} towns × {FACILITIES:,} facilities × {NATURALS:,} natural villages")
    setup()
    from django.db import connection
    from django.utils import timezone

    from scoring.sewage import rules as sewage_rules
    from scoring.sewage import services

    on = timezone.localdate()
    rules = sewage_rules.load().rates
    hh, av = Fraction(rules.household_threshold), Fraction(rules.village_threshold)
    not_normal = sorted(rules.not_normal_conditions - {"no_meter"})
    params = {
        "on": on,
        "end": services._end_of(on),
        "treating": sorted(rules.treating_statuses),
        "in_scope": sorted(rules.operation_statuses),
        "hh_num": hh.numerator,
        "hh_den": hh.denominator,
        "av_num": av.numerator,
        "av_den": av.denominator,
        "not_normal": not_normal,
        "meter_counts": "no_meter" in rules.not_normal_conditions,
        "meter": rules.meter_capacity_tpd,
        "never_audited_counts": rules.never_audited == "not_normal",
    }
    towns: list[tuple[int, int, int, int, int]] = []

    def raw() -> None:
        with connection.cursor() as cur:
            cur.execute(RAW, params)
            towns[:] = cur.fetchall()

    raw()  # warm the cache for both
    result = services.report(on)
    t_raw, t_app = best_of(3, raw, lambda: services.report(on))
    ratio = t_app / t_raw

    def pct(num: int, den: int) -> str:
        return f"{num * 100 / den:6.2f} % ({num:,}/{den:,})" if den else "    — (0/0)"

    sql_treatment = [sum(t[i] for t in towns) for i in (1, 2)]
    sql_operation = [sum(t[i] for t in towns) for i in (3, 4)]
    tr, op = result.treatment, result.operation
    print(f"  single SQL aggregate (both rates per town):                 {t_raw * 1000:8.0f} ms")
    print(f"  service: load + 双60 and normal-operation rates (engine):   {t_app * 1000:8.0f} ms")
    print(f"  district 治理率     SQL {pct(*sql_treatment)}  service {pct(tr.numerator, tr.denominator)}")
    print(f"  district 正常运行率 SQL {pct(*sql_operation)}  service {pct(op.numerator, op.denominator)}")
    print(f"  ratio     {ratio:.2f}×  target ≤ {TARGET:.1f}×  → {'PASS' if ratio <= TARGET else 'FAIL'}")


if __name__ == "__main__":
    main()
