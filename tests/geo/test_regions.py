"""Regions: the strict tree, paths, codes the office may correct, the ETag'd catalogue."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from geo.models import Region, RegionLevel
from geo.selectors import town_of
from kernel.errors import InvalidInput
from tests.conftest import assert_error
from tests.factories import RegionFactory


def test_paths_follow_the_tree(world) -> None:  # type: ignore[no-untyped-def]
    assert world.district.path == f"/{world.district.pk}/"
    assert world.natural_a.path == f"{world.village_a.path}{world.natural_a.pk}/"
    assert world.natural_a.path.startswith(world.town_a.path)
    assert town_of(world.natural_a) == world.town_a and town_of(world.district) is None


@pytest.mark.parametrize(
    ("level", "parent_attr"),
    [
        (RegionLevel.VILLAGE, "district"),  # skipping a level
        (RegionLevel.TOWN, "town_a"),
        (RegionLevel.DISTRICT, "district"),  # a district has no parent
        (RegionLevel.TOWN, None),
    ],
)
def test_wrong_parent_level_is_refused(world, level, parent_attr) -> None:  # type: ignore[no-untyped-def]
    parent = getattr(world, parent_attr) if parent_attr else None
    before = Region.objects.count()
    with pytest.raises(InvalidInput):
        RegionFactory(level=level, parent=parent, name="错层")
    assert Region.objects.count() == before


def test_code_must_be_twelve_digits_and_unique(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        RegionFactory(level=RegionLevel.VILLAGE, parent=world.town_a, name="丙村", code="32061410300")
    with pytest.raises(ValidationError):
        RegionFactory(level=RegionLevel.VILLAGE, parent=world.town_a, name="丙村", code=world.town_b.code)


def test_database_refuses_households_above_natural_village(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.filter(pk=world.village_a.pk).update(households=10)


def test_office_corrects_a_code_and_duplicates_conflict(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("district_office", world.district)
    response = api.patch(
        f"/api/v1/geo/regions/{world.town_a.pk}", {"code": "320614106000", "code_source": "office"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["code"] == "320614106000"
    body = assert_error(
        api.patch(f"/api/v1/geo/regions/{world.town_b.pk}", {"code": "320614106000"}), 409, "duplicate_code"
    )
    assert "code" in body["details"]["fields"]
    assert_error(api.patch(f"/api/v1/geo/regions/{world.town_b.pk}", {"code": "12345"}), 422)
    assert_error(api.patch(f"/api/v1/geo/regions/{world.town_b.pk}", {"households": 30}), 422)
    response = api.patch(f"/api/v1/geo/regions/{world.natural_a.pk}", {"households": 52})
    assert response.status_code == 200 and response.json()["households"] == 52


def test_catalogue_etag_304_and_change_detection(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("inspector", world.town_a)
    first = api.get("/api/v1/geo/regions")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.json()["count"] == 3
    again = api.get("/api/v1/geo/regions", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    assert api.get("/api/v1/geo/regions", headers={"If-None-Match": f'W/{etag}, "other"'}).status_code == 304

    officer = api_as("town_officer", world.town_a)
    officer.patch(f"/api/v1/geo/regions/{world.natural_a.pk}", {"households": 41})
    changed = api.get("/api/v1/geo/regions", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_catalogue_since_returns_only_changed_regions(world, api_as) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    api = api_as("inspector", world.town_a)
    cursor = timezone.now()
    api_as("town_officer", world.town_a).patch(
        f"/api/v1/geo/regions/{world.natural_a.pk}", {"households": 45}
    )
    body = api.get("/api/v1/geo/regions", since=cursor.isoformat()).json()
    assert [r["id"] for r in body["items"]] == [world.natural_a.pk]


def test_catalogue_pagination(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("district_office", world.district)
    page1 = api.get("/api/v1/geo/regions", page_size=2).json()
    page2 = api.get("/api/v1/geo/regions", page_size=2, page=2).json()
    assert page1["count"] == page2["count"] == 6
    assert len(page1["items"]) == 2 and not {r["id"] for r in page1["items"]} & {
        r["id"] for r in page2["items"]
    }
    assert_error(api.get("/api/v1/geo/regions", page=0), 422)
