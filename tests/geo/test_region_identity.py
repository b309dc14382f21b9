"""A region's identity — its name, division code (and where the code comes from) and its parent — is
the district's registry: a town officer can no longer rename their own town (the name would flow into the
district's scoreboard and its exports), but still corrects what is the town's to know (households)."""

import pytest

from geo.models import Region
from geo.services import region_update
from tests.conftest import assert_error
from tests.factories import RegionFactory


@pytest.mark.parametrize(
    ("target", "change", "field"),
    [
        ("town_a", {"name": "常乐新镇"}, "name"),
        ("town_a", {"code": "320614106000"}, "code"),
        ("town_a", {"code": ""}, "code"),
        ("town_a", {"code_source": "office"}, "code_source"),
        ("village_a", {"name": "甲村新村"}, "name"),
        ("natural_a", {"name": "二组", "households": 41}, "name"),
    ],
)
def test_a_town_officer_cannot_change_a_regions_identity(world, api_as, target, change, field) -> None:  # type: ignore[no-untyped-def]
    officer = api_as("town_officer", world.town_a)
    region = getattr(world, target)
    before = Region.objects.filter(pk=region.pk).values("name", "code", "code_source", "households").get()
    body = assert_error(
        officer.patch(f"/api/v1/geo/regions/{region.pk}", change), 403, "region_identity_reserved"
    )
    assert list(body["details"]["fields"]) == [field]
    assert (
        Region.objects.filter(pk=region.pk).values("name", "code", "code_source", "households").get()
        == before
    )


def test_a_town_officer_still_corrects_households_and_may_send_the_identity_unchanged(world, api_as) -> None:  # type: ignore[no-untyped-def]
    officer = api_as("town_officer", world.town_a)
    natural = world.natural_a
    response = officer.patch(f"/api/v1/geo/regions/{natural.pk}", {"households": 44})
    assert response.status_code == 200, response.content
    # a client sending the whole record back, identity as it is, is not changing it
    same = {"name": natural.name, "households": 45, "code": natural.code or ""}
    response = officer.patch(f"/api/v1/geo/regions/{natural.pk}", same)
    assert response.status_code == 200, response.content
    assert response.json()["households"] == 45 and response.json()["name"] == natural.name
    # other towns stay out of sight (404), as before
    assert_error(officer.patch(f"/api/v1/geo/regions/{world.town_b.pk}", {"name": "x"}), 404)


@pytest.mark.parametrize("role", ["environment_bureau", "inspector", "planner"])
def test_other_roles_cannot_either(world, api_as, role) -> None:  # type: ignore[no-untyped-def]
    api = api_as(role, world.district)
    status, code = (
        (403, "region_identity_reserved") if role == "environment_bureau" else (403, "permission_denied")
    )
    assert_error(api.patch(f"/api/v1/geo/regions/{world.town_a.pk}", {"name": "常乐新镇"}), status, code)


def test_the_district_office_and_admins_rename_recode_and_move(world, api_as) -> None:  # type: ignore[no-untyped-def]
    office = api_as("district_office", world.district)
    response = office.patch(
        f"/api/v1/geo/regions/{world.town_a.pk}", {"name": "常乐新镇", "code_source": "office"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "常乐新镇"
    # the back office and the regions import act as administrators: they move regions as before
    admin = api_as("admin", world.district)
    assert (
        admin.patch(f"/api/v1/geo/regions/{world.village_a.pk}", {"name": "甲村（更名）"}).status_code == 200
    )
    other = RegionFactory(level="village", name="丙村", parent=world.town_a)
    from kernel.access import Principal

    region_update(
        principal=Principal(user_id=0, username="system", is_superuser=True),
        region_id=other.pk,
        changes={"parent_id": world.town_b.pk},
    )
    other.refresh_from_db()
    assert other.parent_id == world.town_b.pk


def test_a_town_officer_cannot_move_a_region(world, api_as) -> None:  # type: ignore[no-untyped-def]
    """``parent_id`` is not offered by the API; the service refuses it for town officers too."""
    from kernel.access import Grant, Principal, Role

    officer = Principal(
        user_id=1,
        username="changle",
        grants=(Grant(Role.TOWN_OFFICER, world.district.pk, world.district.path),),
    )
    with pytest.raises(Exception) as raised:
        region_update(principal=officer, region_id=world.village_a.pk, changes={"parent_id": world.town_b.pk})
    assert getattr(raised.value, "code", "") == "region_identity_reserved"
    world.village_a.refresh_from_db()
    assert world.village_a.parent_id == world.town_a.pk
