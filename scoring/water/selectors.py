"""Reading river-section measurements: period means are computed by the database (one GROUP BY over the
period's rows, below-detection values counted by the configured rule), then evaluated by the pure engine
(`scoring/engine/water/`). Nothing here loads individual samples into Python."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Avg, Case, DecimalField, F, Max, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from geo.models import RiverSection

from ..engine import water
from ..models import Measurement

_MEAN = DecimalField(max_digits=24, decimal_places=10)
_CENSORED_FACTOR = {
    water.CensoredRule.HALF_DL: Decimal("0.5"),
    water.CensoredRule.DL: Decimal(1),
    water.CensoredRule.ZERO: Decimal(0),
}


def censored_rule() -> water.CensoredRule:
    return water.CensoredRule(settings.WATER_CENSORED_RULE)


def _value_expr(rule: water.CensoredRule) -> Case:
    """The value a sample contributes to a mean: a below-detection one as the rule says."""
    factor = _CENSORED_FACTOR[rule]
    return Case(
        When(below_detection=True, then=F("value") * Value(factor, output_field=_MEAN)),
        default=F("value"),
        output_field=_MEAN,
    )


def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, last + 1 day 00:00) in the service's time zone (Asia/Shanghai)."""
    tz = timezone.get_default_timezone()
    return datetime.combine(first, time(), tz), datetime.combine(last + timedelta(days=1), time(), tz)


def _rows(section_ids: Iterable[int], first: date, last: date) -> QuerySet[Measurement]:
    start, end = bounds(first, last)
    return Measurement.objects.filter(
        section_id__in=list(section_ids), sampled_at__gte=start, sampled_at__lt=end
    )


def period_means(
    section_ids: Iterable[int], first: date, last: date, *, rule: water.CensoredRule | None = None
) -> dict[int, dict[str, Decimal]]:
    """Per section, each indicator's arithmetic mean over the samples taken from ``first`` to ``last``."""
    rule = rule or censored_rule()
    out: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = (
        _rows(section_ids, first, last)
        .values("section_id", "indicator")
        .annotate(mean=Avg(_value_expr(rule), output_field=_MEAN))
        .order_by()
    )
    for row in rows:
        out[row["section_id"]][row["indicator"]] = Decimal(str(row["mean"]))
    return out


def monthly_means(
    section_ids: Iterable[int], first: date, last: date, *, rule: water.CensoredRule | None = None
) -> dict[int, dict[tuple[int, int], dict[str, Decimal]]]:
    """Per section and (year, month), each indicator's mean: one GROUP BY over the whole range."""
    rule = rule or censored_rule()
    tz = timezone.get_default_timezone()
    out: dict[int, dict[tuple[int, int], dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    rows = (
        _rows(section_ids, first, last)
        .annotate(month=TruncMonth("sampled_at", tzinfo=tz))
        .values("section_id", "indicator", "month")
        .annotate(mean=Avg(_value_expr(rule), output_field=_MEAN))
        .order_by()
    )
    for row in rows:
        month = row["month"]
        out[row["section_id"]][(month.year, month.month)][row["indicator"]] = Decimal(str(row["mean"]))
    return out


def period_values(section_ids: list[int], period: water.Period) -> dict[int, dict[str, Decimal]]:
    """Each section's indicator values for an engine period: the samples' mean, or for quarters, years
    and year-to-date the mean of monthly means when ``WATER_MEAN_OF`` says so (*unconfirmed* rule)."""
    long = period.kind in (water.PeriodKind.QUARTER, water.PeriodKind.YEAR, water.PeriodKind.YTD)
    if not long or water.MeanOf(settings.WATER_MEAN_OF) is water.MeanOf.SAMPLES:
        return period_means(section_ids, period.start, period.end)
    out: dict[int, dict[str, Decimal]] = {}
    for section_id, months in monthly_means(section_ids, period.start, period.end).items():
        by_key: dict[str, list[Decimal]] = defaultdict(list)
        for values in months.values():
            for key, v in values.items():
                by_key[key].append(v)
        out[section_id] = {k: sum(vs, Decimal(0)) / len(vs) for k, vs in by_key.items()}
    return out


def evaluate_values(section: RiverSection, values: dict[str, Any]) -> water.Evaluation:
    return water.evaluate(values, section.water_body, section.target_class)


def measurement_list(
    *, section_ids: list[int], indicator: str | None, first: date | None, last: date | None
) -> QuerySet[Measurement]:
    qs = Measurement.objects.filter(section_id__in=section_ids)
    if indicator:
        qs = qs.filter(indicator=indicator)
    if first or last:
        start, end = bounds(first or date(1900, 1, 1), last or date(2999, 12, 30))
        qs = qs.filter(sampled_at__gte=start, sampled_at__lt=end)
    return qs.select_related("section").order_by("section__code", "sampled_at", "indicator")


_SAMPLES_TABLE = Measurement._meta.db_table
LATEST_SAMPLES_SQL = (
    "SELECT m.section_id AS section_id, MAX(m.sampled_at) AS sampled_at "  # noqa: S608 - a table name
    f"FROM {_SAMPLES_TABLE} m WHERE {{sections}} GROUP BY m.section_id"
)
"""``latest_classes``' first read for hand-written statements that read it with others: the latest sample
of each section among ``{sections}`` (a condition on ``m.section_id``); pass its rows as ``last``."""


def latest_classes(
    section_ids: list[int], *, last: dict[int, datetime] | None = None
) -> dict[int, dict[str, Any]]:
    """Each section's water class in the latest month it was measured (Asia/Shanghai months), as the
    engine evaluates that month: ``{id: {class, class_label, meets_target, month: date}}``; sections never
    measured, or whose latest month gives no class, are absent. ``last``: each section's latest sample as
    already read (``LATEST_SAMPLES_SQL``), instead of reading it here."""
    if not section_ids:
        return {}
    if last is None:
        last = dict(
            Measurement.objects.filter(section_id__in=section_ids)
            .values("section_id")
            .annotate(last=Max("sampled_at"))
            .values_list("section_id", "last")
        )
    by_month: dict[date, list[int]] = defaultdict(list)
    for section_id, at in last.items():
        by_month[timezone.localtime(at).date().replace(day=1)].append(section_id)
    sections = RiverSection.objects.in_bulk(list(last))
    out: dict[int, dict[str, Any]] = {}
    for month, ids in by_month.items():
        values = period_values(ids, water.period_of(month, water.PeriodKind.MONTH))
        for section_id in ids:
            if not values.get(section_id):
                continue
            ev = evaluate_values(sections[section_id], values[section_id])
            if ev.klass is not None:
                out[section_id] = {"class": ev.klass, "class_label": ev.class_label,
                                   "meets_target": ev.meets_target, "month": month}  # fmt: skip
    return out
