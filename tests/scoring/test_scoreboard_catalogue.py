"""Issue 12 item 7: ``GET /api/v1/scoreboards`` lists the schemes and where each board stands, by role."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from scoring.models import Appeal, Scoreboard, ScoreboardStatus
from tests.conftest import ApiClient, assert_error


def _board(key: str, status: str, minutes_ago: int, **extra) -> Scoreboard:  # type: ignore[no-untyped-def]
    now = timezone.now()
    return Scoreboard.objects.create(
        scheme_key=key, year=2022, title=f"{key} 标题", status=status, scheme_document={},
        computed_at=now - timedelta(minutes=minutes_ago), content_hash=f"{key}-{status}", **extra,
    )  # fmt: skip


def test_catalogue_by_role(world, api_as, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    (tmp_path / "schemes").mkdir()
    (tmp_path / "schemes" / "towns-2023.yaml").write_text("key: towns-2023\nyear: 2023\n", encoding="utf-8")
    now = timezone.now()
    noticed = _board(
        "towns-2022", ScoreboardStatus.NOTICE, 30, noticed_at=now, notice_until=now + timedelta(days=5)
    )
    _board("towns-2022", ScoreboardStatus.DRAFT, 5)
    _board("departments-2022", ScoreboardStatus.DRAFT, 10)
    office = api_as("district_office", world.district)
    Appeal.objects.create(
        scoreboard=noticed,
        region=world.town_a,
        unit_name="常乐镇",
        filed_by_id=office.user_id,
        reason="扣分有误",
    )

    listed = office.get("/api/v1/scoreboards")
    assert listed.status_code == 200, listed.content
    by_key = {e["scheme_key"]: e for e in listed.json()}
    assert set(by_key) == {"towns-2022", "departments-2022", "enterprises-2022", "towns-2023"}
    towns = by_key["towns-2022"]
    assert (towns["status"], towns["public_status"], towns["has_draft"]) == ("draft", "notice", True)
    assert towns["unit_kind"] == "town" and towns["year"] == 2022 and towns["pending_appeals"] == 1
    assert by_key["enterprises-2022"]["status"] is None  # exists, never computed
    assert by_key["enterprises-2022"]["unit_kind"] == "enterprise"
    assert by_key["towns-2023"]["error"]  # the office's broken file shows with its reason
    assert [e["scheme_key"] for e in office.get("/api/v1/scoreboards", unit_kind="department").json()] == [
        "departments-2022"
    ]
    assert {e["scheme_key"] for e in office.get("/api/v1/scoreboards", year=2022).json()} == {
        "towns-2022", "departments-2022", "enterprises-2022"
    }  # fmt: skip

    # A town sees only what has been made public: the board under notice, never drafts or errors.
    town = api_as("town_officer", world.town_a).get("/api/v1/scoreboards").json()
    assert [(e["scheme_key"], e["status"], e["content_hash"]) for e in town] == [
        ("towns-2022", "notice", "towns-2022-notice")
    ]
    assert town[0]["has_draft"] is False and town[0]["pending_appeals"] == 0 and town[0]["error"] == ""

    assert_error(office.get("/api/v1/scoreboards", unit_kind="village"), 422, "validation_error")
    assert_error(ApiClient().get("/api/v1/scoreboards"), 401, "unauthenticated")
