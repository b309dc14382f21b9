"""The outfall plug-in (排污口, 65号 item 19): what an outfall inspection adds to the inspection lifecycle.

- **approved**: the inspection settles the outfall's earlier rectifications as a sewage re-audit does
  (整改复核: no longer found → closed or noted, found again → kept, no duplicate), and the outfall records
  it as its last inspection (``last_inspected_at``, the approval time) — what 有口皆查 coverage counts;
- **amended** by the district: the same settling when it is still the outfall's latest approved inspection;
- **withdrawn**: the repairs it closed are reopened, and the outfall's last inspection goes back to the
  latest approved inspection still standing (none: never inspected).

New problems become rectifications with deadlines through the lifecycle itself (findings → rectifications),
as for every subject kind."""

from __future__ import annotations

from datetime import datetime

from geo.outfalls.services import outfall_inspected_set
from kernel.access import Principal

from ..models import Inspection, InspectionStatus
from ..services.rectifications import reaudit_closures_reopen, reaudit_rectifications
from . import SubjectHooks, register

KIND = "outfall"


def _latest(inspection: Inspection) -> bool:
    return not Inspection.objects.filter(
        subject_kind=KIND, subject_id=inspection.subject_id, status=InspectionStatus.APPROVED,
        submitted_at__gt=inspection.submitted_at,
    ).exists()  # fmt: skip


def _last_standing(outfall_id: int, *, excluding: int) -> datetime | None:
    return (
        Inspection.objects.filter(subject_kind=KIND, subject_id=outfall_id, status=InspectionStatus.APPROVED)
        .exclude(pk=excluding)
        .exclude(reviewed_at__isnull=True)
        .order_by("-reviewed_at")
        .values_list("reviewed_at", flat=True)
        .first()
    )


class OutfallHooks(SubjectHooks):
    def on_approved(self, *, principal: Principal, inspection: Inspection, at: datetime) -> frozenset[str]:
        persisting = reaudit_rectifications(principal=principal, inspection=inspection)
        latest = _last_standing(inspection.subject_id, excluding=inspection.pk)
        outfall_inspected_set(
            principal=principal, outfall_id=inspection.subject_id, at=max(at, latest) if latest else at,
            inspection_uuid=str(inspection.client_uuid), reason="检查审核通过",
        )  # fmt: skip
        return frozenset(persisting)

    def on_amended(
        self, *, principal: Principal, inspection: Inspection, approved_at: datetime
    ) -> frozenset[str]:
        if not _latest(inspection):
            return frozenset()
        return frozenset(reaudit_rectifications(principal=principal, inspection=inspection))

    def on_withdrawn(
        self, *, principal: Principal, inspection: Inspection, reason: str, note: str
    ) -> dict[str, list[int]]:
        reopened = reaudit_closures_reopen(principal=principal, inspection=inspection, note=note)
        outfall_inspected_set(
            principal=principal, outfall_id=inspection.subject_id,
            at=_last_standing(inspection.subject_id, excluding=inspection.pk),
            inspection_uuid=str(inspection.client_uuid), reason=f"检查被撤销：{reason}",
        )  # fmt: skip
        return {"reopened": reopened}


HOOKS = OutfallHooks()


def plug_in() -> None:
    register(KIND, HOOKS)
