"""The web console's foundation through the test client: login, scope, errors, headers, no inline code."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from typing import Any

import pytest
from django.http import Http404, HttpResponse
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver

from console import vendoring
from console.access import console_view
from kernel.errors import NotFound, PermissionDenied
from tests.browser import PASSWORD

DEMO_ROLES = ["admin", "anweiban", "huanjing", "guihua", "changle", "jiancha1"]


def signed_in(username: str) -> Client:
    client = Client()
    response = client.post("/console/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return client


def test_root_redirects_to_the_console(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/console/"


def test_anonymous_visitor_is_sent_to_the_login_page_and_back(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/console/scoreboards/")
    assert response.status_code == 302
    assert response["Location"] == "/console/login/?next=/console/scoreboards/"


def test_login_page_has_django_standard_fields_labels_and_csrf(db) -> None:  # type: ignore[no-untyped-def]
    html = Client().get("/console/login/").content.decode()
    assert '<html lang="zh-Hans">' in html
    for name in ("username", "password", "csrfmiddlewaretoken"):
        assert f'name="{name}"' in html
    assert '<label for="id_username">用户名</label>' in html
    assert '<label for="id_password">密码</label>' in html


def test_login_enforces_csrf(console_users) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    response = client.post("/console/login/", {"username": "anweiban", "password": PASSWORD})
    assert response.status_code == 403


@pytest.mark.parametrize("username", DEMO_ROLES)
def test_each_demo_role_signs_in_and_sees_its_name(console_users, username) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post("/console/login/", {"username": username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/console/"
    html = response.content.decode()
    assert str(console_users[username]) in html
    assert "退出登录" in html


def test_navigation_follows_the_role(console_users) -> None:  # type: ignore[no-untyped-def]
    office = signed_in("anweiban").get("/console/").content.decode()
    planner = signed_in("guihua").get("/console/").content.decode()
    for label in ("考核结果", "审核", "水质", "污水设施", "导入", "地图"):
        assert label in office
    assert 'href="/console/review/"' not in planner and 'href="/console/imports/"' not in planner
    assert 'href="/console/water/"' in planner and 'href="/console/map/"' in planner


def test_home_lists_the_catalogue_the_api_gives_the_same_principal(console_users) -> None:  # type: ignore[no-untyped-def]
    from console.services import principal_for, scoreboard_catalogue  # the API's selector, imported once

    html = signed_in("anweiban").get("/console/").content.decode()
    entries = scoreboard_catalogue(principal=principal_for(console_users["anweiban"]))
    assert entries
    for entry in entries:
        assert entry.title in html
        assert f'href="/console/scoreboards/{entry.scheme_key}/"' in html
    assert "暂无可查看的考核结果" in signed_in("jiancha1").get("/console/").content.decode()


def test_wrong_password_shows_a_chinese_error(console_users) -> None:  # type: ignore[no-untyped-def]
    response = Client().post("/console/login/", {"username": "anweiban", "password": "wrong"})
    assert response.status_code == 200
    assert "正确的" in response.content.decode()  # Django's zh-Hans: 请输入一个正确的 用户名 和密码
    assert "_auth_user_id" not in response.client.session


def test_inactive_user_is_refused(console_users) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("changle")
    console_users["changle"].is_active = False
    console_users["changle"].save()
    assert client.get("/console/").status_code == 302  # the open session ends with the account
    response = Client().post("/console/login/", {"username": "changle", "password": PASSWORD})
    assert response.status_code == 200 and "正确的" in response.content.decode()


def test_lockout_applies_to_console_logins_as_to_the_api(console_users, settings) -> None:  # type: ignore[no-untyped-def]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert Client().post("/console/login/", {"username": "guihua", "password": "x"}).status_code == 200
    locked = Client().post("/console/login/", {"username": "guihua", "password": "x"})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "账号已临时锁定" in html and '<html lang="zh-Hans">' in html
    # Even the right password is refused now, on the console and on the API alike.
    again = Client().post("/console/login/", {"username": "guihua", "password": PASSWORD})
    assert again.status_code == 429 and "_auth_user_id" not in again.client.session
    api = Client().post(
        "/api/v1/auth/token",
        {"username": "guihua", "password": PASSWORD, "device_id": "p"},
        content_type="application/json",
    )
    assert api.status_code == 429 and api.json()["code"] == "login_locked"


def test_api_lockout_still_answers_json(console_users, settings) -> None:  # type: ignore[no-untyped-def]
    body = {"username": "sijia", "password": "x", "device_id": "p"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = Client().post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 429 and response.json()["code"] == "login_locked"
    # …and the console refuses that account too.
    assert Client().post("/console/login/", {"username": "sijia", "password": PASSWORD}).status_code == 429


def test_logout_is_post_only_and_ends_the_session(console_users) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("anweiban")
    assert client.get("/console/logout/").status_code == 405
    response = client.post("/console/logout/")
    assert response.status_code == 302 and response["Location"] == "/console/login/"
    assert client.get("/console/").status_code == 302


def test_successful_login_resets_the_failure_count(console_users, settings) -> None:  # type: ignore[no-untyped-def]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        Client().post("/console/login/", {"username": "huanjing", "password": "x"})
    signed_in("huanjing")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert Client().post("/console/login/", {"username": "huanjing", "password": "x"}).status_code == 200


# --- console_view: scope and service errors -----------------------------------------------------------


def _request(user: Any) -> Any:
    request = RequestFactory().get("/console/x/")
    request.user = user
    return request


def test_console_view_gives_the_principal_and_maps_errors(console_users) -> None:  # type: ignore[no-untyped-def]
    seen = {}

    @console_view
    def ok(request):  # type: ignore[no-untyped-def]
        seen["principal"] = request.principal
        return HttpResponse("ok")

    @console_view
    def outside_scope(request):  # type: ignore[no-untyped-def]
        raise NotFound("找不到该区镇")

    @console_view
    def refused(request):  # type: ignore[no-untyped-def]
        raise PermissionDenied("只有区安委办可以发布", code="role_required")

    user = console_users["changle"]
    assert ok(_request(user)).status_code == 200
    assert seen["principal"].username == "changle"
    assert {g.role.value for g in seen["principal"].grants} == {"town_officer"}
    with pytest.raises(Http404):
        outside_scope(_request(user))
    response = refused(_request(user))
    assert response.status_code == 403
    html = response.content.decode()
    assert "只有区安委办可以发布" in html and 'data-code="role_required"' in html


def test_console_view_sends_anonymous_visitors_to_login(db) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import AnonymousUser

    @console_view
    def page(request):  # type: ignore[no-untyped-def]
        raise AssertionError("never reached")

    response = page(_request(AnonymousUser()))
    assert response.status_code == 302 and response["Location"].startswith("/console/login/?next=")


# --- headers and no inline code ---------------------------------------------------------------------

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)


def _directives(header: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip() for part in header.split(";") if part.strip()}


def test_console_pages_carry_a_strict_csp_and_security_headers(console_users) -> None:  # type: ignore[no-untyped-def]
    for response in (Client().get("/console/login/"), signed_in("anweiban").get("/console/")):
        assert _directives(response["Content-Security-Policy"]) == _directives(CSP)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_api_docs_and_admin_keep_their_own_pages(db) -> None:  # type: ignore[no-untyped-def]
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200 and "Content-Security-Policy" not in docs
    admin = Client().get("/admin/login/")
    assert admin.status_code == 200 and "Content-Security-Policy" not in admin


class _InlineCode(HTMLParser):
    """Collects what a strict CSP would block: inline <script>, <style>, style="…" and on…="…"."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script":
            kind = dict(attrs).get("type") or "text/javascript"
            self._in_script = "src" not in names and "json" not in kind
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag} {name}=" for name in names if name == "style" or name.startswith("on")]

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.found.append(f"<script>{data.strip()[:40]}")


def console_paths(patterns: list[Any] | None = None, prefix: str = "/console/") -> list[str]:
    """Every console path without parameters (pages with parameters add theirs to PAGES_WITH_ARGUMENTS)."""
    from console.urls import urlpatterns

    paths = []
    for entry in urlpatterns if patterns is None else patterns:
        route = str(entry.pattern)
        if "<" in route:
            continue
        if isinstance(entry, URLResolver):
            paths += console_paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            paths.append(prefix + route)
    return paths


# Console pages whose paths take parameters: page authors add one example each (format with `world`).
PAGES_WITH_ARGUMENTS: list[str] = [
    "/console/water/sections/{world.section_a.pk}/",
    "/console/sewage/facilities/{world.facility_a.pk}/",
    "/console/towns/{world.town_a.pk}/",
]


def test_no_console_page_holds_inline_script_or_style(console_users, world) -> None:  # type: ignore[no-untyped-def]
    client = signed_in("admin")
    paths = console_paths() + [p.format(world=world) for p in PAGES_WITH_ARGUMENTS]
    checked = 0
    for path in paths:
        response = client.get(path)
        if response.status_code in (302, 405):  # login (signed in already), logout (POST only)
            continue
        assert response.status_code == 200, path
        parser = _InlineCode()
        parser.feed(response.content.decode())
        assert parser.found == [], (path, parser.found)
        checked += 1
    assert checked >= 2
    # The pages that only show up on failure are templates too.
    for response in (
        Client().post("/console/login/", {"username": "anweiban", "password": "wrong"}),
        Client().get("/console/login/"),
    ):
        parser = _InlineCode()
        parser.feed(response.content.decode())
        assert parser.found == []


def test_inline_code_detector_finds_what_csp_blocks() -> None:
    parser = _InlineCode()
    parser.feed('<script>alert(1)</script><p style="x"></p><a onclick="y"></a><style>p{}</style>')
    parser.feed('<script src="/static/a.js"></script><script type="application/json">{}</script>')
    assert parser.found == ["<script>alert(1)", "p style=", "a onclick=", "<style>"]


# --- vendored libraries -------------------------------------------------------------------------------


def test_vendored_files_match_the_manifest_and_the_lock() -> None:
    assert vendoring.problems() == []
    manifest = vendoring.locked_packages()
    assert manifest["htmx.org"]["version"].startswith("2.")
    assert manifest["echarts"]["version"].startswith("5.")
    assert manifest["maplibre-gl"]["version"].startswith("4.")
    assert {"maplibre-gl-csp.js", "maplibre-gl-csp-worker.js", "maplibre-gl.css"} <= set(vendoring.VENDORED)


def test_a_changed_vendored_file_is_caught(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "vendor"
    shutil.copytree(vendoring.VENDOR_DIR, copy)
    (copy / "htmx.min.js").write_bytes((copy / "htmx.min.js").read_bytes() + b"\n")
    monkeypatch.setattr(vendoring, "VENDOR_DIR", copy)
    monkeypatch.setattr(vendoring, "MANIFEST", copy / "manifest.json")
    assert vendoring.problems() == ["htmx.min.js: sha384 与清单不一致"]


def test_pages_load_vendored_scripts_with_their_sri_hash(db) -> None:  # type: ignore[no-untyped-def]
    html = Client().get("/console/login/").content.decode()
    tag = re.search(r'<script src="/static/console/vendor/htmx.min.js"[^>]*>', html)
    assert tag is not None
    assert f'integrity="{vendoring.integrity("htmx.min.js")}"' in tag.group(0)
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from another host


def test_console_logins_share_the_api_login_rate_per_address(console_users) -> None:  # type: ignore[no-untyped-def]
    # FIELDSCORE_LOGIN_RATE (30/m): one budget per address for both doors, whatever the usernames.
    for i in range(20):
        body = {"username": f"n{i}", "password": "x", "device_id": "p"}
        Client().post("/api/v1/auth/token", body, content_type="application/json")
    statuses = [
        Client().post("/console/login/", {"username": f"m{i}", "password": "x"}).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [200] * 10 and set(statuses[10:]) == {429}
    refused = Client().post("/console/login/", {"username": "anweiban", "password": PASSWORD})
    assert refused.status_code == 429 and "请求过于频繁" in refused.content.decode()


def test_class_based_views_get_the_same_through_the_mixin(console_users) -> None:  # type: ignore[no-untyped-def]
    from django.views import View

    from console.access import ConsoleViewMixin

    class Page(ConsoleViewMixin, View):
        def get(self, request):  # type: ignore[no-untyped-def]
            if request.principal.username == "sijia":
                raise NotFound("不在辖区内")
            return HttpResponse(request.principal.username)

    assert Page.as_view()(_request(console_users["changle"])).content == b"changle"
    with pytest.raises(Http404):
        Page.as_view()(_request(console_users["sijia"]))
