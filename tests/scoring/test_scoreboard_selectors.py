"""Reads the scoreboard page shares with the API: the ranking order and which rows a caller may appeal."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.selectors import principal_for
from scoring.assessment.models import Scoreboard
from scoring.assessment.selectors import appealable_regions, ranked_rows
from scoring.assessment.services import scoreboard_notice
from tests.conftest import make_user
from tests.console.scoreboard_data import SCHEME, store_board


def test_ranked_rows_are_the_ranking_or_its_reverse_ties_by_region(world) -> None:  # type: ignore[no-untyped-def]
    board = store_board(world, 10, tie=True)
    forward, backward = ranked_rows(board), ranked_rows(board, reverse=True)
    assert [r["rank"] for r in forward] == sorted(r["rank"] for r in board.rows)
    assert [r["reverse_rank"] for r in backward] == sorted(r["reverse_rank"] for r in board.rows)
    tied = [r["region_id"] for r in forward if r["rank"] == 1]
    assert len(tied) == 5 and tied == sorted(tied)


def test_a_town_may_appeal_its_own_row_only_while_the_notice_is_open(world) -> None:  # type: ignore[no-untyped-def]
    office = principal_for(make_user("district_office", world.district))
    town = principal_for(make_user("town_officer", world.town_a))
    planner = principal_for(make_user("planner", world.district))
    board = store_board(world, 6)
    assert appealable_regions(principal=town, board=board) == set()  # a draft
    board = scoreboard_notice(principal=office, scheme_key=SCHEME)
    assert appealable_regions(principal=town, board=board) == {world.town_a.pk}
    assert appealable_regions(principal=planner, board=board) == set()
    assert len(appealable_regions(principal=office, board=board)) == 6  # the service lets the office file
    Scoreboard.objects.filter(pk=board.pk).update(notice_until=timezone.now() - timedelta(minutes=1))
    board.refresh_from_db()
    assert appealable_regions(principal=town, board=board) == set()
