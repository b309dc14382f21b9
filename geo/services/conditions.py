"""A facility's recorded conditions (from approved audits) and its status: record, correct, withdraw, set."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from kernel.audit.services import audit_record

from ..models import (
    FacilityCondition,
    FacilityStatus,
    SewageFacility,
)
from .map_layers import FACILITIES, map_layers_bump


@transaction.atomic
def facility_condition_record(
    *, facility_id: int, conditions: list[str], status: str, inspection_uuid: Any, approved_at: datetime
) -> FacilityCondition:
    """Record what an approved audit established; it becomes current unless a later audit already was
    approved. A retired facility stays retired; one under construction (a rebuild) comes back into
    service through the approved audit of the rebuilt facility."""
    facility = SewageFacility.objects.select_for_update().select_related("village").get(pk=facility_id)
    found = {"facility": facility, "conditions": conditions, "status": status, "approved_at": approved_at}
    record, _ = FacilityCondition.objects.update_or_create(
        inspection_uuid=inspection_uuid,
        defaults=found,
        create_defaults={**found, "previous_status": facility.status},
    )
    _follow_latest_audit(facility, record)
    map_layers_bump(FACILITIES)
    return record


@transaction.atomic
def facility_condition_correct(
    *, facility_id: int, conditions: list[str], status: str, inspection_uuid: Any, approved_at: datetime
) -> FacilityCondition:
    """What a corrected audit establishes replaces what it first established, as of when it was first
    approved (the facility was in that state then, not since the correction); the registry follows if
    it is still the latest audit. ``approved_at`` is used only for an audit that had no record yet."""
    facility = SewageFacility.objects.select_for_update().select_related("village").get(pk=facility_id)
    record = FacilityCondition.objects.filter(inspection_uuid=inspection_uuid).first()
    if record is None:
        return facility_condition_record(
            facility_id=facility_id,
            conditions=conditions,
            status=status,
            inspection_uuid=inspection_uuid,
            approved_at=approved_at,
        )
    record.conditions, record.status = conditions, status
    record.save(update_fields=["conditions", "status"])
    map_layers_bump(FACILITIES)
    _follow_latest_audit(facility, record)
    return record


_DECIDED = frozenset({FacilityStatus.RETIRED, FacilityStatus.UNDER_CONSTRUCTION})


@transaction.atomic
def facility_condition_withdraw(*, inspection_uuid: Any, reason: str) -> FacilityCondition | None:
    """The district withdrew an audit: its record stays in the history, marked, and counts nowhere
    (rates as of any date leave it out). If no later audit stands, the registry status goes back to
    what it was before the withdrawn audits at the end of the history — unless a lifecycle decision
    (retired, under construction for a rebuild) was taken since: audits do not make those, so
    withdrawing one does not undo them. Returns the record, or None when the audit had none."""
    standing = FacilityCondition.objects.filter(withdrawn_at__isnull=True)
    record = standing.filter(inspection_uuid=inspection_uuid).first()
    if record is None:
        return None
    facility = SewageFacility.objects.select_for_update().select_related("village").get(pk=record.facility_id)
    record.withdrawn_at, record.withdrawal_reason = timezone.now(), reason
    record.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    map_layers_bump(FACILITIES)
    history = list(FacilityCondition.objects.filter(facility=facility).order_by("approved_at", "id"))
    trailing: list[FacilityCondition] = []  # withdrawn audits after the last standing one, latest first
    standing = None
    for h in reversed(history):
        if h.withdrawn_at is None:
            standing = h
            break
        trailing.append(h)
    if record not in trailing or facility.status in _DECIDED:
        return record  # a later audit still decides the status, or a decision taken since stands
    restored = trailing[-1].previous_status or (standing.status if standing else "")
    if restored and restored != facility.status:
        _facility_status_change(facility, restored, {"withdrawn": str(inspection_uuid), "reason": reason})
    return record


def _follow_latest_audit(facility: SewageFacility, record: FacilityCondition) -> None:
    """The registry status follows the latest audit that stands (not withdrawn), unless retired."""
    latest = (
        FacilityCondition.objects.filter(facility=facility, withdrawn_at__isnull=True)
        .order_by("-approved_at", "-id").first()
    )  # fmt: skip
    if (
        latest is not None
        and latest.pk == record.pk
        and facility.status != FacilityStatus.RETIRED
        and facility.status != record.status
    ):
        _facility_status_change(
            facility,
            record.status,
            {"conditions": record.conditions, "inspection": str(record.inspection_uuid)},
        )


def _facility_status_change(facility: SewageFacility, status: str, why: dict[str, Any]) -> None:
    before = facility.status
    facility.status = status
    facility.save(update_fields=["status", "updated_at"])
    map_layers_bump(FACILITIES)
    audit_record(action="geo.facility.status", obj=facility, region_path=facility.village.path,
                 before={"status": before}, after={"status": status, **why})  # fmt: skip


@transaction.atomic
def facility_status_set(*, facility_id: int, status: str, reason: str) -> SewageFacility:
    """A decided change of a facility's registry status (e.g. the district approving a rebuild → under
    construction, or retiring / demolishing it → retired), audited with its reason."""
    facility = SewageFacility.objects.select_for_update().select_related("village").get(pk=facility_id)
    if facility.status != status:
        before = facility.status
        facility.status = status
        facility.save(update_fields=["status", "updated_at"])
        map_layers_bump(FACILITIES)
        audit_record(action="geo.facility.status", obj=facility, region_path=facility.village.path,
                     before={"status": before}, after={"status": status, "reason": reason})  # fmt: skip
    return facility
