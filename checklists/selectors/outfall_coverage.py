"""有口皆查、应查尽查 (海政办发〔2022〕65号 item 19): of the outfalls within ``km`` upstream of a section
along the river network, how many had an approved inspection in a year — per type and in all, with the list of
those still to inspect. Here because the inspections are this app's; the reach is geo's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max

from geo.models import SiteKind
from geo.outfalls.models import OutfallKind
from geo.rivers.selectors import section_upstream_reach
from geo.selectors import section_list
from kernel.access import Principal
from kernel.errors import NotFound

from ..models import Inspection, InspectionStatus
from .upstream import UpstreamOutfall, _outfalls


@dataclass(frozen=True)
class OutfallInspected:
    outfall: UpstreamOutfall
    inspections: int  # approved in the year
    last_inspected_at: datetime | None  # the latest approved in the year


@dataclass(frozen=True)
class KindCoverage:
    kind: str
    kind_label: str
    total: int
    inspected: int


@dataclass(frozen=True)
class OutfallCoverage:
    section_id: int
    section_code: str
    section_name: str
    year: int
    km: float
    network_synthetic: bool
    total: int
    inspected: int
    rate: float | None  # inspected / total; None without outfalls
    complete: bool  # 应查尽查: every outfall inspected (and there is at least one)
    by_kind: tuple[KindCoverage, ...]  # the four types of item 19, always all four
    outfalls: tuple[OutfallInspected, ...]  # by distance; uninspected ones flagged


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year in local time (Asia/Shanghai): a review at 00:30 on 1 January counts for the new year."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def outfalls_inspected(ids: list[int], year: int) -> dict[int, tuple[int, datetime]]:
    """Outfall id → (approved inspections reviewed in ``year``, the latest review time), where any."""
    start, end = year_bounds(year)
    rows = (
        Inspection.objects.filter(
            subject_kind=SiteKind.OUTFALL,
            subject_id__in=ids,
            status=InspectionStatus.APPROVED,
            reviewed_at__gte=start,
            reviewed_at__lt=end,
        )
        .values("subject_id")
        .annotate(n=Count("pk"), last=Max("reviewed_at"))
        .values_list("subject_id", "n", "last")
    )
    return {subject_id: (n, last) for subject_id, n, last in rows}


def section_outfall_coverage(
    *, principal: Principal, section_id: int, year: int, km: float
) -> OutfallCoverage:
    """Coverage of the outfalls within ``km`` upstream of a section in the caller's scope (404 otherwise);
    the outfalls counted are those in the caller's scope (a town counts its own)."""
    paths = principal.region_paths()
    section = section_list(paths=paths).filter(pk=section_id).first()
    if section is None:
        raise NotFound("断面不存在或不在您的管辖范围内", details={"section_id": section_id})
    reach = section_upstream_reach(section=section, max_distance_m=km * 1000.0, kinds=(SiteKind.OUTFALL,))
    outfalls = _outfalls(reach.sites[SiteKind.OUTFALL], paths)
    done = outfalls_inspected([o.id for o in outfalls], year)
    rows = tuple(
        OutfallInspected(o, done.get(o.id, (0, None))[0], done.get(o.id, (0, None))[1]) for o in outfalls
    )
    by_kind = tuple(
        KindCoverage(
            kind.value,
            str(kind.label),
            sum(1 for r in rows if r.outfall.kind == kind),
            sum(1 for r in rows if r.outfall.kind == kind and r.inspections),
        )
        for kind in OutfallKind
    )
    inspected = sum(1 for r in rows if r.inspections)
    return OutfallCoverage(
        section_id=section.pk, section_code=section.code, section_name=section.name, year=year, km=km,
        network_synthetic=reach.network_synthetic, total=len(rows), inspected=inspected,
        rate=round(inspected / len(rows), 4) if rows else None,
        complete=bool(rows) and inspected == len(rows), by_kind=by_kind, outfalls=rows,
    )  # fmt: skip
