"""The console's foundation in a real Chromium: sign in per role, errors, logout, phone width, keyboard."""

from __future__ import annotations

import pytest

from tests.browser import PASSWORD
from tests.console.test_console import DEMO_ROLES


@pytest.mark.parametrize("username", DEMO_ROLES)
def test_each_demo_role_signs_in(page, login, screenshot, console_users, username) -> None:  # type: ignore[no-untyped-def]
    login(page, username)
    assert page.locator(".user-name").inner_text() == str(console_users[username])
    assert page.get_by_role("button", name="退出登录").is_visible()
    screenshot(page, f"home-{username}")


def test_wrong_password_shows_a_chinese_error(page, screenshot, console_users) -> None:  # type: ignore[no-untyped-def]
    page.goto("/console/login/")
    page.get_by_label("用户名").fill("anweiban")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    alert = page.get_by_role("alert")
    assert "正确的" in alert.inner_text()
    assert page.url.endswith("/console/login/")
    screenshot(page, "login-error")


@pytest.mark.allow_console_errors("status of 429")
def test_lockout_page_in_the_browser(page, login, screenshot, console_users, settings) -> None:  # type: ignore[no-untyped-def]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto("/console/login/")
        page.get_by_label("用户名").fill("guihua")
        page.get_by_label("密码").fill("wrong")
        with page.expect_navigation():
            page.get_by_role("button", name="登录").click()
    assert "账号已临时锁定" in page.get_by_role("alert").inner_text()
    screenshot(page, "login-locked")


def test_anonymous_visit_then_login_returns_to_the_page(page, console_users) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    assert page.url.endswith("/console/login/?next=/console/")
    page.get_by_label("用户名").fill("changle")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/console/")


def test_logout_button_signs_out(page, login, console_users) -> None:  # type: ignore[no-untyped-def]
    login(page, "anweiban")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/console/login/")
    page.goto("/console/")
    assert "/console/login/" in page.url


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_phone_width_needs_no_sideways_scrolling(page, login, screenshot, console_users) -> None:  # type: ignore[no-untyped-def]
    login(page, "anweiban")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "home-phone")


def test_keyboard_reaches_the_skip_link_first_and_it_shows(page, login, console_users) -> None:  # type: ignore[no-untyped-def]
    login(page, "anweiban")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到正文"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0  # on screen once focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_vendored_libraries_load_under_the_csp(page, login, console_users) -> None:  # type: ignore[no-untyped-def]
    login(page, "anweiban")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
