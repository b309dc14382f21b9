"""The ``outfalls`` tile layer (排污口 by type, decision, state, last inspection), decoded: scoped by the
outfall's town, its documented properties, its ETag moved by every writer; an outfall's open rectification
shows at the outfall on the ``rectifications`` layer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from geo.demo import SYSTEM
from geo.outfalls.services import outfall_create, outfall_inspected_set, outfall_update
from geo.services import LocationInput
from tests.checklists.test_map_tiles import by_code, features, get_tile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _points_unclustered(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAP_CLUSTER_BELOW_ZOOM = 10


@pytest.fixture
def outfalls(world):  # type: ignore[no-untyped-def]
    a = outfall_create(principal=SYSTEM, code="PWK-A", name="甲排口", kind="industrial",
                       town_id=world.town_a.pk, location=LocationInput(121.2, 31.9), decision="regulate",
                       state="compliant")  # fmt: skip
    b = outfall_create(principal=SYSTEM, code="PWK-B", name="乙排口", kind="agricultural",
                       town_id=world.town_b.pk, location=LocationInput(121.201, 31.901))  # fmt: skip
    return a, b


def test_outfall_tiles_are_scoped_and_carry_type_decision_state_and_inspection(
    world, outfalls, api_as
) -> None:  # type: ignore[no-untyped-def]
    a, _ = outfalls
    # reviewed at 01:00 on 21 September in Haimen (17:00 UTC the day before): the local day
    outfall_inspected_set(principal=SYSTEM, outfall_id=a.pk, at=datetime(2022, 9, 20, 17, 0, tzinfo=UTC),
                          inspection_uuid="x", reason="测试")  # fmt: skip
    planner = api_as("planner", world.district)
    found = by_code(features(get_tile(planner, "outfalls"), "outfalls"))
    assert set(found) == {"PWK-A", "PWK-B"}
    assert found["PWK-A"] == {
        "code": "PWK-A", "name": "甲排口", "kind": "industrial", "decision": "regulate", "state": "compliant",
        "inspected_on": "2022-09-21", "synthetic": False,
    }  # fmt: skip
    assert "inspected_on" not in found["PWK-B"] and found["PWK-B"]["decision"] == ""
    town_a = by_code(features(get_tile(api_as("town_officer", world.town_a), "outfalls"), "outfalls"))
    assert set(town_a) == {"PWK-A"}


def test_every_outfall_writer_moves_the_layers_etag(world, outfalls, api_as) -> None:  # type: ignore[no-untyped-def]
    a, _ = outfalls
    planner = api_as("planner", world.district)

    def etag() -> Any:
        return get_tile(planner, "outfalls")["ETag"]

    before = etag()
    outfall_update(principal=SYSTEM, outfall_id=a.pk, changes={"name": "改名"})
    assert etag() != before
    before = etag()
    outfall_inspected_set(principal=SYSTEM, outfall_id=a.pk, at=datetime(2022, 9, 20, tzinfo=UTC),
                          inspection_uuid="x", reason="测试")  # fmt: skip
    assert etag() != before
    before = etag()
    outfall_create(principal=SYSTEM, code="PWK-C", name="丙", kind="other", town_id=world.town_a.pk)
    assert etag() != before


def test_an_outfalls_rectification_shows_at_the_outfall(world, outfalls, api_as) -> None:  # type: ignore[no-untyped-def]
    from tests.checklists.test_upstream import _rectification

    a, _ = outfalls
    rect = _rectification(world, overdue=False)
    type(rect).objects.filter(pk=rect.pk).update(subject_kind="outfall", subject_id=a.pk, subject_name=a.name)
    planner = api_as("planner", world.district)
    found = features(get_tile(planner, "rectifications"), "rectifications")
    assert [(f["properties"]["subject_kind"], f["properties"]["subject_id"]) for f in found] == [
        ("outfall", a.pk)
    ]
    at = {f["properties"]["code"]: f["geometry"] for f in features(get_tile(planner, "outfalls"), "outfalls")}
    assert found[0]["geometry"] == at["PWK-A"]  # at the outfall's point, not its town's centre
