"""Per-town air and dust-fall values over a period: the sources of the 每旬 逆序排名 (65号 item 38) and of the
town view. Unscoped — the caller scopes. Contract (i19-dekad's indicator registry calls these):

- ``town_air_values(start=, end=)`` → town region id → the period's mean AQI: each active station's mean of
  its daily AQI over ``start``–``end`` (inclusive), then the mean of the town's stations (a station that
  reported more days does not weigh more), 0.1, half to even; None when no station of the town has a valid
  day. Every town with an active station is a key.
- ``town_dust_values(start=, end=)`` → town region id → mean dust fall, t/(km²·30 d): each active jar's
  overlap-weighted mean (``scoring.engine.air.dust_period_mean``), then the mean of the town's jars, 0.01.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import connection
from django.db.models import Count, Q, Sum

from geo.models import AirStation, DustFallPoint

from ..engine import air as engine
from ..models import AirDay, DustFallReading

_TENTH, _HUNDREDTH = Decimal("0.1"), Decimal("0.01")


def _mean(values: Iterable[Decimal | None], places: Decimal) -> Decimal | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    return (sum(present, Decimal(0)) / len(present)).quantize(places, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class TownAir:
    stations: int
    aqi: Decimal | None  # mean of the stations' mean AQI
    means: dict[str, Decimal | None]  # statistic → mean of the stations' means
    days: int  # station-days with an AQI
    good_days: int  # of which 优良 (AQI ≤ 100)


def town_air(*, start: date, end: date, town_ids: Iterable[int] | None = None) -> dict[int, TownAir]:
    """Each town with an active station (or those of ``town_ids``): its stations' period values averaged.
    One GROUP BY station over the stored days (sums and counts; ``engine.period_from_totals`` rounds them
    exactly as ``engine.air_period_means`` would the days themselves)."""
    stations = AirStation.objects.filter(is_active=True)
    if town_ids is not None:
        stations = stations.filter(town_id__in=list(town_ids))
    town_of = dict(stations.values_list("pk", "town_id"))
    sums = {f"{k}_sum": Sum(k) for k in engine.STATISTICS} | {f"{k}_n": Count(k) for k in engine.STATISTICS}
    rows = (
        AirDay.objects.filter(station_id__in=list(town_of), day__gte=start, day__lte=end)
        .values("station_id")
        .annotate(aqi_sum=Sum("aqi"), aqi_n=Count("aqi"), good=Count("aqi", filter=Q(aqi__lte=100)), **sums)
        .order_by()
    )
    totals = {
        r["station_id"]: engine.Totals(
            r["aqi_sum"] or 0,
            r["aqi_n"],
            r["good"],
            {k: (Decimal(r[f"{k}_sum"] or 0), r[f"{k}_n"]) for k in engine.STATISTICS},
        )
        for r in rows
    }
    empty = engine.Totals(0, 0, 0, {})
    per_town: dict[int, list[engine.PeriodAir]] = defaultdict(list)
    for station_id, town_id in town_of.items():
        per_town[town_id].append(engine.period_from_totals(totals.get(station_id, empty)))
    return {
        town_id: TownAir(
            stations=len(airs),
            aqi=_mean((a.aqi for a in airs), _TENTH),
            means={k: _mean((a.means[k] for a in airs), engine.places_of(k)) for k in engine.STATISTICS},
            days=sum(a.days for a in airs),
            good_days=sum(a.good_days for a in airs),
        )
        for town_id, airs in per_town.items()
    }


def town_air_values(*, start: date, end: date) -> dict[int, Decimal | None]:
    """Town region id → the period's mean AQI over the town's stations (None: no valid day). The AQI alone,
    in one statement (plain SQL that both databases run: the ranking calls this once per 旬, and the ORM's
    compiling was a third of its time): every active station LEFT JOINed to its days of the period (the
    dates in the join condition, so the (day, station) index is used), summed per station; then the engine's
    rounding, station → town — ``town_air``'s AQI (a test holds them equal)."""
    with connection.cursor() as cursor:
        cursor.execute(_AQI_SQL, [start, end])
        rows = cursor.fetchall()
    per_town: dict[int, list[Decimal | None]] = defaultdict(list)
    for town_id, total, n in rows:
        per_town[town_id].append(engine.mean_of_total(total, n) if n else None)
    return {town_id: _mean(means, _TENTH) for town_id, means in per_town.items()}


def town_air_series(*, spans: Sequence[tuple[date, date]]) -> list[dict[int, Decimal | None]]:
    """:func:`town_air_values` for each of ``spans`` (ascending, disjoint: the 旬 of a ranking history), in
    two statements for the whole range instead of one per span: the active stations, then their days with
    an AQI, summed per station and span here (integers: the same totals as the per-span SUM)."""
    if not spans:
        return []
    town_of = dict(AirStation.objects.filter(is_active=True).values_list("pk", "town_id"))
    starts = [s for s, _ in spans]
    totals: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    with connection.cursor() as cursor:
        cursor.execute(_AQI_DAYS_SQL, [spans[0][0], spans[-1][1]])
        for station_id, day, aqi in cursor.fetchall():
            day = day if isinstance(day, date) else date.fromisoformat(day)
            i = bisect_right(starts, day) - 1
            if i >= 0 and day <= spans[i][1]:
                t = totals[(i, station_id)]
                t[0] += aqi
                t[1] += 1
    out = []
    for i in range(len(spans)):
        per_town: dict[int, list[Decimal | None]] = defaultdict(list)
        for station_id, town_id in town_of.items():
            total, n = totals.get((i, station_id), (0, 0))
            per_town[town_id].append(engine.mean_of_total(total, n) if n else None)
        out.append({town_id: _mean(means, _TENTH) for town_id, means in per_town.items()})
    return out


_AQI_DAYS_SQL = f"""
SELECT d.station_id, d.day, d.aqi
FROM {AirDay._meta.db_table} d JOIN {AirStation._meta.db_table} st ON st.id = d.station_id
WHERE st.is_active AND d.day >= %s AND d.day <= %s AND d.aqi IS NOT NULL
"""  # noqa: S608 - table names from the models, values as parameters

_AQI_SQL = f"""
SELECT st.town_id, SUM(d.aqi), COUNT(d.aqi)
FROM {AirStation._meta.db_table} st
LEFT JOIN {AirDay._meta.db_table} d ON d.station_id = st.id AND d.day >= %s AND d.day <= %s
WHERE st.is_active
GROUP BY st.id, st.town_id
"""  # noqa: S608 - table names from the models, values as parameters


def town_dust(*, start: date, end: date, town_ids: Iterable[int] | None = None) -> dict[int, Decimal | None]:
    """Each town with an active dust-fall jar (or of ``town_ids``): the mean of its jars' period means."""
    points = DustFallPoint.objects.filter(is_active=True)
    if town_ids is not None:
        points = points.filter(town_id__in=list(town_ids))
    town_of = dict(points.values_list("pk", "town_id"))
    readings: dict[int, list[engine.DustReading]] = defaultdict(list)
    rows = DustFallReading.objects.filter(point_id__in=list(town_of), start__lte=end, end__gte=start)
    for point_id, s, e, deposit in rows.values_list("point_id", "start", "end", "deposit"):
        readings[point_id].append(engine.DustReading(s, e, deposit))
    per_town: dict[int, list[Decimal | None]] = defaultdict(list)
    for point_id, town_id in town_of.items():
        per_town[town_id].append(engine.dust_period_mean(readings.get(point_id, []), start, end))
    return {town_id: _mean(values, _HUNDREDTH) for town_id, values in per_town.items()}


def town_dust_series(*, spans: Sequence[tuple[date, date]]) -> list[dict[int, Decimal | None]]:
    """:func:`town_dust_values` for each of ``spans``, the jars and their readings read once for the whole
    range (each span's mean takes the readings overlapping it, as the per-span read would)."""
    if not spans:
        return []
    first, last = min(s for s, _ in spans), max(e for _, e in spans)
    town_of = dict(DustFallPoint.objects.filter(is_active=True).values_list("pk", "town_id"))
    readings: dict[int, list[engine.DustReading]] = defaultdict(list)
    rows = DustFallReading.objects.filter(point_id__in=list(town_of), start__lte=last, end__gte=first)
    for point_id, s, e, deposit in rows.values_list("point_id", "start", "end", "deposit"):
        readings[point_id].append(engine.DustReading(s, e, deposit))
    out = []
    for start, end in spans:
        per_town: dict[int, list[Decimal | None]] = defaultdict(list)
        for point_id, town_id in town_of.items():
            overlapping = [r for r in readings.get(point_id, ()) if r.start <= end and r.end >= start]
            per_town[town_id].append(engine.dust_period_mean(overlapping, start, end))
        out.append({town_id: _mean(values, _HUNDREDTH) for town_id, values in per_town.items()})
    return out


def town_dust_values(*, start: date, end: date) -> dict[int, Decimal | None]:
    """Town region id → mean dust fall over the period, t/(km²·30 d) (None: no jar exposed in it)."""
    return town_dust(start=start, end=end)
