"""Overdue marking through a real Celery worker consuming from Redis (the PostGIS leg of make test)."""

from datetime import timedelta

from django.utils import timezone

from checklists.models import Rectification
from tests.checklists.conftest import sewage_answers
from tests.conftest import needs_redis

pytestmark = needs_redis


def test_overdue_task_runs_on_the_worker(redis_worker, world, phone_a, officer_a, district) -> None:  # type: ignore[no-untyped-def]
    from checklists.tasks import rectifications_mark_overdue

    cu, _ = phone_a.complete(world, {**sewage_answers(), "ledger.meter": {"value": False}})
    officer_a.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"})
    rect = Rectification.objects.get()
    Rectification.objects.filter(pk=rect.pk).update(deadline=timezone.localdate() - timedelta(days=1))

    result = rectifications_mark_overdue.delay()
    assert result.get(timeout=30) == 1
    rect.refresh_from_db()
    assert rect.overdue and rect.overdue_since == timezone.localdate()
    by_town = district.get("/api/v1/rectifications/overdue-by-town").json()
    assert [(t["town_name"], t["count"]) for t in by_town] == [("常乐镇", 1)]
