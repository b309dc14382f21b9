"""Regions made or moved in the back office (Django admin) keep their scope paths right."""

import pytest
from django.test import Client

from geo.models import Region, RegionLevel
from kernel.audit.models import AuditEvent
from tests.conftest import make_user
from tests.factories import RegionFactory, UserFactory


@pytest.fixture
def admin_client(db) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def region_form(**fields: object) -> dict[str, object]:
    form: dict[str, object] = {
        "level": "",
        "parent": "",
        "name": "",
        "code": "",
        "code_source": "",
        "alt_codes": "[]",
        "town_kind": "",
        "households": "",
        "centroid": "",
        "boundary": "",
        "geometry_quality": "synthetic",
    }
    form.update(fields)
    return form


def ids(response) -> set[int]:  # type: ignore[no-untyped-def]
    return {item["id"] for item in response.json()["items"]}


def test_region_added_in_admin_is_inside_the_district_users_scope(world, api_as, admin_client) -> None:  # type: ignore[no-untyped-def]
    response = admin_client.post(
        "/admin/geo/region/add/",
        region_form(level="town", parent=world.district.pk, name="余东镇", code="320614106000"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    town = Region.objects.get(name="余东镇")
    assert town.path == f"{world.district.path}{town.pk}/"
    assert town.pk in ids(api_as("district_office", world.district).get("/api/v1/geo/regions"))
    assert AuditEvent.objects.filter(action="geo.region.create", object_id=str(town.pk)).exists()


def test_admin_refuses_a_parent_of_the_wrong_level(world, admin_client) -> None:  # type: ignore[no-untyped-def]
    response = admin_client.post(
        "/admin/geo/region/add/", region_form(level="village", parent=world.district.pk, name="错层村")
    )
    assert response.status_code == 200  # the form again, with the error
    assert "上级区划层级不正确" in response.content.decode()
    assert not Region.objects.filter(name="错层村").exists()


def test_moving_a_village_in_admin_moves_its_subtree_and_scopes(world, api_as, admin_client) -> None:  # type: ignore[no-untyped-def]
    village = world.village_a
    response = admin_client.post(
        f"/admin/geo/region/{village.pk}/change/",
        region_form(level="village", parent=world.town_b.pk, name=village.name),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    village.refresh_from_db()
    world.natural_a.refresh_from_db()
    assert village.path == f"{world.town_b.path}{village.pk}/"
    assert world.natural_a.path == f"{village.path}{world.natural_a.pk}/"
    officer_a = api_as("town_officer", world.town_a)
    officer_b = api_as("town_officer", world.town_b)
    assert {village.pk, world.natural_a.pk} <= ids(officer_b.get("/api/v1/geo/regions"))
    assert not {village.pk, world.natural_a.pk} & ids(officer_a.get("/api/v1/geo/regions"))
    # The facility registered in the village follows it into town B's scope.
    assert world.facility_a.pk in ids(officer_b.get("/api/v1/geo/facilities"))
    event = AuditEvent.objects.get(action="geo.region.update", object_id=str(village.pk))
    assert event.before["parent_id"] == world.town_a.pk and event.after["parent_id"] == world.town_b.pk


def test_level_cannot_change_in_admin(world, admin_client) -> None:  # type: ignore[no-untyped-def]
    town = world.town_a
    admin_client.post(
        f"/admin/geo/region/{town.pk}/change/",
        region_form(level="village", parent=world.district.pk, name=town.name, code=town.code),
    )
    town.refresh_from_db()
    assert town.level == RegionLevel.TOWN


def test_region_paths_repair_fixes_rows_written_around_the_service(world) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    Region.objects.filter(pk__in=[world.town_a.pk, world.natural_a.pk]).update(path="")
    stray = RegionFactory(level="village", parent=world.town_b, name="丙村")
    Region.objects.filter(pk=stray.pk).update(path="/999/")
    out = StringIO()
    call_command("repair_region_paths", stdout=out)
    assert "3" in out.getvalue()
    for region in Region.objects.all():
        expected = f"{region.parent.path if region.parent else '/'}{region.pk}/"
        assert region.path == expected, region.name
    user = make_user("town_officer", world.town_a)
    assert user.grants.get().region.path.startswith(world.district.path)


def test_region_move_service_checks_scope_level_and_names(world) -> None:  # type: ignore[no-untyped-def]
    from geo.services import region_update
    from kernel.access import Grant, Principal
    from kernel.errors import Conflict, InvalidInput

    # (moving is the district's: an office account whose grant covers only town A)
    officer_a = Principal(
        user_id=1, username="a", grants=(Grant("district_office", world.town_a.pk, world.town_a.path),)
    )
    with pytest.raises(InvalidInput) as exc:  # into town B: outside the account's scope
        region_update(
            principal=officer_a, region_id=world.village_a.pk, changes={"parent_id": world.town_b.pk}
        )
    assert "parent_id" in exc.value.details["fields"]
    admin = Principal(user_id=1, username="root", is_superuser=True)
    with pytest.raises(InvalidInput):  # a village directly under the district
        region_update(principal=admin, region_id=world.village_a.pk, changes={"parent_id": world.district.pk})
    RegionFactory(level="village", parent=world.town_b, name=world.village_a.name)
    with pytest.raises(Conflict) as conflict:
        region_update(principal=admin, region_id=world.village_a.pk, changes={"parent_id": world.town_b.pk})
    assert conflict.value.code == "duplicate_name"
    world.village_a.refresh_from_db()
    assert world.village_a.parent_id == world.town_a.pk
