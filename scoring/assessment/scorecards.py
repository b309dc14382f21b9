"""A unit's scorecard under a scheme: its scoreboard row with the inspections, deductions and photos
behind each component (read through the inspection source)."""

from __future__ import annotations

from dataclasses import dataclass

from geo.models import Region
from kernel.access import DISTRICT_ROLES, REVIEWING_ROLES, Principal
from kernel.errors import NotFound

from .selectors import scoreboard_for
from .services import row_unit
from .source import ScorecardDeduction, ScorecardInspection, YearSelection, inspections

__all__ = ["Scorecard", "ScorecardComponent", "ScorecardDeduction", "ScorecardInspection", "scorecard"]


@dataclass(frozen=True)
class ScorecardComponent:
    key: str
    title: str
    weight: float | int | str  # as the scheme document writes it
    score: str | None  # decimal text, from the scoreboard row
    inspections: tuple[ScorecardInspection, ...]


@dataclass(frozen=True)
class Scorecard:
    """A unit's row of a scoreboard with what is behind it (the API's ScorecardOut reads it; field
    order is the order clients receive)."""

    scheme_key: str
    status: str
    content_hash: str
    region_id: int
    unit_name: str
    total: str  # decimal text
    grade: str
    rank: int
    reverse_rank: int
    award: str
    vetoed: bool
    veto_reasons: list[str]
    notes: list[str]
    components: tuple[ScorecardComponent, ...]


def scorecard(*, principal: Principal, scheme_key: str, region_id: int) -> Scorecard:
    """A unit's row of a scoreboard (``region_id``: the town, or the department's / enterprise's unit
    id) with everything behind it: per component the inspections used, their section and item scores,
    the deductions with reasons, and the evidence photos."""
    board = scoreboard_for(principal=principal, scheme_key=scheme_key)
    row = next((r for r in board.rows if row_unit(r) == region_id), None)
    region = Region.objects.filter(pk=row["region_id"] if row else region_id).only("path").first()
    if (
        row is None
        or region is None
        or not (principal.has_any(DISTRICT_ROLES) or principal.covers(region.path, REVIEWING_ROLES))
    ):
        raise NotFound("该单位不在考核结果中或不在您的管辖范围内", details={"region_id": region_id})
    uuids = [u for us in row["sources"].values() for u in us]
    document = board.scheme_document
    selection = YearSelection(
        subject_kind=document["subject_kind"],
        template_keys=tuple(c["template"] for c in document["components"]),
        year=board.year,
    )
    by_template = inspections().scorecard_inspections(selection, region_id, uuids)
    components = tuple(
        ScorecardComponent(
            key=component["key"],
            title=component["title"],
            weight=component["weight"],
            score=row["components"].get(component["key"]),
            inspections=by_template.get(component["template"], ()),
        )
        for component in board.scheme_document["components"]
    )
    return Scorecard(
        scheme_key=scheme_key,
        status=board.status,
        content_hash=board.content_hash,
        region_id=row["region_id"],
        unit_name=row["unit_name"],
        total=row["total"],
        grade=row["grade"],
        rank=row["rank"],
        reverse_rank=row["reverse_rank"],
        award=row["award"],
        vetoed=row["vetoed"],
        veto_reasons=row["veto_reasons"],
        notes=row["notes"],
        components=components,
    )
