"""Other rooms' services and selectors the console pages use, re-exported (pages may also import them
straight from the owning app). Nothing here holds a rule."""

from accounts.selectors import principal_for, user_names
from checklists.exports import (
    rectification_export,
    rectification_items,
    rectification_sheet,
    town_overview_export,
)
from checklists.selectors import facility_dossier, town_overview
from checklists.selectors.workplan import section_work_plan
from checklists.workplan_docx import DOCX_TYPE, work_plan_docx
from geo.ledger_import import (
    facility_ledger_import_apply,
    facility_ledger_import_get,
    facility_ledger_import_retry,
    facility_ledger_imports_recent,
    facility_ledger_upload,
    ledger_may_import,
)
from geo.models import FacilityStatus
from geo.selectors import facility_list, region_list
from scoring.assessment.selectors import scoreboard_catalogue
from scoring.engine.sewage import CONDITION_LABELS, STATUS_LABELS
from scoring.sewage.services import rates as sewage_rates
from scoring.water.services import (
    measurement_import_apply,
    measurement_import_create,
    measurement_import_get,
    measurement_import_retry,
    measurement_imports_recent,
    measurement_may_import,
)
from scoring.water.workplans.selectors import work_plan_versions
from scoring.water.workplans.services import work_plan_may_edit, work_plan_save

__all__ = [
    "CONDITION_LABELS",
    "DOCX_TYPE",
    "STATUS_LABELS",
    "FacilityStatus",
    "facility_dossier",
    "facility_ledger_import_apply",
    "facility_ledger_import_get",
    "facility_ledger_import_retry",
    "facility_ledger_imports_recent",
    "facility_ledger_upload",
    "facility_list",
    "ledger_may_import",
    "measurement_import_apply",
    "measurement_import_create",
    "measurement_import_get",
    "measurement_import_retry",
    "measurement_imports_recent",
    "measurement_may_import",
    "principal_for",
    "rectification_export",
    "rectification_items",
    "rectification_sheet",
    "region_list",
    "scoreboard_catalogue",
    "section_work_plan",
    "sewage_rates",
    "town_overview",
    "town_overview_export",
    "user_names",
    "work_plan_docx",
    "work_plan_may_edit",
    "work_plan_save",
    "work_plan_versions",
]
