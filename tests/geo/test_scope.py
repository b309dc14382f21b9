"""Scope isolation: a town officer of town A never sees or changes town B's data."""

import pytest

from geo.models import SewageFacility
from tests.conftest import assert_error


def ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    body = response.json()
    return {item["id"] for item in body["items"]}


@pytest.fixture
def officer_a(world, api_as):  # type: ignore[no-untyped-def]
    return api_as("town_officer", world.town_a)


def test_town_officer_lists_only_own_town(world, officer_a) -> None:  # type: ignore[no-untyped-def]
    assert ids(officer_a.get("/api/v1/geo/facilities")) == {world.facility_a.pk}
    assert ids(officer_a.get("/api/v1/geo/regions")) == {
        world.town_a.pk,
        world.village_a.pk,
        world.natural_a.pk,
    }
    # Sections: the ones town A is responsible for (alone or jointly), not B's own.
    assert ids(officer_a.get("/api/v1/geo/sections")) == {world.section_a.pk, world.section_ab.pk}
    # Filtering by another town's id yields nothing rather than leaking.
    assert ids(officer_a.get("/api/v1/geo/facilities", town_id=world.town_b.pk)) == set()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/geo/facilities/{facility_b}",
        "/api/v1/geo/regions/{town_b}",
        "/api/v1/geo/regions/{village_b}",
        "/api/v1/geo/regions/{district}",
        "/api/v1/geo/sections/{section_b}",
    ],
)
def test_town_officer_gets_404_for_every_town_b_object(world, officer_a, path) -> None:  # type: ignore[no-untyped-def]
    url = path.format(
        facility_b=world.facility_b.pk,
        town_b=world.town_b.pk,
        village_b=world.village_b.pk,
        district=world.district.pk,
        section_b=world.section_b.pk,
    )
    assert_error(officer_a.get(url), 404, "not_found")


def test_town_officer_cannot_change_town_b(world, officer_a) -> None:  # type: ignore[no-untyped-def]
    assert_error(officer_a.patch(f"/api/v1/geo/facilities/{world.facility_b.pk}", {"operator": "x"}), 404)
    assert_error(officer_a.patch(f"/api/v1/geo/regions/{world.village_b.pk}", {"name": "x"}), 404)
    # Moving own facility into town B, or registering one there, is refused on the field.
    body = assert_error(
        officer_a.patch(f"/api/v1/geo/facilities/{world.facility_a.pk}", {"village_id": world.village_b.pk}),
        422,
    )
    assert "village_id" in body["details"]["fields"]
    body = assert_error(
        officer_a.post(
            "/api/v1/geo/facilities",
            {"code": "NEW-1", "name": "新站", "village_id": world.village_b.pk, "capacity_tpd": "10"},
        ),
        422,
    )
    assert "village_id" in body["details"]["fields"]
    world.facility_b.refresh_from_db()
    assert world.facility_b.operator == "" and world.facility_a.village_id == world.village_a.pk
    assert not SewageFacility.objects.filter(code="NEW-1").exists()


def test_town_officer_can_change_own_town(world, officer_a) -> None:  # type: ignore[no-untyped-def]
    response = officer_a.patch(f"/api/v1/geo/facilities/{world.facility_a.pk}", {"operator": "常乐运维"})
    assert response.status_code == 200, response.content
    assert response.json()["operator"] == "常乐运维"


@pytest.mark.parametrize("role", ["planner", "inspector"])
def test_read_only_roles_read_but_cannot_write(world, api_as, role) -> None:  # type: ignore[no-untyped-def]
    api = api_as(role, world.district)
    assert ids(api.get("/api/v1/geo/facilities")) == {world.facility_a.pk, world.facility_b.pk}
    assert_error(
        api.patch(f"/api/v1/geo/facilities/{world.facility_a.pk}", {"operator": "x"}),
        403,
        "permission_denied",
    )
    assert_error(
        api.post(
            "/api/v1/geo/facilities",
            {"code": "N", "name": "n", "village_id": world.village_a.pk, "capacity_tpd": 1},
        ),
        403,
    )


def test_district_office_sees_everything_in_the_district(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("district_office", world.district)
    assert ids(api.get("/api/v1/geo/facilities")) == {world.facility_a.pk, world.facility_b.pk}
    assert ids(api.get("/api/v1/geo/sections")) == {
        world.section_a.pk,
        world.section_b.pk,
        world.section_ab.pk,
    }


def test_user_without_grants_sees_nothing(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as(None)
    assert ids(api.get("/api/v1/geo/facilities")) == set()
    assert ids(api.get("/api/v1/geo/regions")) == set()
    assert_error(api.get(f"/api/v1/geo/facilities/{world.facility_a.pk}"), 404)


def test_inspector_of_two_towns_sees_both(world, api_as) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import ApiClient, make_user
    from tests.factories import RoleGrantFactory

    user = make_user("inspector", world.town_a)
    RoleGrantFactory(user=user, role="inspector", region=world.town_b)
    api = ApiClient(user)
    assert ids(api.get("/api/v1/geo/facilities")) == {world.facility_a.pk, world.facility_b.pk}
