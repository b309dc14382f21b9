from django.db.models import QuerySet

from backend.access import DISTRICT_ROLES, REVIEWING_ROLES, Principal
from backend.errors import NotFound
from geo.selectors import scope_q

from .models import Appeal, Scoreboard, ScoreboardStatus

PUBLIC = (ScoreboardStatus.NOTICE, ScoreboardStatus.FINAL)


def scoreboard_for(*, principal: Principal, scheme_key: str, status: str | None = None) -> Scoreboard:
    """District roles see the draft by default (else the latest public one); everyone else sees only
    what has been made public: the scoreboard under notice (公示) or the final one."""
    qs = Scoreboard.objects.filter(scheme_key=scheme_key)
    district = principal.has_any(DISTRICT_ROLES)
    if status is not None:
        if status not in PUBLIC and not district:
            raise NotFound("考核结果尚未公示", details={"scheme_key": scheme_key})
        board = qs.filter(status=status).order_by("-computed_at").first()
    else:
        board = qs.filter(status=ScoreboardStatus.DRAFT).first() if district else None
        board = board or qs.filter(status__in=PUBLIC).order_by("-computed_at").first()
    if board is None:
        raise NotFound("没有可查看的考核结果", details={"scheme_key": scheme_key, "status": status})
    return board


def appeals_for(*, principal: Principal, scheme_key: str) -> QuerySet[Appeal]:
    qs = Appeal.objects.filter(scoreboard__scheme_key=scheme_key).select_related("region", "scoreboard")
    if principal.has_any(DISTRICT_ROLES):
        return qs
    return qs.filter(scope_q(principal.region_paths(REVIEWING_ROLES), "region__path"))
