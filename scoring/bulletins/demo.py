"""Demo bulletins: a 2022 town assessment result (synthetic, flagged in its title: the demo's own board of
this year is under re-notice after an upheld appeal, so it cannot be the source) published through the
services, its 通报, and a sewage progress warning as of today. Idempotent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from geo.models import Region
from kernel.access import Principal

from ..assessment.models import Scoreboard, ScoreboardStatus
from ..assessment.services import UnitEvidence, scoreboard_notice, scoreboard_publish, scoreboard_store_draft
from .models import Bulletin
from .services import bulletin_issue

SCHEME = "towns-2022"
TITLE = "2022年度区镇安全生产和消防工作考核（演示：合成结果）"


def _published_2022(office: Principal, towns: dict[str, Region]) -> None:
    if Scoreboard.objects.filter(scheme_key=SCHEME, status=ScoreboardStatus.FINAL).exists():
        return
    units = [
        UnitEvidence(
            unit_id=town.pk,
            region_id=town.pk,
            name=name,
            components={
                "safety": Decimal(97) - Decimal(i * 37 % 29) / 2,  # synthetic, deterministic spread
                "fire": Decimal(99) - Decimal(i * 13 % 23),
            },
        )
        for i, (name, town) in enumerate(sorted(towns.items(), key=lambda kv: kv[1].pk))
    ]
    draft = scoreboard_store_draft(scheme_key=SCHEME, units=units)
    Scoreboard.objects.filter(pk=draft.pk).update(title=TITLE)  # the synthetic flag, shown everywhere
    noticed = scoreboard_notice(principal=office, scheme_key=SCHEME)
    # the notice period (公示期) is over: what a real year would have waited for
    Scoreboard.objects.filter(pk=noticed.pk).update(notice_until=timezone.now() - timedelta(minutes=1))
    scoreboard_publish(principal=office, scheme_key=SCHEME)


def load(*, office: Principal, bureau: Principal, towns: dict[str, Region]) -> list[Bulletin]:
    """The published 2022 board (synthetic), its result bulletin and today's sewage warning."""
    _published_2022(office, towns)
    today = timezone.localdate().isoformat()
    issued = []
    for principal, kind, period in ((office, "assessment", SCHEME), (bureau, "sewage_warning", today)):
        existing = Bulletin.objects.filter(kind=kind, period=period, status="done").first()
        issued.append(existing or bulletin_issue(principal=principal, kind=kind, period=period))
    for bulletin in issued:  # generated on commit (eagerly without a broker): report what became of it
        bulletin.refresh_from_db()
    return issued
