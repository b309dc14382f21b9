"""``/console/scoreboards/<scheme>/`` through the test client: the API's numbers, scope, actions, errors,
downloads, and no query per row."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scoring.assessment import exports
from scoring.assessment.models import Appeal, AwardDecision, Scoreboard
from scoring.assessment.selectors import scoreboard_for
from scoring.assessment.services import scoreboard_notice
from tests.browser import PASSWORD
from tests.conftest import ApiClient
from tests.console.scoreboard_data import SCHEME, store_board
from tests.media.images import jpeg

PAGE = f"/console/scoreboards/{SCHEME}/"
ROW = re.compile(
    r'<tr(?: class="row-mine")? data-region="(\d+)">\s*<td class="num">(\d+)</td>.*?'
    r'<td class="num total">([^<]*)</td>\s*<td class="grade">([^<]*)</td>\s*<td class="award">([^<]*)</td>',
    re.S,
)
ACTION_FORMS = ("/notice/", "/publish/", "/decide/", "/decision/")


def own(world: Any) -> str:
    """The appeal form's value for 常乐镇's own row (region:unit)."""
    return f"{world.town_a.pk}:{world.town_a.pk}"


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/console/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def page_rows(html: str) -> list[tuple[int, int, str, str, str]]:
    return [(int(r), int(k), t, g, unescape(a)) for r, k, t, g, a in ROW.findall(html)]


def api_rows(user: Any, reverse: bool) -> list[tuple[int, int, str, str, str]]:
    body = ApiClient(user).get(f"/api/v1/scoreboards/{SCHEME}", reverse=str(reverse).lower()).json()
    return [
        (
            r["region_id"],
            r["reverse_rank"] if reverse else r["rank"],
            r["total"],
            r["grade"],
            "；".join(a for a in (r["award"], *r["single_awards"]) if a),
        )
        for r in body["rows"]
    ]


def office_principal(users: dict[str, Any]) -> Any:
    from accounts.selectors import principal_for

    return principal_for(users["anweiban"])


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("username", ["anweiban", "changle", "guihua"])
def test_the_page_shows_the_api_numbers_for_the_same_user(console_users, world, username, reverse) -> None:  # type: ignore[no-untyped-def]
    store_board(world, 12)
    if username != "anweiban":  # the others see public boards only
        scoreboard_notice(principal=office_principal(console_users), scheme_key=SCHEME)
    response = signed_in(username).get(PAGE + ("?reverse=1" if reverse else ""))
    assert response.status_code == 200
    shown = page_rows(response.content.decode())
    expected = api_rows(console_users[username], reverse)
    assert len(shown) == 12
    assert shown == expected
    # the order really differs between the two
    assert [r[0] for r in expected] != [r[0] for r in api_rows(console_users[username], not reverse)]


def test_the_page_shows_the_state_hash_columns_and_the_band_lines(console_users, world) -> None:  # type: ignore[no-untyped-def]
    board = store_board(world, 10)
    html = signed_in("anweiban").get(PAGE).content.decode()
    for text in (
        "草稿",
        board.content_hash,
        "排名",
        "区镇",
        "安全生产",
        "消防",
        "总分",
        "等次",
        "奖项",
        "备注",
    ):
        assert text in html
    assert "一票否决：发生较大生产安全事故" in html
    assert f'href="/console/towns/{world.town_a.pk}/"' in html
    assert 'data-chart="board-chart"' in html and '"yAxis": 90.0' in html and '"yAxis": 70.0' in html
    scoreboard_notice(principal=office_principal(console_users), scheme_key=SCHEME)
    html = signed_in("anweiban").get(PAGE).content.decode()
    assert "公示中" in html and "申诉截止" in html
    assert "row-mine" not in html and "提交申诉" not in html  # the appeal form is the towns'
    assert "公示草稿" not in html and "正式发布" in html


def test_the_reverse_toggle_swaps_only_the_table_under_htmx(console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, 10)
    headers = {"HX-Request": "true", "HX-Target": "board-table"}
    response = signed_in("anweiban").get(PAGE + "?reverse=1", headers=headers)
    assert "HX-Target" in response["Vary"]
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board-table">') and "<html" not in html
    assert "逆序：开" in html
    assert page_rows(html) == api_rows(console_users["anweiban"], True)


def test_the_catalogue_links_each_board_to_its_page(console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, 4)
    html = signed_in("anweiban").get("/console/scoreboards/").content.decode()
    assert f'href="{PAGE}"' in html


def test_a_town_officer_sees_only_public_boards_and_no_office_action(console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, 10)
    town = signed_in("changle")
    assert town.get(PAGE).status_code == 404  # a draft is not the towns' to see
    assert town.get(PAGE + "?status=draft").status_code == 404
    assert town.get(PAGE.replace(SCHEME, "no-such-scheme")).status_code == 404
    scoreboard_notice(principal=office_principal(console_users), scheme_key=SCHEME)
    html = town.get(PAGE).content.decode()
    assert not any(form in html for form in ACTION_FORMS)
    assert html.count('class="row-mine"') == 1  # its own row, and the appeal form for it
    assert f'<tr class="row-mine" data-region="{world.town_a.pk}">' in html
    assert f'<option value="{world.town_a.pk}:{world.town_a.pk}">' in html


def test_a_planner_sees_no_action_and_forged_posts_are_refused_by_the_service(console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, 10, tie=True)
    office = signed_in("anweiban")
    # the office decides the tie and notices, then the town appeals: something for every action to act on
    board = Scoreboard.objects.get(scheme_key=SCHEME, status="draft")
    tied = board.undecided["advanced"]
    planner = signed_in("guihua")
    refused = planner.post(PAGE + "awards/advanced/decision/", {"region_ids": tied[:4], "reason": "伪造"})
    assert refused.status_code == 403 and "只有区级部门可以发布考核结果" in refused.content.decode()
    assert Scoreboard.objects.get(pk=board.pk).undecided == board.undecided
    assert (
        office.post(
            PAGE + "awards/advanced/decision/", {"region_ids": tied[:4], "reason": "先到先得"}
        ).status_code
        == 302
    )
    store_board(world, 10, tie=True)  # what the recompute after commit does with the same inputs
    assert planner.post(PAGE + "notice/").status_code == 403
    assert Scoreboard.objects.filter(scheme_key=SCHEME, status="notice").count() == 0
    scoreboard_notice(principal=office_principal(console_users), scheme_key=SCHEME)
    html = planner.get(PAGE).content.decode()
    assert not any(form in html for form in ACTION_FORMS) and "提交申诉" not in html
    town = signed_in("changle")
    assert town.post(PAGE + "appeals/", {"unit": own(world), "reason": "理由"}).status_code == 302
    appeal = Appeal.objects.get()
    for path, data, message in (
        (PAGE + "publish/", {}, "只有区级部门可以发布考核结果"),
        (
            PAGE + f"appeals/{appeal.pk}/decide/",
            {"outcome": "upheld", "decision": "伪造"},
            "只有区级部门可以处理申诉",
        ),
    ):
        response = planner.post(path, data)
        assert response.status_code == 403, path
        assert message in response.content.decode()
    # the town cannot act either (the same services refuse it)
    assert town.post(PAGE + "publish/").status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == "pending"
    assert Scoreboard.objects.filter(scheme_key=SCHEME, status="final").count() == 0
    # a planner has no appeal of its own to add photos to: outside scope is a 404
    assert planner.post(PAGE + f"appeals/{appeal.pk}/photos/", {"file": _upload()}).status_code == 404


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("evidence.jpg", jpeg(), content_type="image/jpeg")


def test_office_actions_show_the_services_own_errors_on_the_page(console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, 10)
    office, town = signed_in("anweiban"), signed_in("changle")
    response = office.post(PAGE + "publish/")
    assert response.status_code == 404  # nothing under notice: the service's NotFound
    assert office.post(PAGE + "notice/", follow=True).content.decode().count("已公示") == 1
    town.post(PAGE + "appeals/", {"unit": own(world), "reason": "事故不在本镇"})
    response = office.post(PAGE + "publish/")
    html = response.content.decode()
    assert response.status_code == 409 and "仍有申诉未处理" in html and 'data-code="appeals_pending"' in html
    assert 'id="board-table"' in html  # the page itself, with the error in place
    appeal = Appeal.objects.get()
    response = office.post(PAGE + f"appeals/{appeal.pk}/decide/", {"outcome": "rejected", "decision": "  "})
    assert response.status_code == 422 and "必须写明处理意见" in response.content.decode()
    response = office.post(PAGE + f"appeals/{appeal.pk}/decide/", {"decision": "无选择"})
    assert response.status_code == 422 and "请选择申诉成立或不成立" in response.content.decode()
    assert (
        office.post(
            PAGE + f"appeals/{appeal.pk}/decide/", {"outcome": "rejected", "decision": "不成立"}
        ).status_code
        == 302
    )
    response = office.post(PAGE + f"appeals/{appeal.pk}/decide/", {"outcome": "upheld", "decision": "再来"})
    assert response.status_code == 409 and "申诉已处理" in response.content.decode()
    assert office.post(PAGE + "publish/").status_code == 302
    assert scoreboard_for(principal=office_principal(console_users), scheme_key=SCHEME, status="final")


def test_a_town_files_an_appeal_and_adds_a_photo_it_then_sees(console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, 10)
    scoreboard_notice(principal=office_principal(console_users), scheme_key=SCHEME)
    town = signed_in("changle")
    response = town.post(PAGE + "appeals/", {"unit": own(world), "reason": "  "})
    assert response.status_code == 422 and "必须说明申诉理由" in response.content.decode()
    # another town's row is not the town's to appeal: the service's 404
    other = f"{world.town_b.pk}:{world.town_b.pk}"
    assert town.post(PAGE + "appeals/", {"unit": other, "reason": "理由"}).status_code == 404
    assert town.post(PAGE + "appeals/", {"unit": own(world), "reason": "理由"}).status_code == 302
    appeal = Appeal.objects.get()
    assert town.post(PAGE + f"appeals/{appeal.pk}/photos/", {}).status_code == 422
    assert town.post(PAGE + f"appeals/{appeal.pk}/photos/", {"file": _upload()}).status_code == 302
    appeal.refresh_from_db()
    assert len(appeal.evidence) == 1
    html = town.get(PAGE).content.decode()
    src = f"/console/photos/{appeal.evidence[0]}/"
    assert src in html
    photo = town.get(src)
    assert photo.status_code == 200 and b"".join(photo.streaming_content)[:2] == b"\xff\xd8"
    assert signed_in("guihua").get(src).status_code == 404  # the API's photo scope


def test_a_tie_at_an_award_cut_off_is_decided_through_the_page(console_users, world) -> None:  # type: ignore[no-untyped-def]
    store_board(world, 8, tie=True)
    office = signed_in("anweiban")
    board = Scoreboard.objects.get(scheme_key=SCHEME, status="draft")
    tied = board.undecided["advanced"]
    assert len(tied) == 5
    html = office.get(PAGE).content.decode()
    assert "奖项名额分界处并列：先进区镇" in html
    assert all(f'name="region_ids" value="{t}"' in html for t in tied)
    response = office.post(PAGE + "notice/")  # notice waits for the tie
    assert response.status_code == 409 and "仍有奖项并列待区安委办决定" in response.content.decode()
    response = office.post(PAGE + "awards/advanced/decision/", {"region_ids": tied[:3], "reason": "理由"})
    assert response.status_code == 422 and "剩余名额 4 个" in response.content.decode()
    response = office.post(PAGE + "awards/advanced/decision/", {"region_ids": tied[1:], "reason": "抽签"})
    assert response.status_code == 302
    decision = AwardDecision.objects.get(scheme_key=SCHEME, award_key="advanced")
    assert decision.region_ids == tied[1:] and decision.reason == "抽签"
    # The service recomputes the draft after commit (from the inspections); the same inputs again here:
    board = store_board(world, 8, tie=True)
    assert board.undecided.get("advanced") is None
    awarded = {r["region_id"] for r in board.rows if r["award"] == "先进区镇"}
    assert awarded == set(tied[1:])


def test_exports_download_with_the_console_session_as_the_api_makes_them(console_users, world) -> None:  # type: ignore[no-untyped-def]
    board = store_board(world, 10)
    office = signed_in("anweiban")
    html = office.get(PAGE).content.decode()
    assert f'href="{PAGE}export.xlsx?"' in html and f'href="{PAGE}export.csv?"' in html
    csv = office.get(PAGE + "export.csv?reverse=1")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert csv.content == exports.to_csv(board, reverse=True)
    assert (
        csv.content
        == ApiClient(console_users["anweiban"])
        .get(f"/api/v1/scoreboards/{SCHEME}/export", format="csv", reverse="true")
        .content
    )
    xlsx = office.get(PAGE + "export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert signed_in("changle").get(PAGE + "export.csv").status_code == 404  # a draft: not the town's
    assert Client().get(PAGE + "export.csv").status_code == 302  # to the login page


@pytest.mark.parametrize("username", ["anweiban", "changle"])
def test_the_page_does_not_query_per_row(console_users, world, username) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(username)
    counts = []
    for n in (10, 40):
        store_board(world, n)
        if username == "changle":
            scoreboard_notice(principal=office_principal(console_users), scheme_key=SCHEME)
        client.get(PAGE)  # warm the session and the scheme cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(PAGE)
        assert response.status_code == 200 and len(page_rows(response.content.decode())) == n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_page_holds_no_inline_script_or_style(console_users, world) -> None:  # type: ignore[no-untyped-def]
    from tests.console.test_console import _InlineCode

    store_board(world, 8, tie=True)
    for username in ("anweiban", "admin"):
        parser = _InlineCode()
        parser.feed(signed_in(username).get(PAGE).content.decode())
        assert parser.found == []
