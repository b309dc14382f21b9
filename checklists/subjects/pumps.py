"""The pump station plug-in (排涝泵站, 65号 item 19): what an inspection of a pump station adds to the
inspection lifecycle.

- **approved** (and **amended** by the district, while it is the station's latest approved inspection):
  the inspection settles the station's earlier rectifications (整改复核, the sewage facilities' rule) and
  records what it found on the station — a finding of category ``sewage_held`` (the template's
  ``sewage.not-held`` failed) puts the station on the 拦蓄污水 list from the approval day; no such finding
  clears it (清零) that day;
- **withdrawn** by the district: the repairs it closed are reopened and what it recorded on the station is
  taken back, unless the station changed since.

The station side is geo's service (``geo.pumps.services.pump_station_inspected``); this module only reads
the findings and plugs the two into the lifecycle."""

from __future__ import annotations

from datetime import datetime

from geo.pumps.services import pump_station_inspected, pump_station_inspection_withdrawn
from kernel.access import Principal

from ..models import Finding, Inspection, InspectionStatus
from ..services.rectifications import reaudit_closures_reopen, reaudit_rectifications
from . import NOTHING, SubjectHooks, register

KIND = "pump_station"
SEWAGE_HELD = "sewage_held"  # the finding category that means sewage is held back at the station


def _sewage_held(inspection: Inspection) -> bool:
    return Finding.objects.filter(
        inspection=inspection, revision=inspection.revision, category=SEWAGE_HELD
    ).exists()


class PumpStationHooks(SubjectHooks):
    def on_approved(self, *, principal: Principal, inspection: Inspection, at: datetime) -> frozenset[str]:
        persisting = reaudit_rectifications(principal=principal, inspection=inspection)
        pump_station_inspected(
            station_id=inspection.subject_id,
            sewage_held=_sewage_held(inspection),
            inspection_uuid=inspection.client_uuid,
            approved_at=at,
            by=principal.user_id,
        )
        return frozenset(persisting)

    def on_amended(
        self, *, principal: Principal, inspection: Inspection, approved_at: datetime
    ) -> frozenset[str]:
        later = Inspection.objects.filter(
            subject_kind=KIND, subject_id=inspection.subject_id, status=InspectionStatus.APPROVED,
            submitted_at__gt=inspection.submitted_at,
        ).exists()  # fmt: skip
        if later:  # a later inspection has the last word on the station and its problems
            return NOTHING
        return self.on_approved(principal=principal, inspection=inspection, at=approved_at)

    def on_withdrawn(
        self, *, principal: Principal, inspection: Inspection, reason: str, note: str
    ) -> dict[str, list[int]]:
        reopened = reaudit_closures_reopen(principal=principal, inspection=inspection, note=note)
        pump_station_inspection_withdrawn(
            station_id=inspection.subject_id, inspection_uuid=inspection.client_uuid, by=principal.user_id
        )
        return {"reopened": reopened}


HOOKS = PumpStationHooks()


def plug_in() -> None:
    register(KIND, HOOKS)
