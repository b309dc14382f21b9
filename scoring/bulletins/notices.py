"""What a bulletin tells people (kernel.notifications): a generated 通报 is issued to the whole district
(no region), once per bulletin, with the link to download it."""

from __future__ import annotations

from kernel.notifications import events
from kernel.notifications.services import link, notify

from .models import Bulletin


def bulletin_issued(bulletin: Bulletin) -> None:
    notify(
        events.BULLETIN_ISSUED, region_id=None, title=f"通报印发：{bulletin.title}",
        text=f"{bulletin.title}已生成{f'（{bulletin.number}）' if bulletin.number else ''}，请查阅。",
        url=link(f"/api/v1/bulletins/{bulletin.pk}/file?format=docx"),
        data={"bulletin_id": bulletin.pk, "kind": bulletin.kind, "period": bulletin.period},
        once_key=f"bulletin:{bulletin.pk}:issued",
    )  # fmt: skip
