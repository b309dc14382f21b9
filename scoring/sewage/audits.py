"""What a sewage facility audit establishes in the registry: the sewage side of the audit lifecycle.

An approved audit's findings, by category, give the facility's operating conditions and registry status
(the sewage rules, ``scoring/schemes/sewage``); a district correction replaces what the audit first
established, a withdrawal takes it back; the district's plan for a beyond-repair facility (rebuild,
retire, demolish) decides its lifecycle state. Plain values in — the facility, the finding categories,
the audit's uuid — so this package knows nothing of checklists: the checklists' sewage plug-in
(``checklists/subjects/sewage.py``) calls these from the inspection lifecycle's hooks.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from geo.models import FacilityStatus
from geo.services import (
    facility_condition_correct,
    facility_condition_record,
    facility_condition_withdraw,
    facility_status_set,
)

from . import rules as sewage_rules


def audit_outcome(categories: Iterable[str]) -> tuple[list[str], str]:
    """The operating conditions and registry status an approved audit finding ``categories`` gives."""
    return sewage_rules.load().audit_outcome(set(categories))


@transaction.atomic
def facility_audit_approved(
    *, facility_id: int, categories: Iterable[str], inspection_uuid: uuid.UUID, approved_at: datetime
) -> None:
    """An approved audit sets the facility's operating condition and status (the latest approved audit
    wins; the history is kept for rates as of any date)."""
    conditions, status = audit_outcome(categories)
    facility_condition_record(
        facility_id=facility_id,
        conditions=conditions,
        status=status,
        inspection_uuid=inspection_uuid,
        approved_at=approved_at,
    )


@transaction.atomic
def facility_audit_corrected(
    *, facility_id: int, categories: Iterable[str], inspection_uuid: uuid.UUID, approved_at: datetime
) -> None:
    """A corrected audit's findings replace what it first established, as of when it was first approved."""
    conditions, status = audit_outcome(categories)
    facility_condition_correct(
        facility_id=facility_id,
        conditions=conditions,
        status=status,
        inspection_uuid=inspection_uuid,
        approved_at=approved_at,
    )


@transaction.atomic
def facility_audit_withdrawn(*, inspection_uuid: uuid.UUID, reason: str) -> None:
    """A withdrawn audit counts nowhere; the registry status goes back as ``facility_condition_withdraw``
    explains."""
    facility_condition_withdraw(inspection_uuid=inspection_uuid, reason=reason)


@transaction.atomic
def facility_plan_decided(*, facility_id: int, decision: str, reason: str) -> None:
    """The district's plan for a beyond-repair facility: a rebuild puts it under construction (its villages
    stay untreated) until an audit of the rebuilt facility is approved; retire / demolish take it out of
    the registry's working set for good."""
    status = FacilityStatus.UNDER_CONSTRUCTION if decision == "rebuild" else FacilityStatus.RETIRED
    facility_status_set(facility_id=facility_id, status=status, reason=reason)
