"""A town scoreboard of the real 2022 scheme over the ``world`` fixture's towns plus made-up ones, stored as
the recompute stores it (``scoreboard_store_draft``), for the scoreboard page's tests."""

from __future__ import annotations

from decimal import Decimal

from geo.models import Region, RegionLevel
from scoring.assessment.models import Scoreboard
from scoring.assessment.services import UnitEvidence, scoreboard_store_draft
from tests.conftest import World
from tests.factories import RegionFactory

SCHEME = "towns-2022"


def towns(world: World, n: int) -> list[Region]:
    """``n`` towns: the world's two first (常乐镇, 四甲镇), then made-up ones."""
    have = [world.town_a, world.town_b]
    more = list(Region.objects.filter(level=RegionLevel.TOWN, name__startswith="测试镇").order_by("name"))
    for i in range(len(more), max(0, n - 2)):
        more.append(RegionFactory(level=RegionLevel.TOWN, name=f"测试镇{i:03d}", parent=world.district))
    return (have + more)[:n]


def store_board(world: World, n: int = 10, *, tie: bool = False) -> Scoreboard:
    """A draft with ``n`` towns of spread scores (one vetoed). ``tie``: the first five towns score the same
    on everything, so five tie for the four 先进区镇 places and the office has to decide."""
    units = []
    for i, town in enumerate(towns(world, n)):
        safety = Decimal(97) if tie and i < 5 else Decimal(96) - Decimal(i * 37 % 40) / 2
        fire = Decimal(95) if tie and i < 5 else Decimal(99) - Decimal(i * 13 % 30)
        units.append(
            UnitEvidence(
                unit_id=town.pk,
                region_id=town.pk,
                name=town.name,
                components={"safety": safety, "fire": fire},
                vetoed=i == 3 and not tie,
                veto_reasons=("发生较大生产安全事故",) if i == 3 and not tie else (),
            )
        )
    return scoreboard_store_draft(scheme_key=SCHEME, units=units)
