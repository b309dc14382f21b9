"""``/m/``: the shell page, the web app manifest and the service worker.

The service worker is a static file (``fieldapp/static/fieldapp/sw.js``) served from ``/m/sw.js`` so that
its scope covers the app. Its first line, added here, names what it precaches and the cache version: the
SHA-256 of the shell and of every static file of the app, so any change to one of them changes the
worker's bytes, the browser installs the new worker and the old cache is deleted on activation.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse

STATIC_DIR = Path(__file__).resolve().parent / "static" / "fieldapp"
SHELL_TEMPLATE = Path(__file__).resolve().parent / "templates" / "fieldapp" / "shell.html"
# Everything in the app's static folder is precached but the worker itself (the browser keeps it).
NOT_PRECACHED = {"sw.js"}


def _settings() -> dict[str, object]:
    """What the modules need from the server's settings (given to them in json_script)."""
    return {
        "api_base": "/api/v1",
        "photo_limits": {
            "subjectDistanceM": settings.PHOTO_SUBJECT_DISTANCE_M,
            "timeFlagHours": settings.PHOTO_TIME_FLAG_HOURS,
        },
        "sw_url": reverse("fieldapp:sw"),
        "scope": reverse("fieldapp:shell"),
    }


def shell(request: HttpRequest) -> HttpResponse:
    """The app's one page; the modules draw every screen in it, online or not."""
    return render(request, "fieldapp/shell.html", {"app_settings": _settings()})


def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: installable, standalone, starting at /m/."""
    start = reverse("fieldapp:shell")
    body = {
        "name": "外业检查",
        "short_name": "外业检查",
        "description": "海门区外业检查：离线填写检查表、拍照取证、同步",
        "lang": "zh-Hans",
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#1f6feb",
        "icons": [
            {"src": static("fieldapp/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("fieldapp/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("fieldapp/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@cache
def _precache() -> tuple[str, tuple[str, ...]]:
    """(version, URLs) of what the worker keeps: the shell, the manifest and the app's static files."""
    digest = hashlib.sha256(SHELL_TEMPLATE.read_bytes())
    files = sorted(p for p in STATIC_DIR.rglob("*") if p.is_file() and p.name not in NOT_PRECACHED)
    for path in [STATIC_DIR / "sw.js", *files]:
        digest.update(path.relative_to(STATIC_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    urls = [reverse("fieldapp:shell"), reverse("fieldapp:manifest")]
    urls += [static("fieldapp/" + p.relative_to(STATIC_DIR).as_posix()) for p in files]
    return digest.hexdigest()[:16], tuple(urls)


def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker, served under /m/ (its scope) and never cached by HTTP: the browser checks it for a
    new version on every start."""
    if settings.DEBUG:
        _precache.cache_clear()  # edits show without a restart while developing
    version, urls = _precache()
    head = f"self.FIELDAPP_PRECACHE = {json.dumps({'version': version, 'urls': list(urls)})};\n"
    body = head.encode() + (STATIC_DIR / "sw.js").read_bytes()
    response = HttpResponse(body, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("fieldapp:shell")
    return response
