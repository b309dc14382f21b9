"""What every benchmark shares."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def best_of(n: int, *fns: Callable[[], object]) -> list[float]:
    """For each function, the fastest of ``n`` runs in seconds (the least disturbed by the rest of the
    machine). The functions take turns (a, b, a, b, …) so that a slow spell of a shared machine falls
    on both sides of a ratio, not on one."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(n):
        for fn, spent in zip(fns, times, strict=True):
            start = time.perf_counter()
            fn()
            spent.append(time.perf_counter() - start)
    return [min(spent) for spent in times]


@contextmanager
def browser_over_live_server() -> Iterator[tuple[Any, str]]:
    """Chromium (Debian's ``chromium`` through Playwright) and the base URL of a live server over the
    benchmark database (Django's own server thread, static files included), for the page benchmarks.
    Exits with a message when there is no ``chromium`` command."""
    import shutil

    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from django.test.utils import override_settings
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        raise SystemExit("no chromium command (deploy/bootstrap-system.sh --test installs it) → FAIL")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = (
        "true"  # Playwright's loop in this thread; the ORM calls are ours
    )
    with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
        server = LiveServerThread("localhost", StaticFilesHandler, port=0)
        server.daemon = True
        server.start()
        server.is_ready.wait()
        if server.error:
            raise server.error
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
                try:
                    yield browser, f"http://localhost:{server.port}"
                finally:
                    browser.close()
        finally:
            server.terminate()
