"""Where the ranking's indicator values come from: key → a function of the span (keyword ``start``,
``end``, both inclusive) answering town region id → value (None: the town is monitored but has no valid
data in the span; every monitored town is a key). Unscoped: the ranking is the district's.

Another programme joins the ranking with one function and one entry here; a scheme naming a key that has
no source has that indicator left out for every town, and says so."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from ..air.indicators import town_air_values, town_dust_values
from ..water.services import town_cwqi_values


def water_cwqi(*, start: date, end: date) -> dict[int, Decimal | None]:
    """The CWQI of the provincial (省考) sections each town is responsible for (环办监测〔2017〕51号)."""
    return town_cwqi_values(start=start, end=end)


INDICATORS: dict[str, Callable[..., dict[int, Decimal | None]]] = {
    "water.cwqi": water_cwqi,
    "air.aqi": town_air_values,  # the 旬's mean AQI over the town's stations (HJ 633)
    "dust.fall": town_dust_values,  # mean dust fall, t/(km²·30 d)
}
