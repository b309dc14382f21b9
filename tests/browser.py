"""Browser fixtures (the web console, the phone app), in a real Chromium driven by Playwright.

A test package uses them with ``from tests.browser import *  # noqa: F403`` in its conftest.py.
For page authors (see docs/architecture.md, "How to add a console page"):

- ``console_users``: the demo accounts (admin, anweiban, huanjing, guihua, changle, sijia, jiancha1,
  jiancha2) with their demo roles on the ``world`` fixture's district and towns (常乐镇 = town A,
  四甲镇 = town B); password :data:`PASSWORD`. Cheap: use it with the plain Django test client too.
- ``page``: a Chromium page over pytest-django's ``live_server`` (transactional database, the test's own
  data), ``base_url`` set, so ``page.goto("/console/water/")`` works. Phone width with
  ``@pytest.mark.parametrize("page", ["phone"], indirect=True)``.
- ``demo_page``: the same over the **full Haimen demo** (``load_demo``, ~10 s), loaded once per run
  with its own live server, flushed at the end; the tests over the demo run after every other test
  (``demo_tests_last``), since a ``page`` / ``transactional_db`` test flushes the database when it ends,
  demo included. Read-only tests only: what one test writes through the live server, the next one sees.
- ``login(page, username)``: signs in through the login form and waits for the console's home page.
- ``screenshot(page, name)``: a full-page PNG in ``var/screenshots/<database>/<name>.png``.

Every test using ``page`` or ``demo_page`` is marked ``browser`` and fails when the page logged a
console error (a CSP violation, a failed script, a 4xx/5xx answer); a test that expects one says so with
``@pytest.mark.allow_console_errors("status of 429")`` (substrings of the allowed messages).
Without a ``chromium`` command the browser tests skip locally and fail under CI (``CI=true``).
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from accounts.demo import load_demo_users
from geo import demo as geo_demo  # noqa: F401 - see below
from tests.conftest import World

__all__ = [
    "PASSWORD",
    "_demo_media_root",
    "_reads_do_not_lock",
    "browser",
    "console_users",
    "demo_page",
    "demo_site",
    "login",
    "page",
    "screenshot",
]

# geo.demo imports shapely (town boundaries): it must load its GEOS before Django's GEOS is first used
# (migrations, ``world``), or shapely's WKT writer meets the system library and refuses (as
# tests/backend/test_demo.py, which imports geo.demo at collection, never sees).

PASSWORD = "console-pass-1"
# load_demo runs once per module (demo_site), outside any test, so it stores its photos under the test
# settings' media folder, not the per-test one of tests/conftest.py: tests over the demo serve them from here.
DEMO_MEDIA_ROOT = settings.MEDIA_ROOT
SCREENSHOTS = Path(os.environ.get("FIELDSCORE_SCREENSHOTS", settings.BASE_DIR / "var" / "screenshots"))
BROWSER_TEST_DEADLINE = 240  # seconds: the slowest browser test takes ~30 s
BROWSER_FIXTURES = {"page", "demo_page", "browser"}
# Where screenshots went, for the run's summary (tests/conftest.py prints it).
TAKEN: list[Path] = []


@pytest.fixture
def console_users(world: World) -> dict[str, Any]:
    """The demo accounts, with the demo's roles on the world's district and towns."""
    from accounts.models import User

    load_demo_users(
        password=PASSWORD, district=world.district, towns={"常乐镇": world.town_a, "四甲镇": world.town_b}
    )
    return {u.username: u for u in User.objects.all()}


# Per module, not per session: Playwright's sync API holds an event loop in the main thread while it
# runs, which later tests (async_to_sync, asyncio) must not meet. Starting Chromium costs about a second.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = shutil.which("chromium")
    if executable is None:
        message = "浏览器测试需要 chromium（deploy/bootstrap-system.sh --test 会安装）"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, so Django takes the tests' (synchronous)
    # ORM calls for calls from async code; allowed while the browser is open, not afterwards.
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            yield browser
            browser.close()
    finally:
        if saved is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """A browser test that runs past ``seconds`` fails instead of hanging the run (a wait with no timeout
    of its own — an ``evaluate`` promise, a read blocked behind the live server's threads — once did for
    17 minutes). SIGALRM: the main thread, POSIX only."""

    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError(f"浏览器测试超过 {seconds} 秒未结束")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _open_page(request: pytest.FixtureRequest, browser: Any, base_url: str) -> Iterator[Any]:
    viewport = getattr(request, "param", "desktop")
    marker = request.node.get_closest_marker("allow_console_errors")
    allowed = marker.args if marker else ()
    context = browser.new_context(base_url=base_url, viewport=VIEWPORTS[viewport], locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []

    def on_console(msg: Any) -> None:
        if msg.type == "error":
            errors.append(f"{msg.text} ({msg.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(15_000)
    with _deadline(BROWSER_TEST_DEADLINE):
        yield page
    context.close()
    errors = [e for e in errors if not any(text in e for text in allowed)]
    if errors:
        pytest.fail("浏览器控制台报错：\n" + "\n".join(errors))


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Any, live_server: Any) -> Iterator[Any]:
    yield from _open_page(request, browser, live_server.url)


@pytest.fixture(scope="session")
def demo_site(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """The full demo, committed once for the run, and a live server over it; flushed at the end. The tests
    using it run last, one after the other (``demo_tests_last``): a ``page`` / ``transactional_db`` test
    flushes the database when it ends, and would take the demo with it.

    On the embedded SpatiaLite default only — the database ``make demo`` runs on. These modules only read
    the demo; every page they visit is also tested on PostGIS by the ``page`` tests over their own data,
    and ``tests/backend/test_demo.py`` loads the demo on both. ``FIELDSCORE_DEMO_PAGES_EVERYWHERE=1`` runs
    them on PostGIS too (about three minutes more)."""
    from pytest_django.live_server_helper import LiveServer

    if connection.vendor != "sqlite" and os.environ.get("FIELDSCORE_DEMO_PAGES_EVERYWHERE") != "1":
        pytest.skip("演示数据上的页面测试在内嵌 SpatiaLite 上运行（make demo 所用的数据库）")

    from checklists.services.templates import _TEMPLATES

    # A session fixture is set up before the test's own autouse fixtures: the template versions the
    # previous test kept in this process (tests/conftest.py clears them per test) name rows its database
    # no longer has, and the demo's inspections would pin them.
    _TEMPLATES.clear()
    with django_db_blocker.unblock():
        call_command("load_demo", "--password", PASSWORD, stdout=StringIO())
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            yield server
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


def demo_tests_last(items: list[pytest.Item]) -> None:
    """Moves the tests over the demo (those using ``demo_site``) after all the others, keeping their order:
    the demo is loaded once and nothing flushes it between them."""
    over_demo = [item for item in items if "demo_site" in getattr(item, "fixturenames", ())]
    if over_demo:
        chosen = set(map(id, over_demo))
        items[:] = [item for item in items if id(item) not in chosen] + over_demo


@pytest.fixture(autouse=True)
def _demo_media_root(request: pytest.FixtureRequest, settings: Any) -> None:
    """A test over the demo (``demo_page``) sees the demo's photos: the media folder they were stored in."""
    if "demo_page" in request.fixturenames:
        settings.MEDIA_ROOT = DEMO_MEDIA_ROOT


@pytest.fixture
def _reads_do_not_lock() -> Iterator[None]:
    """The test's own transaction (``db``) over a file-backed SQLite test database begins DEFERRED, not
    IMMEDIATE (production's choice, tests/settings.py): it only reads, and in WAL mode a reading transaction
    does not stop the live server's threads, which have their own connections, from writing (a login's
    session). An IMMEDIATE one would hold the write lock for the whole test."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    saved = connection.transaction_mode  # type: ignore[attr-defined]
    connection.transaction_mode = "DEFERRED"  # type: ignore[attr-defined]
    try:
        yield
    finally:
        connection.transaction_mode = saved  # type: ignore[attr-defined]


@pytest.fixture
def demo_page(
    request: pytest.FixtureRequest, browser: Any, demo_site: Any, _reads_do_not_lock: None, db: None
) -> Iterator[Any]:
    # ``db`` (a transaction rolled back after the test; begun DEFERRED, see ``_reads_do_not_lock``) sets
    # the test database up and keeps what the test itself writes out of the next test.
    yield from _open_page(request, browser, demo_site.url)


@pytest.fixture
def login() -> Callable[..., Any]:
    def sign_in(page: Any, username: str, password: str = PASSWORD) -> Any:
        page.goto("/console/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url("**/console/")
        return page

    return sign_in


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    def take(page: Any, name: str) -> Path:
        path = SCREENSHOTS / connection.vendor / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=True)
        TAKEN.append(path)
        return path

    return take
