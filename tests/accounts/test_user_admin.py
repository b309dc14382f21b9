"""The accounts back office: role grants inline, password changes and deactivation through the services."""

import pytest
from django.test import Client

from accounts.models import DeviceToken, RoleGrant, User
from kernel.audit.models import AuditEvent
from tests.conftest import ApiClient, make_user
from tests.factories import UserFactory


@pytest.fixture
def root(world) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def change_form(user: User, grants: list[dict[str, object]], initial: int) -> dict[str, object]:
    """The user's change form as the browser posts it, with ``grants`` as the inline rows."""
    data: dict[str, object] = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "display_name": user.display_name,
        "phone": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "grants-TOTAL_FORMS": len(grants),
        "grants-INITIAL_FORMS": initial,
        "grants-MIN_NUM_FORMS": 0,
        "grants-MAX_NUM_FORMS": 1000,
    }
    for i, grant in enumerate(grants):
        data.update({f"grants-{i}-{k}": v for k, v in grant.items()})
        data[f"grants-{i}-user"] = user.pk
    return data


def test_inline_grants_go_through_the_services(world, root) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a)
    old = user.grants.get()
    url = f"/admin/accounts/user/{user.pk}/change/"
    rows = [
        {"id": old.pk, "role": "inspector", "region": world.town_a.pk, "DELETE": "on"},
        {"id": "", "role": "town_officer", "region": world.town_b.pk},
    ]
    response = root.post(url, change_form(user, rows, initial=1))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [(g.role, g.region_id) for g in user.grants.all()] == [("town_officer", world.town_b.pk)]
    created = AuditEvent.objects.get(action="accounts.grant.create")
    assert created.region_path == world.town_b.path and created.actor_username == "root"
    assert AuditEvent.objects.get(action="accounts.grant.revoke").before["role"] == "inspector"


@pytest.mark.parametrize(
    ("row", "field"),
    [({"role": "inspector", "region": ""}, "region"), ({"role": "mayor", "region": 1}, "role")],
)
def test_inline_grant_needs_a_region_and_a_valid_role(world, root, row, field) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory()
    response = root.post(
        f"/admin/accounts/user/{user.pk}/change/", change_form(user, [{"id": "", **row}], initial=0)
    )
    assert response.status_code == 200  # the form again
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert field in errors[0]
    assert not RoleGrant.objects.filter(user=user).exists()


def test_admin_password_change_revokes_the_devices(world, root) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a)
    phone = ApiClient(user)
    url = f"/admin/accounts/user/{user.pk}/password/"
    weak = root.post(url, {"password1": "123", "password2": "123"})
    assert weak.status_code == 200 and not DeviceToken.objects.get(pk=phone.device_token_id).revoked_at
    response = root.post(url, {"password1": "Haimen-Inspect-2024", "password2": "Haimen-Inspect-2024"})
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.check_password("Haimen-Inspect-2024")
    assert DeviceToken.objects.get(pk=phone.device_token_id).revoked_reason == "password_reset"
    assert AuditEvent.objects.filter(action="accounts.user.password_reset", actor_username="root").exists()


def test_admin_deactivate_action_closes_the_account_and_its_devices(world, root) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a)
    phone = ApiClient(user)
    response = root.post(
        "/admin/accounts/user/", {"action": "deactivate", "_selected_action": [user.pk], "index": 0}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert DeviceToken.objects.get(pk=phone.device_token_id).revoked_reason == "deactivated"
    assert AuditEvent.objects.filter(action="accounts.user.deactivate", object_id=str(user.pk)).exists()
