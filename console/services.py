"""The one place the console imports other rooms' services and selectors.

Pages import what they need from here, so when a selector moves (the assessment code is moving to
``scoring.assessment``) only this file changes. Nothing here holds a rule: it re-exports.
"""

from accounts.selectors import principal_for
from checklists.exports import rectification_export, rectification_items, rectification_sheet
from checklists.selectors import facility_dossier
from geo.models import FacilityStatus
from geo.selectors import facility_list, region_list
from scoring.assessment.selectors import scoreboard_catalogue
from scoring.engine.sewage import CONDITION_LABELS, STATUS_LABELS
from scoring.sewage.services import rates as sewage_rates

__all__ = [
    "CONDITION_LABELS",
    "STATUS_LABELS",
    "FacilityStatus",
    "facility_dossier",
    "facility_list",
    "principal_for",
    "rectification_export",
    "rectification_items",
    "rectification_sheet",
    "region_list",
    "scoreboard_catalogue",
    "sewage_rates",
]
