"""Reads of the outfall registry, always through a scope (an outfall is its responsible town's): out of
scope reads as not found."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from kernel.errors import NotFound
from kernel.scope import Paths, scope_q

from ..rivers.engine import current_network
from ..rivers.models import SiteKind, SiteSnap
from .models import Outfall, OutfallChange


def outfall_list(
    *,
    paths: Paths,
    town_id: int | None = None,
    kind: str | None = None,
    decision: str | None = None,
    state: str | None = None,
    q: str | None = None,
) -> QuerySet[Outfall]:
    """Outfalls in scope; ``q`` finds a name or discharger containing it, or a code starting with it."""
    qs = Outfall.objects.filter(scope_q(paths, "town__path")).select_related("town").defer("town__boundary")
    if town_id is not None:
        qs = qs.filter(town_id=town_id)
    if kind:
        qs = qs.filter(kind=kind)
    if decision is not None:
        qs = qs.filter(decision=decision)
    if state:
        qs = qs.filter(state=state)
    if q and q.strip():
        text = q.strip()
        qs = qs.filter(Q(name__contains=text) | Q(discharger__contains=text) | Q(code__startswith=text))
    return qs.order_by("code")


def outfall_get(*, paths: Paths, outfall_id: int) -> Outfall:
    outfall = outfall_list(paths=paths).filter(pk=outfall_id).first()
    if outfall is None:
        raise NotFound("排污口不存在或不在您的管辖范围内", details={"outfall_id": outfall_id})
    return outfall


def outfall_snap(*, outfall: Outfall) -> SiteSnap | None:
    """Where the outfall stands on the current network (``None`` without a network)."""
    loaded = current_network()
    if loaded is None:
        return None
    return SiteSnap.objects.filter(
        network_id=loaded.network_id, site_kind=SiteKind.OUTFALL, site_id=outfall.pk
    ).first()


def outfall_history(*, paths: Paths, outfall_id: int) -> QuerySet[OutfallChange]:
    """The outfall's changes, newest first (404 when out of scope)."""
    outfall = outfall_get(paths=paths, outfall_id=outfall_id)
    return OutfallChange.objects.filter(outfall=outfall).order_by("-changed_at", "-id")
