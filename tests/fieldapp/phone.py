"""A phone for the app's browser tests: Chromium emulating a 375×740 touch phone with a location.

``phone`` is a page over ``live_server`` (the test's own data) in such a context, with the geolocation
permission granted and the position set (``FIELD``, at the demo facility of the tests); like ``page`` it
fails the test on a console error unless ``@pytest.mark.allow_console_errors(...)`` says which.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tests.browser import BROWSER_TEST_DEADLINE, _deadline

__all__ = ["FIELD", "demo_phone", "phone", "phone_context"]

FIELD = {"longitude": 121.31, "latitude": 31.95, "accuracy": 8}


def _context(browser: Any, base_url: str, **extra: Any) -> Any:
    options = {"geolocation": FIELD, **extra}
    return browser.new_context(
        base_url=base_url,
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        permissions=["geolocation"],
        **options,
    )


def _phones(request: pytest.FixtureRequest, browser: Any, base_url: str) -> Iterator[Any]:
    marker = request.node.get_closest_marker("allow_console_errors")
    allowed = marker.args if marker else ()
    if connection.vendor == "sqlite":
        # The app sends requests side by side (the outbox, the screen's own reads); SQLite has one writer,
        # so a write that waits past the busy timeout answers 503 database_busy, which the app retries like
        # any 5xx. On PostGIS a 503 fails the test.
        allowed = (*allowed, "status of 503")
    opened: list[Any] = []
    errors: list[str] = []

    def open_phone(**extra: Any) -> tuple[Any, Any]:
        context = _context(browser, base_url, **extra)
        page = context.new_page()
        page.on(
            "console",
            lambda msg: (
                errors.append(f"{msg.text} ({msg.location.get('url', '')})") if msg.type == "error" else None
            ),
        )
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.set_default_timeout(15_000)
        opened.append(context)
        return context, page

    with _deadline(BROWSER_TEST_DEADLINE):
        yield open_phone
    for context in opened:
        context.close()
    errors = [e for e in errors if not any(text in e for text in allowed)]
    if errors:
        pytest.fail("浏览器控制台报错：\n" + "\n".join(errors))


@pytest.fixture
def phone_context(request: pytest.FixtureRequest, browser: Any, live_server: Any) -> Iterator[Any]:
    """A new phone context factory: ``phone_context()`` → (context, page); all closed after the test,
    console errors collected like the ``page`` fixture's."""
    yield from _phones(request, browser, live_server.url)


@pytest.fixture
def phone(phone_context: Any) -> Any:
    return phone_context()[1]


@pytest.fixture
def demo_phone(
    request: pytest.FixtureRequest, browser: Any, demo_site: Any, _reads_do_not_lock: None, db: None
) -> Iterator[Any]:
    """A phone over the full Haimen demo (``demo_site``, as ``demo_page``: read-only tests in a module of
    their own); ``demo_phone.context.set_geolocation(…)`` moves it."""
    phones = _phones(request, browser, demo_site.url)
    yield next(phones)()[1]
    next(phones, None)
