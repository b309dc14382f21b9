"""Ambient air quality and dust fall (空气质量、降尘量). Pure: no Django; all arithmetic ``Decimal``.

Facts (HJ 633-2012 《环境空气质量指数（AQI）技术规定（试行）》, GB 3095-2012 and its 2018 amendment):
- IAQI_P = (IAQI_Hi − IAQI_Lo) / (BP_Hi − BP_Lo) × (C_P − BP_Lo) + IAQI_Lo on the segment of Table 1 that
  holds C_P; the result is rounded **up** to an integer (HJ 633 §5: 全部进位取整数). A concentration on a
  breakpoint gives that breakpoint's IAQI from either segment (the formula is continuous there).
  Concentrations in μg/m³, CO in mg/m³.
- SO2 1 h above 800 μg/m³: no 1 h IAQI; the 24 h IAQI stands in (Table 1, note 2). O3 8 h above 800 μg/m³:
  no 8 h IAQI; the 1 h IAQI stands in (note 3). Any other concentration above the table's last breakpoint
  has IAQI 500 (the table's end; the standard gives no higher value).
- AQI = max IAQI. Primary pollutant(s) (首要污染物): those whose IAQI equals the AQI, only when AQI > 50;
  exceeding pollutants (超标污染物): IAQI > 100. Categories (Table 2): 0–50 一级 优, 51–100 二级 良,
  101–150 三级 轻度污染, 151–200 四级 中度污染, 201–300 五级 重度污染, > 300 六级 严重污染.
- A day (日报): IAQI of the 24 h means of SO2, NO2, PM10, PM2.5, CO, of O3's highest 1 h mean and of its
  highest 8 h moving mean. Data validity (GB 3095-2012 §8, Table 4): a 24 h mean needs at least 20 valid
  hourly means; an 8 h moving mean at least 6 of its 8 hours; the day's highest 8 h mean (windows ending at
  08:00 … 24:00, i.e. hours 0–7 … 16–23) at least 14 valid 8 h means. A day missing a pollutant's statistic
  has no IAQI for it; a day without any IAQI has no AQI.
- Dust fall (降尘量, HJ 1221-2021 / GB/T 15265): a jar's deposit in t/km² over its exposure days, normalised
  to t/(km²·30 d) = deposit × 30 / days.

Engine choices where the sources leave a detail open (*unconfirmed*; say so to the office):
- Period means (旬, month … via ``scoring.engine.water.periods``) are arithmetic means of the daily values
  (AQI and each pollutant's daily statistic), rounded half-up to 1 decimal (CO: 3). The official annual
  statistic for O3 is the 90th percentile of the daily 8 h maximum and for CO the 95th percentile of the
  24 h means: not used for 旬 / month rankings.
- A dust-fall period mean weights each jar's 30-day rate by the days its exposure overlaps the period, so a
  monthly jar also gives each 旬 a value.

Modules: ``iaqi`` (Table 1 and 2, IAQI, AQI, categories), ``daily`` (hourly → a day), ``dust``,
``periods`` (period means).
"""

from .daily import (
    STATISTICS,
    AirDayValues,
    Day,
    DayProblem,
    HourAqi,
    HourlyValues,
    day_from_hours,
    day_of,
    hour_aqi,
)
from .dust import DustReading, dust_period_mean, dust_rate
from .iaqi import (
    BREAKPOINTS,
    CATEGORIES,
    IAQI_STEPS,
    POLLUTANTS,
    Averaging,
    Category,
    Pollutant,
    aqi_of,
    category_of,
    iaqi,
    primary_pollutants,
)
from .periods import PeriodAir, Totals, air_period_means, mean_of_total, period_from_totals, places_of

__all__ = [
    "BREAKPOINTS",
    "CATEGORIES",
    "IAQI_STEPS",
    "POLLUTANTS",
    "STATISTICS",
    "AirDayValues",
    "Averaging",
    "Category",
    "Day",
    "DayProblem",
    "DustReading",
    "HourAqi",
    "HourlyValues",
    "PeriodAir",
    "Pollutant",
    "Totals",
    "air_period_means",
    "aqi_of",
    "category_of",
    "day_from_hours",
    "day_of",
    "dust_period_mean",
    "dust_rate",
    "hour_aqi",
    "iaqi",
    "mean_of_total",
    "period_from_totals",
    "places_of",
    "primary_pollutants",
]
