"""Device tokens: issue, /me, expiry, revocation (own, lost phone, admin), lockout and throttling."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import DeviceToken
from accounts.services import device_tokens_purge
from tests.conftest import ApiClient, assert_error, make_user

PASSWORD = "pass-word-123"


def login(client: Client, username: str, password: str = PASSWORD, device_id: str = "phone-1", **extra: str):  # type: ignore[no-untyped-def]
    body = {
        "username": username,
        "password": password,
        "device_id": device_id,
        "device_name": "测试手机",
        **extra,
    }
    return client.post("/api/v1/auth/token", body, content_type="application/json")


def test_login_issues_hashed_expiring_token_and_me_shows_scopes(world) -> None:  # type: ignore[no-untyped-def]
    user = make_user("town_officer", world.town_a)
    response = login(Client(), user.username)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token"].startswith("fs_") and len(body["token"]) > 40
    assert body["expires_at"].endswith("+08:00")  # aware, in Asia/Shanghai
    stored = DeviceToken.objects.get(pk=body["device_token_id"])
    assert body["token"] not in stored.key_hash and len(stored.key_hash) == 64  # only the digest is kept
    assert stored.expires_at - timezone.now() > timedelta(days=29)

    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    data = me.json()
    assert data["username"] == user.username and data["roles"] == ["town_officer"]
    assert data["scopes"] == [
        {
            "role": "town_officer",
            "role_label": "区镇安监局 / 消委办",
            "region_id": world.town_a.pk,
            "region_code": "320614103000",
            "region_name": "常乐镇",
            "region_level": "town",
        }
    ]
    assert data["device_token_id"] == stored.pk


def test_wrong_password_unknown_user_and_inactive_user_are_401(world) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a)
    assert_error(login(Client(), user.username, "wrong"), 401, "invalid_credentials")
    assert_error(login(Client(), "nobody"), 401, "invalid_credentials")
    user.is_active = False
    user.save()
    assert_error(login(Client(), user.username), 401, "invalid_credentials")


@pytest.mark.parametrize(
    "body",
    [
        {"username": "x", "password": "y"},  # no device
        {"username": "x", "password": "y", "device_id": ""},
        {"username": "x", "password": "y", "device_id": "d", "extra": 1},
        {"username": 5, "password": "y", "device_id": "d"},
    ],
)
def test_login_payload_validation(db, body) -> None:  # type: ignore[no-untyped-def]
    response = Client().post("/api/v1/auth/token", body, content_type="application/json")
    assert_error(response, 422, "validation_error")


def test_missing_or_malformed_authorization_is_401(world) -> None:  # type: ignore[no-untyped-def]
    assert_error(Client().get("/api/v1/me"), 401, "unauthenticated")
    assert_error(
        Client().get("/api/v1/me", headers={"Authorization": "Bearer nonsense"}), 401, "token_invalid"
    )
    assert_error(
        Client().get("/api/v1/me", headers={"Authorization": "Bearer fs_" + "a" * 43}), 401, "token_invalid"
    )
    assert_error(
        Client().get("/api/v1/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401, "token_invalid"
    )
    assert Client().get("/api/v1/me").headers["WWW-Authenticate"] == "Bearer"


def test_expired_token_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    api = ApiClient(make_user("inspector", world.town_a))
    assert api.get("/api/v1/me").status_code == 200
    DeviceToken.objects.filter(pk=api.device_token_id).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert_error(api.get("/api/v1/me"), 401, "token_expired")


def test_logout_revokes_only_this_device(world) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a)
    phone, tablet = ApiClient(user, "phone"), ApiClient(user, "tablet")
    response = phone.delete("/api/v1/auth/token")
    assert response.status_code == 204
    assert_error(phone.get("/api/v1/me"), 401, "token_revoked")
    assert tablet.get("/api/v1/me").status_code == 200


def test_lost_phone_is_revoked_from_another_device(world) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a)
    lost, desk = ApiClient(user, "lost-phone"), ApiClient(user, "desk")
    devices = desk.get("/api/v1/auth/devices").json()
    assert {d["device_id"] for d in devices} == {"lost-phone", "desk"}
    assert [d["is_current"] for d in devices if d["device_id"] == "desk"] == [True]
    assert desk.delete(f"/api/v1/auth/devices/{lost.device_token_id}").status_code == 204
    assert_error(lost.get("/api/v1/me"), 401, "token_revoked")
    assert desk.get("/api/v1/me").status_code == 200


def test_users_cannot_see_or_revoke_other_users_devices_but_admin_can(world) -> None:  # type: ignore[no-untyped-def]
    victim = ApiClient(make_user("inspector", world.town_a))
    other = ApiClient(make_user("town_officer", world.town_a))
    victim_id = DeviceToken.objects.get(pk=victim.device_token_id).user_id
    assert_error(other.get("/api/v1/auth/devices", user_id=victim_id), 403, "permission_denied")
    assert_error(other.delete(f"/api/v1/auth/devices/{victim.device_token_id}"), 404, "not_found")
    assert victim.get("/api/v1/me").status_code == 200

    admin = ApiClient(make_user(None, None, is_superuser=True))
    listed = admin.get("/api/v1/auth/devices", user_id=victim_id)
    assert [d["id"] for d in listed.json()] == [victim.device_token_id]
    assert_error(admin.get("/api/v1/auth/devices", user_id=999999), 404)
    assert admin.delete(f"/api/v1/auth/devices/{victim.device_token_id}").status_code == 204
    assert_error(victim.get("/api/v1/me"), 401, "token_revoked")


def test_login_again_on_same_device_replaces_the_token(world) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a)
    first = login(Client(), user.username).json()["token"]
    second = login(Client(), user.username).json()["token"]
    assert first != second
    assert_error(
        Client().get("/api/v1/me", headers={"Authorization": f"Bearer {first}"}), 401, "token_revoked"
    )
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    assert DeviceToken.objects.filter(user=user, revoked_at__isnull=True).count() == 1


def test_repeated_failures_lock_the_account_even_for_the_right_password(world, settings) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert_error(login(Client(), user.username, "wrong"), 401, "invalid_credentials")
    assert_error(login(Client(), user.username, "wrong"), 429, "login_locked")
    assert_error(login(Client(), user.username), 429, "login_locked")
    assert not DeviceToken.objects.filter(user=user).exists()


def test_login_lockout_expires_after_cool_off(world, settings) -> None:  # type: ignore[no-untyped-def]
    from axes.models import AccessAttempt

    user = make_user("inspector", world.town_a)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), user.username, "wrong")
    assert_error(login(Client(), user.username), 429, "login_locked")
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert login(Client(), user.username).status_code == 200


def test_login_endpoint_is_rate_limited_per_address(world) -> None:  # type: ignore[no-untyped-def]
    statuses = [login(Client(), f"nobody{i}").status_code for i in range(35)]
    assert statuses[:30] == [401] * 30
    assert set(statuses[30:]) == {429}
    assert_error(login(Client(), "nobody"), 429, "rate_limited")


def test_purge_deletes_only_long_dead_tokens(world, settings) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a)
    live, old_expired, old_revoked, recent_revoked = (ApiClient(user, f"d{i}") for i in range(4))
    long_ago = timezone.now() - settings.FIELDSCORE_TOKEN_RETENTION - timedelta(days=1)
    DeviceToken.objects.filter(pk=old_expired.device_token_id).update(expires_at=long_ago)
    DeviceToken.objects.filter(pk=old_revoked.device_token_id).update(revoked_at=long_ago)
    DeviceToken.objects.filter(pk=recent_revoked.device_token_id).update(revoked_at=timezone.now())
    assert device_tokens_purge() == 2
    assert set(DeviceToken.objects.values_list("pk", flat=True)) == {
        live.device_token_id,
        recent_revoked.device_token_id,
    }


def test_createsuperuser_works_as_usual_and_is_admin_everywhere(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-strong-pass-42")
    call_command(
        "createsuperuser", "--no-input", "--username", "root2", "--email", "r@example.cn", stdout=StringIO()
    )
    response = login(Client(), "root2", "a-strong-pass-42")
    assert response.status_code == 200
    token = response.json()["token"]
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["is_admin"] and me["roles"] == ["admin"] and me["scopes"] == []
    facilities = Client().get("/api/v1/geo/facilities", headers={"Authorization": f"Bearer {token}"}).json()
    assert facilities["count"] == 2
