"""A sewage facility's dossier: the households it serves, its audits, condition history and rectifications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from geo.models import SewageFacility
from kernel.access import Principal

from ..models import Inspection, Rectification
from .inspections import inspection_list
from .rectifications import rectification_list


@dataclass(frozen=True)
class FacilityServes:
    natural_village_id: int
    natural_village: str
    households: int
    village_households: int | None


@dataclass(frozen=True)
class FacilityConditionRow:
    conditions: list[str]
    status: str
    approved_at: datetime
    inspection: str  # the audit's client uuid
    withdrawn_at: datetime | None
    withdrawal_reason: str


@dataclass(frozen=True)
class FacilityDossier:
    """A sewage facility with everything known about it (the API's FacilityDossierOut reads it)."""

    facility: SewageFacility
    serves: tuple[FacilityServes, ...]
    conditions: tuple[FacilityConditionRow, ...]  # newest first
    audits: list[Inspection]
    rectifications: list[Rectification]


def facility_dossier(*, principal: Principal, facility_id: int) -> FacilityDossier:
    """A sewage facility with everything known about it: the households it serves, its audits (with
    their photos' flags), its operating condition history and its rectifications with repair photos."""
    from geo.models import FacilityCondition, FacilityService
    from geo.selectors import facility_get

    facility = facility_get(paths=principal.region_paths(), facility_id=facility_id)
    services = FacilityService.objects.filter(facility=facility).select_related("natural_village")
    conditions = FacilityCondition.objects.filter(facility=facility).order_by("-approved_at")
    return FacilityDossier(
        facility=facility,
        serves=tuple(
            FacilityServes(
                s.natural_village_id, s.natural_village.name, s.households, s.natural_village.households
            )
            for s in services
        ),
        conditions=tuple(
            FacilityConditionRow(
                conditions=c.conditions,
                status=c.status,
                approved_at=c.approved_at,
                inspection=str(c.inspection_uuid),
                withdrawn_at=c.withdrawn_at,
                withdrawal_reason=c.withdrawal_reason,
            )
            for c in conditions
        ),
        audits=list(
            inspection_list(principal=principal, subject_kind="sewage_facility").filter(
                subject_id=facility.pk
            )
        ),
        rectifications=list(
            rectification_list(principal=principal).filter(
                subject_kind="sewage_facility", subject_id=facility.pk
            )
        ),
    )
