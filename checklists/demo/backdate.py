"""Demo inspections done some weeks ago: their repairs fall due, and go overdue, before today.

The services stamp a submission with the moment it is made, and a demo is loaded in one go; so an
inspection the demo says was done earlier has its submission moved back between submit and review (the
review dates the findings, and so the deadlines, by the submission). Synthetic data only."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from ..models import Inspection

# The annual assessment and the 常乐镇 audit with problems were done this many days before the load:
# 30-day deadlines (hazards) and the 10-31 / 11-30 category dates have passed by then, in most months.
DAYS_AGO = 45


def submitted_days_ago(client_uuid: uuid.UUID, days: int = DAYS_AGO) -> None:
    when = timezone.now() - timedelta(days=days)
    Inspection.objects.filter(client_uuid=client_uuid).update(submitted_at=when, device_submitted_at=when)
