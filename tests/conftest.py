from __future__ import annotations

import faulthandler
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from accounts.services import _token_create
from geo.models import Region, RegionLevel, RiverSection, SewageFacility
from geo.services import LocationInput, section_upsert
from tests.factories import FacilityFactory, RegionFactory, RoleGrantFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Throttle counters live in the cache; one test's logins must not throttle the next test.
    cache.clear()
    # Template versions are kept per process by (key, version); each test's database numbers them anew.
    from checklists.services.templates import _TEMPLATES

    _TEMPLATES.clear()


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Each test stores files in its own folder, so "nothing was stored" can be checked for real.
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    district: Region
    town_a: Region
    town_b: Region
    village_a: Region
    village_b: Region
    natural_a: Region
    section_a: RiverSection
    section_b: RiverSection
    section_ab: RiverSection
    facility_a: SewageFacility
    facility_b: SewageFacility


@pytest.fixture
def world(db: Any) -> World:
    """Two towns (A = 常乐镇, B = 四甲镇) of one district, each with a village, a section, a facility."""
    district = RegionFactory(level=RegionLevel.DISTRICT, name="海门区", code="320614000000")
    town_a = RegionFactory(level=RegionLevel.TOWN, name="常乐镇", parent=district, code="320614103000")
    town_b = RegionFactory(level=RegionLevel.TOWN, name="四甲镇", parent=district, code="320614105000")
    village_a = RegionFactory(level=RegionLevel.VILLAGE, name="甲村", parent=town_a)
    village_b = RegionFactory(level=RegionLevel.VILLAGE, name="乙村", parent=town_b)
    natural_a = RegionFactory(level=RegionLevel.NATURAL_VILLAGE, name="一组", parent=village_a, households=40)
    loc = LocationInput(121.2, 31.9)
    section_a = section_upsert(
        code="S-A", name="甲桥", level="municipal", region=district, responsible_towns=[town_a], location=loc
    )
    section_b = section_upsert(
        code="S-B", name="乙桥", level="provincial", region=district, responsible_towns=[town_b]
    )
    section_ab = section_upsert(
        code="S-AB", name="甲乙桥", level="municipal", region=district, responsible_towns=[town_a, town_b]
    )
    facility_a = FacilityFactory(village=village_a, code="WS-A")
    facility_b = FacilityFactory(village=village_b, code="WS-B")
    return World(
        district,
        town_a,
        town_b,
        village_a,
        village_b,
        natural_a,
        section_a,
        section_b,
        section_ab,
        facility_a,
        facility_b,
    )


class ApiClient:
    """Django's test client through the full URL and middleware stack, with a device bearer token."""

    def __init__(self, user: User | None = None, device_id: str = "test-phone") -> None:
        self.client = Client()
        self.token = ""
        self.device_token_id: int | None = None
        self.user_id = user.pk if user is not None else None
        if user is not None:
            self.token, token = _token_create(user=user, device_id=device_id, device_name="测试手机")
            self.device_token_id = token.pk

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        h = dict(headers or {})
        if self.token:
            h.setdefault("Authorization", f"Bearer {self.token}")
        return h

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any) -> Any:
        return self.client.get(path, params, headers=self._headers(headers))

    def _send(self, method: str, path: str, body: Any, headers: dict[str, str] | None, raw: bool) -> Any:
        import json

        data = body if raw else json.dumps(body, ensure_ascii=False)
        return getattr(self.client, method)(
            path, data, content_type="application/json", headers=self._headers(headers)
        )

    def post(
        self, path: str, body: Any = None, headers: dict[str, str] | None = None, raw: bool = False
    ) -> Any:
        return self._send("post", path, body, headers, raw)

    def patch(
        self, path: str, body: Any = None, headers: dict[str, str] | None = None, raw: bool = False
    ) -> Any:
        return self._send("patch", path, body, headers, raw)

    def delete(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.delete(path, headers=self._headers(headers))


def make_user(role: str | None, region: Region | None, **kwargs: Any) -> User:
    user = UserFactory(**kwargs)
    if role is not None and region is not None:
        RoleGrantFactory(user=user, role=role, region=region)
    return user


@pytest.fixture
def api_as(world: World):  # type: ignore[no-untyped-def]
    """``api_as(role, region)`` → an ApiClient for a new user holding that role in that region."""

    def factory(role: str | None, region: Region | None = None, **kwargs: Any) -> ApiClient:
        return ApiClient(make_user(role, region, **kwargs))

    return factory


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is the standard error shape with this status (and code)."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}, body
    assert isinstance(body["message"], str) and body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


needs_redis = [
    pytest.mark.redis,
    pytest.mark.skipif(
        not settings.FIELDSCORE_TEST_REDIS_URL,
        reason="需要 FIELDSCORE_TEST_REDIS_URL（make test 会启动 Redis）",
    ),
]


@pytest.fixture
def redis_worker(transactional_db):  # type: ignore[no-untyped-def]
    from celery.contrib.testing.worker import start_worker

    from backend.celery import app

    url = settings.FIELDSCORE_TEST_REDIS_URL
    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    # Celery caches the result backend per thread and the broker connection pool per app on first
    # use (an eager run earlier in the session caches "disabled" and memory://): drop both so this
    # test talks to Redis, and drop them again afterwards.
    _reset_celery_caches(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(saved)
        _reset_celery_caches(app)


def _reset_celery_caches(app):  # type: ignore[no-untyped-def]
    app._local.__dict__.pop("backend", None)
    app._pool = None  # not closed: something may still hold it; a fresh pool follows the new broker URL
    app.__dict__.pop("amqp", None)


# A test that has not finished (setup, call and teardown, module fixtures included) after this many
# seconds ends the run: every thread's stack is printed and the process exits, so a hang costs minutes and
# says where, instead of CI's whole budget. faulthandler's watchdog is a C thread: it fires even when a
# frozen thread holds the GIL, where a Python timer (SIGALRM, pytest-timeout) never runs. The slowest test
# takes about a minute; FIELDSCORE_TEST_WATCHDOG=0 turns it off (a debugger session).
WATCHDOG_SECONDS = int(os.environ.get("FIELDSCORE_TEST_WATCHDOG", "900"))
_TERMINAL: list[int] = []  # stderr as the run started: while a test runs, pytest captures descriptor 2


def pytest_configure(config: pytest.Config) -> None:
    _TERMINAL.append(os.dup(sys.__stderr__.fileno() if sys.__stderr__ else 2))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    if WATCHDOG_SECONDS > 0:
        faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True, file=_TERMINAL[0])
    try:
        return (yield)
    finally:
        if WATCHDOG_SECONDS > 0:
            faulthandler.cancel_dump_traceback_later()


# Browser tests (tests/browser.py): marked ``browser`` wherever they are, and where their screenshots went.
@pytest.hookimpl(trylast=True)  # after pytest-django's own ordering (database tests first)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    from tests.browser import BROWSER_FIXTURES, demo_tests_last

    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
    demo_tests_last(items)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.browser import TAKEN

    if TAKEN:
        terminalreporter.write_line(f"浏览器截图 {len(TAKEN)} 张：{TAKEN[0].parent}")
