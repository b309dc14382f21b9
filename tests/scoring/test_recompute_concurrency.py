"""Two recomputations of one scheme at once, for real (threads, each with its own connection): the draft
left behind must be computed from every approval committed before it, whichever run commits last.

A Celery worker recomputes a scheme after each approval and after each of the office's task-record edits;
under load two runs of one scheme overlap. Before runs were serialised, the slower one (having read the
inputs before the latest approval) replaced the faster one's draft, or failed on ``one_draft_per_scheme``
after the faster one's draft had appeared between its delete and its create."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from typing import Any

import pytest
from django.db import connection

from checklists.models import Inspection
from checklists.services.templates import templates_sync
from scoring.assessment.services import assessment_recompute, scoreboard_store_draft
from scoring.assessment.services import recompute as recompute_module
from scoring.models import Scoreboard, ScoreboardStatus
from tests.checklists.conftest import Phone
from tests.conftest import ApiClient, make_user
from tests.scoring.test_scoreboard_e2e import assess, fire, safety, scheme_this_year

WAIT = 30  # seconds; only reached when something is wrong


@pytest.fixture
def scheme(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    return scheme_this_year("towns-race", tmp_path, monkeypatch)


def submitted(office: Phone, town: Any, template: str, answers: dict[str, Any]) -> str:
    """An inspection submitted for review, not yet approved."""
    cu = str(uuid.uuid4())
    body = {"template_key": template, "template_version": 1, "subject": {"kind": "town", "id": town.pk},
            "answers": answers, "purpose": "annual"}  # fmt: skip
    assert office.put(cu, body).status_code == 201
    office.photo(cu, "record.site-photo", seed=hash(cu) % 1000)
    assert office.submit(cu).status_code == 200
    return cu


@pytest.mark.django_db(transaction=True)
def test_a_slow_recompute_never_replaces_a_newer_draft(world, scheme, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    templates_sync()
    office = Phone(make_user("district_office", world.district, username="anweiban_race"))
    reviewer = ApiClient(make_user("district_office", world.district, username="reviewer_race"))
    # 常乐镇 approved: its approvals recompute the draft at once (eager Celery, after each commit)
    assess(office, reviewer, world.town_a, "safety-town", safety())
    assess(office, reviewer, world.town_a, "fire-town", fire())
    assert names(Scoreboard.objects.get(scheme_key=scheme, status="draft")) == ["常乐镇"]
    # 四甲镇's assessment waits for review
    cu = submitted(office, world.town_b, "safety-town", safety())

    # Run A stops between reading its inputs and storing its draft, until the approval below is in.
    inputs_read, go = threading.Event(), threading.Event()
    store = scoreboard_store_draft

    def store_after_the_approval(**kwargs: Any) -> Scoreboard:
        if threading.current_thread().name == "run-a":
            inputs_read.set()
            go.wait(WAIT)
        return store(**kwargs)

    monkeypatch.setattr(recompute_module, "scoreboard_store_draft", store_after_the_approval)
    failures: list[BaseException] = []
    run_a = in_thread("run-a", failures, lambda: recompute(scheme))
    assert inputs_read.wait(WAIT)

    def approve() -> None:  # the approval commits, then its own recompute (run B) runs in this thread
        done = reviewer.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"})
        assert done.status_code == 200, done.content

    run_b = in_thread("run-b", failures, approve)
    # Let the approval commit and run B get as far as it can (all the way, if nothing serialises the
    # runs); where run A's transaction holds SQLite's write lock, the approval waits for it instead.
    deadline = time.monotonic() + 3
    approved = Inspection.objects.filter(client_uuid=cu, status="approved")
    while time.monotonic() < deadline and not approved.exists():
        time.sleep(0.05)
    time.sleep(0.5)
    go.set()
    run_a.join(WAIT)
    run_b.join(WAIT)
    assert not run_a.is_alive() and not run_b.is_alive()
    assert failures == []

    drafts = list(Scoreboard.objects.filter(scheme_key=scheme, status=ScoreboardStatus.DRAFT))
    assert len(drafts) == 1
    assert Inspection.objects.get(client_uuid=cu).status == "approved"
    # the draft left behind includes the approval committed before the last run took its inputs
    assert names(drafts[0]) == sorted(["常乐镇", "四甲镇"])


@pytest.mark.django_db(transaction=True)
def test_two_recomputes_storing_at_once_leave_one_draft(world, scheme, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Both runs read their inputs, then store at the same moment: the old delete-then-create let the
    second run's create meet the first's committed draft (``one_draft_per_scheme``). Serialised, the second
    run only reads once the first has committed, and both succeed."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises the two drafts' writes on the whole file (BEGIN IMMEDIATE)")
    templates_sync()
    office = Phone(make_user("district_office", world.district, username="anweiban_race"))
    reviewer = ApiClient(make_user("district_office", world.district, username="reviewer_race"))
    assess(office, reviewer, world.town_a, "safety-town", safety())
    store = scoreboard_store_draft
    for _ in range(3):
        barrier = threading.Barrier(2, timeout=2)
        monkeypatch.setattr(recompute_module, "scoreboard_store_draft", together(barrier, store))
        failures: list[BaseException] = []
        runs = [in_thread(f"run-{i}", failures, lambda: recompute(scheme)) for i in range(2)]
        for t in runs:
            t.join(WAIT)
        assert failures == []
        assert Scoreboard.objects.filter(scheme_key=scheme, status=ScoreboardStatus.DRAFT).count() == 1


def together(barrier: threading.Barrier, store: Any) -> Any:
    """``store`` once both runs have read their inputs: they store at the same moment. Where the runs are
    serialised the other run waits for this one's lock; the barrier breaks and there is nothing to race."""

    def store_together(**kwargs: Any) -> Scoreboard:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return store(**kwargs)

    return store_together


def recompute(scheme_key: str) -> None:
    assessment_recompute(scheme_key=scheme_key)


def names(board: Scoreboard) -> list[str]:
    return sorted(r["unit_name"] for r in board.rows)


def in_thread(name: str, failures: list[BaseException], target: Any) -> threading.Thread:
    """``target`` in a thread of its own, with its own database connection; what it raises is collected."""

    def run() -> None:
        try:
            target()
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread
