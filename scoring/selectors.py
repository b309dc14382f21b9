from django.db.models import Prefetch

from backend.access import DISTRICT_ROLES, Principal
from backend.errors import NotFound

from .models import Scoreboard, ScoreboardRow, ScoreboardStatus


def scoreboard_for(*, principal: Principal, scheme_key: str, status: str | None = None) -> Scoreboard:
    """District roles see the draft (default) or the latest final; everyone else only the latest final."""
    qs = Scoreboard.objects.filter(scheme_key=scheme_key).prefetch_related(
        Prefetch(
            "rows", queryset=ScoreboardRow.objects.select_related("region").order_by("rank", "region_id")
        )
    )
    wanted = status or (
        ScoreboardStatus.DRAFT if principal.has_any(DISTRICT_ROLES) else ScoreboardStatus.FINAL
    )
    if wanted == ScoreboardStatus.DRAFT and not principal.has_any(DISTRICT_ROLES):
        raise NotFound("考核结果尚未发布", details={"scheme_key": scheme_key})
    board = qs.filter(status=wanted).order_by("-computed_at").first()
    if board is None and status is None and wanted == ScoreboardStatus.DRAFT:
        board = qs.filter(status=ScoreboardStatus.FINAL).order_by("-computed_at").first()
    if board is None:
        raise NotFound("没有考核结果", details={"scheme_key": scheme_key, "status": wanted})
    return board
