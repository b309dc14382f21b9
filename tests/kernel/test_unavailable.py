"""A dependency that is down is a 503 in the error shape with ``Retry-After``, never a 500.

In process, with a real Redis the test starts and kills: the login throttle's cache. The database and
both services together, through gunicorn with production settings: ``test_outages.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import assert_error, make_user
from tests.servers import start_redis

LOGIN = {"username": "jiancha", "password": "pass-word-123", "device_id": "phone-1", "device_name": "手机"}


def _login(client: Client) -> Any:
    return client.post("/api/v1/auth/token", LOGIN, content_type="application/json")


@pytest.fixture
def redis_cache(settings, tmp_path):  # type: ignore[no-untyped-def]
    """The production cache layout: Django's cache (login throttling) in a real Redis."""
    server = start_redis(tmp_path)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"{server.url}/1"}
    }
    yield server
    server.stop()


def test_login_with_the_cache_down_is_a_json_503_not_an_html_500(db, redis_cache) -> None:  # type: ignore[no-untyped-def]
    make_user(None, None, username="jiancha")
    client = Client()
    assert _login(client).status_code == 200
    redis_cache.stop()
    response = _login(client)
    # Fail closed: the per-address login limiter cannot count, so no password is checked. Phones that
    # are signed in keep working (bearer tokens do not use the cache); new sign-ins wait for Redis.
    body = assert_error(response, 503, "cache_unavailable")
    assert response["Content-Type"].startswith("application/json")
    assert body["details"]["service"] == "cache"
    assert int(response["Retry-After"]) == body["details"]["retry_after"] > 0


def test_signed_in_phones_keep_working_with_the_cache_down(world, redis_cache) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import ApiClient

    phone = ApiClient(make_user("inspector", world.town_a))
    redis_cache.stop()
    assert phone.get("/api/v1/me").status_code == 200
