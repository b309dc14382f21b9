"""The sewage facility plug-in: what an audit of a rural sewage facility adds to the inspection lifecycle.

- **approved**: the audit settles the facility's earlier rectifications (整改复核: no longer found →
  closed or noted, found again → kept, no duplicate) and sets the facility's operating condition and
  registry status from its findings;
- **amended** by the district: the same settling, if it is still the facility's latest approved audit,
  and the condition it established is corrected;
- **withdrawn**: the repairs it closed are reopened and its condition is taken back;
- **plan decided** for a beyond-repair facility: rebuilt (under construction) or retired.

Why here and not in ``scoring/sewage``: settling rectifications reads and writes checklists' own models,
and ``scoring`` sits below ``checklists`` (it may not import it). So the facility side — findings →
condition and status by the sewage rules, corrections, withdrawals, plan decisions — lives in
``scoring/sewage/audits.py`` taking plain values, the rectification side stays with the rectifications
(``checklists/services/rectifications.py``), and this module only plugs the two into the lifecycle.
"""

from __future__ import annotations

from datetime import datetime

from kernel.access import Principal
from scoring.sewage.audits import (
    facility_audit_approved,
    facility_audit_corrected,
    facility_audit_withdrawn,
    facility_plan_decided,
)

from ..models import Finding, Inspection, InspectionStatus, Rectification
from ..services.rectifications import PLAN_DECISIONS, reaudit_closures_reopen, reaudit_rectifications
from . import SubjectHooks, register

KIND = "sewage_facility"


def _categories(inspection: Inspection) -> set[str]:
    """The finding categories of the audit's current revision (what the sewage rules read)."""
    return set(
        Finding.objects.filter(inspection=inspection, revision=inspection.revision).values_list(
            "category", flat=True
        )
    )


def _latest_audit(inspection: Inspection) -> bool:
    """Whether no later approved audit of the facility exists (only the latest settles earlier problems)."""
    return not Inspection.objects.filter(
        subject_kind=inspection.subject_kind,
        subject_id=inspection.subject_id,
        status=InspectionStatus.APPROVED,
        submitted_at__gt=inspection.submitted_at,
    ).exists()


class SewageFacilityHooks(SubjectHooks):
    def on_approved(self, *, principal: Principal, inspection: Inspection, at: datetime) -> frozenset[str]:
        persisting = reaudit_rectifications(principal=principal, inspection=inspection)
        facility_audit_approved(
            facility_id=inspection.subject_id,
            categories=_categories(inspection),
            inspection_uuid=inspection.client_uuid,
            approved_at=at,
        )
        return frozenset(persisting)

    def on_amended(
        self, *, principal: Principal, inspection: Inspection, approved_at: datetime
    ) -> frozenset[str]:
        persisting: set[str] = set()
        if _latest_audit(inspection):
            persisting = reaudit_rectifications(principal=principal, inspection=inspection)
        facility_audit_corrected(
            facility_id=inspection.subject_id,
            categories=_categories(inspection),
            inspection_uuid=inspection.client_uuid,
            approved_at=approved_at,
        )
        return frozenset(persisting)

    def on_withdrawn(
        self, *, principal: Principal, inspection: Inspection, reason: str, note: str
    ) -> dict[str, list[int]]:
        reopened = reaudit_closures_reopen(principal=principal, inspection=inspection, note=note)
        facility_audit_withdrawn(inspection_uuid=inspection.client_uuid, reason=reason)
        return {"reopened": reopened}

    def on_plan_decided(self, *, principal: Principal, rectification: Rectification, decision: str) -> None:
        facility_plan_decided(
            facility_id=rectification.subject_id,
            decision=decision,
            reason=f"区审批：{PLAN_DECISIONS[decision]}",
        )


HOOKS = SewageFacilityHooks()


def plug_in() -> None:
    register(KIND, HOOKS)
