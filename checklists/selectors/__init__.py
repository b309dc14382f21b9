"""Reads of the checklists app, scoped, with their joins done up front.

One module per concept; every reader is re-exported here, so ``from checklists.selectors import X`` and
``selectors.X`` keep working."""

from .catalogue import assignment_catalogue, template_catalogue
from .dossier import FacilityConditionRow, FacilityDossier, FacilityServes, facility_dossier
from .evidence import photo_visible, photos_citable
from .inspections import inspection_get, inspection_list, inspection_result
from .outfall_coverage import OutfallCoverage, section_outfall_coverage
from .overview import TownOverview, town_overview
from .photos import photo_flags_for_viewer
from .rectifications import TownOverdue, overdue_by_town, rectification_list, rectification_result
from .review import review_queue
from .spotchecks import SpotComparison, spot_check_comparison, spot_check_get, spot_check_list
from .upstream import SectionUpstream, section_upstream

__all__ = [
    "FacilityConditionRow",
    "FacilityDossier",
    "FacilityServes",
    "OutfallCoverage",
    "SectionUpstream",
    "SpotComparison",
    "TownOverdue",
    "TownOverview",
    "assignment_catalogue",
    "facility_dossier",
    "inspection_get",
    "inspection_list",
    "inspection_result",
    "overdue_by_town",
    "photo_flags_for_viewer",
    "photo_visible",
    "photos_citable",
    "rectification_list",
    "rectification_result",
    "review_queue",
    "section_outfall_coverage",
    "section_upstream",
    "spot_check_comparison",
    "spot_check_get",
    "spot_check_list",
    "template_catalogue",
    "town_overview",
]
