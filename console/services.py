"""The one place the console imports other rooms' services and selectors.

Pages import what they need from here, so when a selector moves (the assessment code is moving to
``scoring.assessment``) only this file changes. Nothing here holds a rule: it re-exports.
"""

from accounts.selectors import principal_for, user_names
from geo.ledger_import import (
    facility_ledger_import_apply,
    facility_ledger_import_get,
    facility_ledger_import_retry,
    facility_ledger_imports_recent,
    facility_ledger_upload,
    ledger_may_import,
)
from scoring.assessment.selectors import scoreboard_catalogue
from scoring.water.services import (
    measurement_import_apply,
    measurement_import_create,
    measurement_import_get,
    measurement_import_retry,
    measurement_imports_recent,
    measurement_may_import,
)

__all__ = [
    "facility_ledger_import_apply",
    "facility_ledger_import_get",
    "facility_ledger_import_retry",
    "facility_ledger_imports_recent",
    "facility_ledger_upload",
    "ledger_may_import",
    "measurement_import_apply",
    "measurement_import_create",
    "measurement_import_get",
    "measurement_import_retry",
    "measurement_imports_recent",
    "measurement_may_import",
    "principal_for",
    "scoreboard_catalogue",
    "user_names",
]
