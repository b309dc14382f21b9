"""River-section water quality: importing measurement files, and turning the database's period means into
evaluations, yearly status, town indicators and the 每旬 reverse ranking with the pure engine.

Modules: ``imports`` (uploads and the import job), ``evaluations``, ``statuses``, ``rankings``,
``reports``."""

from .evaluations import (
    evaluate_stateless,
    evaluations,
    period_of,
    section_ids,
)
from .imports import (
    ON_DUPLICATE,
    measurement_import_apply,
    measurement_import_create,
    measurement_import_get,
    measurement_import_process,
    measurement_import_retry,
    measurement_imports_recent,
    measurement_imports_requeue_stalled,
    measurement_may_import,
)
from .rankings import dekad_ranking, town_cwqi_series, town_cwqi_values, town_indicators
from .reports import monthly_report
from .statuses import section_statuses

__all__ = [
    "ON_DUPLICATE",
    "dekad_ranking",
    "evaluate_stateless",
    "evaluations",
    "measurement_import_apply",
    "measurement_import_create",
    "measurement_import_get",
    "measurement_import_process",
    "measurement_import_retry",
    "measurement_imports_recent",
    "measurement_imports_requeue_stalled",
    "measurement_may_import",
    "monthly_report",
    "period_of",
    "section_ids",
    "section_statuses",
    "town_cwqi_series",
    "town_cwqi_values",
    "town_indicators",
]
