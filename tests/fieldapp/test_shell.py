import json
import re

import pytest

from fieldapp import views

pytestmark = pytest.mark.django_db


def test_the_shell_is_served_under_m_with_a_strict_csp(client):
    response = client.get("/m/")
    assert response.status_code == 200
    assert "外业检查" in response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_the_shell_links_the_manifest_the_module_and_gives_settings_in_json_script(client, settings):
    settings.PHOTO_SUBJECT_DISTANCE_M = 150.0
    html = client.get("/m/").content.decode()
    assert 'rel="manifest" href="/m/manifest.webmanifest"' in html
    assert '<script type="module" src="/static/fieldapp/js/app.js">' in html
    found = re.search(r'id="fieldapp-settings" type="application/json">(.*?)</script>', html)
    data = json.loads(found.group(1))
    assert data == {
        "api_base": "/api/v1",
        "photo_limits": {"subjectDistanceM": 150.0, "timeFlagHours": 24.0},
        "sw_url": "/m/sw.js",
        "scope": "/m/",
    }
    # no inline script besides the JSON data
    assert re.findall(r"<script(?![^>]*(?:type=\"module\" src=|type=\"application/json\"))", html) == []


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/m/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    body = response.json()
    assert body["name"] == "外业检查" and body["start_url"] == "/m/" and body["display"] == "standalone"
    sizes = {i["sizes"]: i["src"] for i in body["icons"]}
    assert {"any", "192x192", "512x512"} <= set(sizes)
    for src in sizes.values():
        assert (views.STATIC_DIR / src.removeprefix("/static/fieldapp/")).is_file(), src


def test_the_service_worker_is_served_from_m_uncached_with_its_precache_list(client):
    response = client.get("/m/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/m/"
    head, _, rest = response.content.decode().partition("\n")
    assert rest.encode() == (views.STATIC_DIR / "sw.js").read_bytes()
    precache = json.loads(head.removeprefix("self.FIELDAPP_PRECACHE = ").removesuffix(";"))
    assert re.fullmatch(r"[0-9a-f]{16}", precache["version"])
    urls = precache["urls"]
    assert urls[:2] == ["/m/", "/m/manifest.webmanifest"]
    for module in ("app", "api", "store", "sync", "ui", "engine", "evidence"):
        assert f"/static/fieldapp/js/{module}.js" in urls
    assert "/static/fieldapp/app.css" in urls and "/static/fieldapp/sw.js" not in urls
    assert not any(u.startswith("/api/") for u in urls)


def test_the_cache_version_changes_with_any_precached_file(tmp_path, monkeypatch):
    views._precache.cache_clear()
    before = views._precache()
    copy = tmp_path / "fieldapp"
    copy.mkdir()
    for path in views.STATIC_DIR.rglob("*"):
        if path.is_file():
            target = copy / path.relative_to(views.STATIC_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    monkeypatch.setattr(views, "STATIC_DIR", copy)
    views._precache.cache_clear()
    assert views._precache() == before  # same bytes, same version
    (copy / "js" / "ui.js").write_bytes((copy / "js" / "ui.js").read_bytes() + b"\n// changed\n")
    views._precache.cache_clear()
    assert views._precache()[0] != before[0]
    views._precache.cache_clear()
