"""Where the ranking's indicator values come from: key → a function of the span (keyword ``start``,
``end``, both inclusive) answering town region id → value (None: the town is monitored but has no valid
data in the span; every monitored town is a key). Unscoped: the ranking is the district's.

``SERIES`` gives the same answers for many spans at once (keyword ``spans``: ascending, disjoint
``(start, end)`` pairs, the 旬 of a history) → one mapping per span: a history of 108 旬 reads each source
once for its range instead of once per 旬 (bench/dekad). A key with only a single-span function is called
once per span.

Another programme joins the ranking with one function and one entry here; a scheme naming a key that has
no source has that indicator left out for every town, and says so."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from ..air.indicators import town_air_series, town_air_values, town_dust_series, town_dust_values
from ..water.services import town_cwqi_series, town_cwqi_values

Values = dict[int, Decimal | None]


def water_cwqi(*, start: date, end: date) -> Values:
    """The CWQI of the provincial (省考) sections each town is responsible for (环办监测〔2017〕51号)."""
    return town_cwqi_values(start=start, end=end)


def water_cwqi_series(*, spans: Sequence[tuple[date, date]]) -> list[Values]:
    return town_cwqi_series(spans=spans)


INDICATORS: dict[str, Callable[..., Values]] = {
    "water.cwqi": water_cwqi,
    "air.aqi": town_air_values,  # the 旬's mean AQI over the town's stations (HJ 633)
    "dust.fall": town_dust_values,  # mean dust fall, t/(km²·30 d)
}

SERIES: dict[str, Callable[..., list[Values]]] = {
    "water.cwqi": water_cwqi_series,
    "air.aqi": town_air_series,
    "dust.fall": town_dust_series,
}


def series(key: str, spans: Sequence[tuple[date, date]]) -> list[Values]:
    """The indicator ``key`` for each span (``SERIES`` when it has one, else its function per span)."""
    many = SERIES.get(key)
    if many is not None:
        return many(spans=spans)
    one = INDICATORS[key]
    return [one(start=start, end=end) for start, end in spans]
