"""PostgreSQL and Redis stopped under a running server (gunicorn, production settings): every answer is
the JSON error shape with 503 and ``Retry-After``, the API recovers when the service is back, and
``/readyz`` tells anonymous callers what is down but not where or why.

The cluster and Redis are the test's own (``deploy/test-services.sh``), so it may stop them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from tests.servers import (
    Response,
    Server,
    Services,
    call,
    manage,
    manage_json,
    project_env,
    start_gunicorn,
    start_services,
)

pytestmark = [
    pytest.mark.postgis,
    pytest.mark.redis,
    pytest.mark.skipif(
        "postgis" not in settings.DATABASES["default"]["ENGINE"],
        reason="在 PostGIS 一轮运行（需要 PostgreSQL 与 Redis）",
    ),
]

SEED = """
import json
from geo.models import RegionLevel
from tests.factories import RegionFactory, RoleGrantFactory, UserFactory
from accounts.services import _token_create
d = RegionFactory(level=RegionLevel.DISTRICT, name="海门区", code="320614000000")
phone = UserFactory(username="jiancha")
RoleGrantFactory(user=phone, role="inspector", region=d)
root = UserFactory(username="root", is_staff=True, is_superuser=True)
print(json.dumps({
    "phone": _token_create(user=phone, device_id="phone", device_name="手机")[0],
    "admin": _token_create(user=root, device_id="desk", device_name="电脑")[0],
}))
"""
LOGIN = {"username": "jiancha", "password": "pass-word-123", "device_id": "phone-2", "device_name": "手机"}


@pytest.fixture
def deployment(tmp_path) -> Iterator[tuple[Services, Server, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    services = start_services()
    server = None
    try:
        env = project_env(
            DATABASE_URL=services.database_url,
            CACHE_URL=f"{services.redis_url}/1",
            CELERY_BROKER_URL=f"{services.redis_url}/0",
            SECRET_KEY="tests-only-not-a-secret",
            FIELDSCORE_VAR_DIR=str(tmp_path / "var"),
        )
        manage(env, "migrate", "--no-input", "-v", "0")
        tokens = manage_json(env, SEED)
        server = start_gunicorn(env, tmp_path / "gunicorn.log", workers=1, threads=2)
        yield services, server, tokens
    finally:
        if server is not None:
            server.stop()
        services.close()


def _assert_unavailable(response: Response, code: str) -> None:
    assert response.status == 503, (response.status, response.body[:500])
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == code, body
    assert body["message"] and int(response.headers["retry-after"]) == body["details"]["retry_after"] > 0


def test_database_and_redis_outages_are_503s_and_the_api_recovers(deployment) -> None:  # type: ignore[no-untyped-def]
    services, server, tokens = deployment
    url = server.url
    phone = {"Authorization": f"Bearer {tokens['phone']}"}
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    assert call("POST", f"{url}/api/v1/auth/token", LOGIN).status == 200
    assert call("GET", f"{url}/api/v1/me", headers=phone).status == 200
    assert call("GET", f"{url}/readyz").status == 200

    services.stop_postgres()
    _assert_unavailable(call("GET", f"{url}/api/v1/me", headers=phone), "database_unavailable")
    _assert_unavailable(call("POST", f"{url}/api/v1/auth/token", LOGIN), "database_unavailable")
    # The back office: the session is read (from the database) in middleware, outside any view.
    session = {"Cookie": "sessionid=" + "a" * 32}
    _assert_unavailable(call("GET", f"{url}/admin/", headers=session), "database_unavailable")
    ready = call("GET", f"{url}/readyz")
    assert ready.status == 503 and ready.json()["checks"] == {"database": "unavailable", "broker": "ok"}
    assert services.database_url.rsplit(":", 1)[1].split("/")[0] not in ready.body.decode()

    services.start_postgres()
    assert call("GET", f"{url}/api/v1/me", headers=phone).status == 200  # no restart needed
    services.stop_redis()
    # Login fails closed while its limiter's cache is down; signed-in phones keep working.
    _assert_unavailable(call("POST", f"{url}/api/v1/auth/token", LOGIN), "cache_unavailable")
    assert call("GET", f"{url}/api/v1/me", headers=phone).status == 200
    ready = call("GET", f"{url}/readyz")
    assert ready.status == 503 and ready.json()["checks"] == {"database": "ok", "broker": "unavailable"}
    detail = call("GET", f"{url}/readyz", headers=admin).json()["checks"]["broker"]
    assert services.redis_url.rsplit(":", 1)[1] in detail, detail  # the admin learns where and why
