"""Filing an appeal (申诉) against a scoreboard row with photos as evidence. The scoring app keeps
appeals; this app knows what a photo is evidence for, so it vets the photos an appeal names: only those
the appellant may already see as evidence about the appealing unit (an appeal must never open another
town's photo). Photos the town holds itself are uploaded to the appeal (``evidence.appeal_photo_add``)."""

from __future__ import annotations

from django.db import transaction

from kernel.access import Principal
from scoring import services as scoring_services
from scoring.models import Appeal

from ..selectors import photos_citable


@transaction.atomic
def appeal_file(
    *,
    principal: Principal,
    scheme_key: str,
    region_id: int,
    reason: str,
    evidence: list[str],
    unit_id: int | None = None,
) -> Appeal:
    """A town's appeal of its own row (or an enterprise's it assessed) while the board is under notice,
    naming evidence photos by SHA-256 (422 ``evidence_not_visible`` for any it may not cite)."""

    def citable(region_path: str, wanted: list[str]) -> set[str]:
        return photos_citable(principal=principal, region_path=region_path, sha256s=wanted)

    return scoring_services.appeal_file(
        principal=principal,
        scheme_key=scheme_key,
        region_id=region_id,
        reason=reason,
        evidence=evidence,
        unit_id=unit_id,
        citable=citable,
    )
