"""Users and roles for the district administrator: create, grant / revoke in a region, reset the password,
deactivate — inside the manager's scope, audited, with stable error codes."""

import pytest
from django.test import Client

from accounts.models import DeviceToken, RoleGrant, User
from kernel.audit.models import AuditEvent
from tests.conftest import ApiClient, assert_error, make_user
from tests.factories import UserFactory

USERS = "/api/v1/accounts/users"
STRONG = "Haimen-Inspect-2024"


def login(username: str, password: str) -> object:
    body = {"username": username, "password": password, "device_id": "p1", "device_name": "手机"}
    return Client().post("/api/v1/auth/token", body, content_type="application/json")


@pytest.fixture
def admin(world) -> ApiClient:  # type: ignore[no-untyped-def]
    return ApiClient(UserFactory(username="root", is_superuser=True, is_staff=True))


@pytest.fixture
def office(world) -> ApiClient:  # type: ignore[no-untyped-def]
    return ApiClient(make_user("district_office", world.district, username="anweiban"))


def create(api: ApiClient, username: str, grants: list[dict], **extra: object) -> object:  # type: ignore[type-arg]
    return api.post(USERS, {"username": username, "password": STRONG, "grants": grants, **extra})


def test_admin_creates_an_inspector_who_logs_in_within_the_town(world, admin) -> None:  # type: ignore[no-untyped-def]
    response = create(
        admin,
        "zhangsan",
        [{"role": "inspector", "region_id": world.town_a.pk}],
        display_name="张三",
        phone="13800000000",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["username"], body["display_name"], body["is_active"], body["manageable"]) == (
        "zhangsan",
        "张三",
        True,
        True,
    )
    assert [(g["role"], g["region_id"], g["region_name"]) for g in body["grants"]] == [
        ("inspector", world.town_a.pk, "常乐镇")
    ]
    assert "password" not in body
    token = login("zhangsan", STRONG)
    assert token.status_code == 200, token.content
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token.json()['token']}"}).json()
    assert me["roles"] == ["inspector"] and me["scopes"][0]["region_id"] == world.town_a.pk
    created = AuditEvent.objects.get(action="accounts.user.create")
    assert created.region_path == world.town_a.path and "password" not in created.after
    assert AuditEvent.objects.filter(action="accounts.grant.create", region_path=world.town_a.path).exists()


def test_create_errors_have_codes_and_write_nothing(world, admin) -> None:  # type: ignore[no-untyped-def]
    UserFactory(username="lisi")
    before = User.objects.count()
    town = [{"role": "inspector", "region_id": world.town_a.pk}]
    body = assert_error(create(admin, "LiSi", town), 409, "duplicate_username")
    assert "username" in body["details"]["fields"]
    body = assert_error(admin.post(USERS, {"username": "wangwu", "password": "123", "grants": town}), 422)
    assert body["code"] == "weak_password" and body["details"]["fields"]["password"]
    body = assert_error(
        admin.post(USERS, {"username": "wangwu", "password": "wangwu2024", "grants": town}),
        422,
        "weak_password",
    )
    body = assert_error(create(admin, "wangwu", [{"role": "mayor", "region_id": world.town_a.pk}]), 422)
    assert "grants.0.role" in body["details"]["fields"]
    body = assert_error(create(admin, "wangwu", [{"role": "inspector", "region_id": 99999}]), 422)
    assert body["code"] == "region_out_of_scope" and "grants.0.region_id" in body["details"]["fields"]
    assert_error(create(admin, "bad name!", town), 422, "validation_error")
    assert User.objects.count() == before and not RoleGrant.objects.filter(user__username="wangwu").exists()


def test_district_office_manages_only_its_scope_and_the_roles_under_it(world, api_as) -> None:  # type: ignore[no-untyped-def]
    town_office = api_as("district_office", world.town_a)  # an office whose scope is one town
    body = assert_error(
        create(town_office, "b1", [{"role": "inspector", "region_id": world.town_b.pk}]),
        422,
        "region_out_of_scope",
    )
    assert "grants.0.region_id" in body["details"]["fields"]
    assert_error(
        create(town_office, "b2", [{"role": "district_office", "region_id": world.town_a.pk}]),
        403,
        "role_not_grantable",
    )
    assert_error(create(town_office, "b3", []), 422, "grants_required")
    ok = create(town_office, "a1", [{"role": "town_officer", "region_id": world.village_a.pk}])
    assert ok.status_code == 201, ok.content
    assert not User.objects.filter(username__in=["b1", "b2", "b3"]).exists()


@pytest.mark.parametrize("role", ["town_officer", "inspector", "planner", "environment_bureau"])
def test_other_roles_may_not_manage_users(world, api_as, role) -> None:  # type: ignore[no-untyped-def]
    api = api_as(role, world.district)
    assert_error(api.get(USERS), 403, "permission_denied")
    assert_error(create(api, "x", [{"role": "inspector", "region_id": world.town_a.pk}]), 403)


def test_lists_and_details_stay_in_scope(world, admin, api_as) -> None:  # type: ignore[no-untyped-def]
    a = make_user("inspector", world.town_a, username="insp_a")
    b = make_user("inspector", world.town_b, username="insp_b")
    both = make_user("inspector", world.town_a, username="insp_ab")
    RoleGrant.objects.create(user=both, role="planner", region=world.town_b)
    office_a = api_as("district_office", world.town_a)
    listed = office_a.get(USERS).json()
    names = {u["username"] for u in listed["items"]}
    assert {"insp_a", "insp_ab"} <= names and "insp_b" not in names
    assert_error(office_a.get(f"{USERS}/{b.pk}"), 404, "not_found")
    # A user also holding a role elsewhere: seen with the grants in scope only, and not manageable.
    detail = office_a.get(f"{USERS}/{both.pk}").json()
    assert [g["region_id"] for g in detail["grants"]] == [world.town_a.pk] and not detail["manageable"]
    assert_error(office_a.post(f"{USERS}/{both.pk}/deactivate"), 403, "user_not_manageable")
    assert office_a.get(f"{USERS}/{a.pk}").json()["manageable"]
    everyone = {u["username"] for u in admin.get(USERS, page_size=100).json()["items"]}
    assert {"insp_a", "insp_b", "insp_ab", "root"} <= everyone
    filtered = admin.get(USERS, role="planner").json()["items"]
    assert [u["username"] for u in filtered] == ["insp_ab"]
    assert [u["username"] for u in admin.get(USERS, q="insp_b").json()["items"]] == ["insp_b"]


def test_grant_and_revoke_a_role_in_a_region(world, office) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a, username="insp")
    response = office.post(f"{USERS}/{user.pk}/roles", {"role": "town_officer", "region_id": world.town_b.pk})
    assert response.status_code == 201, response.content
    grant = response.json()
    assert (grant["role"], grant["region_name"]) == ("town_officer", "四甲镇")
    assert_error(
        office.post(f"{USERS}/{user.pk}/roles", {"role": "town_officer", "region_id": world.town_b.pk}),
        409,
        "duplicate_grant",
    )
    assert_error(
        office.post(f"{USERS}/{user.pk}/roles", {"role": "admin", "region_id": world.district.pk}), 403
    )
    assert office.delete(f"{USERS}/{user.pk}/roles/{grant['id']}").status_code == 204
    assert list(user.grants.values_list("role", flat=True)) == ["inspector"]
    revoked = AuditEvent.objects.get(action="accounts.grant.revoke")
    assert revoked.before["role"] == "town_officer" and revoked.region_path == world.town_b.path
    last = user.grants.get()
    assert_error(office.delete(f"{USERS}/{user.pk}/roles/{last.pk}"), 409, "last_grant")
    other = make_user("inspector", world.town_b)
    assert_error(office.delete(f"{USERS}/{user.pk}/roles/{other.grants.get().pk}"), 404)


def test_password_reset_validates_and_revokes_devices(world, office) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a, username="insp")
    phone = ApiClient(user)
    assert phone.get("/api/v1/me").status_code == 200
    assert_error(office.post(f"{USERS}/{user.pk}/password", {"password": "insp"}), 422, "weak_password")
    assert office.post(f"{USERS}/{user.pk}/password", {"password": STRONG}).status_code == 204
    assert_error(phone.get("/api/v1/me"), 401, "token_revoked")
    assert DeviceToken.objects.get(pk=phone.device_token_id).revoked_reason == "password_reset"
    assert login("insp", STRONG).status_code == 200
    assert AuditEvent.objects.filter(action="accounts.user.password_reset", object_id=str(user.pk)).exists()


def test_deactivated_user_cannot_log_in_or_use_a_token(world, office) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a, username="insp")
    phone = ApiClient(user)
    response = office.post(f"{USERS}/{user.pk}/deactivate")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert_error(phone.get("/api/v1/me"), 401)
    assert DeviceToken.objects.get(pk=phone.device_token_id).revoked_reason == "deactivated"
    assert_error(login("insp", "pass-word-123"), 401, "invalid_credentials")
    assert office.post(f"{USERS}/{user.pk}/activate").json()["is_active"] is True
    assert login("insp", "pass-word-123").status_code == 200
    me = office.get("/api/v1/me").json()
    assert_error(office.post(f"{USERS}/{me['id']}/deactivate"), 403, "user_not_manageable")


def test_only_superusers_touch_superusers(world, api_as) -> None:  # type: ignore[no-untyped-def]
    root = UserFactory(username="root2", is_superuser=True)
    RoleGrant.objects.create(user=root, role="inspector", region=world.town_a)
    admin_role = api_as("admin", world.district)
    assert_error(
        admin_role.post(f"{USERS}/{root.pk}/password", {"password": STRONG}), 403, "user_not_manageable"
    )
    me = api_as(None)
    assert_error(me.get(f"{USERS}/{root.pk}"), 403)


def test_admin_cannot_deactivate_themselves(world, admin) -> None:  # type: ignore[no-untyped-def]
    me = admin.get("/api/v1/me").json()
    assert_error(admin.post(f"{USERS}/{me['id']}/deactivate"), 409, "cannot_deactivate_self")
    assert User.objects.get(pk=me["id"]).is_active
