"""The checklists' notifications: an inspection rejected, rectifications due soon and overdue (once each)."""

from datetime import timedelta

from django.utils import timezone

from checklists.models import Rectification
from checklists.services.rectifications import rectification_deadline_notices
from kernel.notifications import events
from kernel.notifications.models import Delivery, Endpoint, Event, Subscription
from kernel.notifications.services import endpoint_save
from tests.checklists.conftest import sewage_answers
from tests.checklists.test_review_and_rectifications import approved_with_findings, review


def _subscribe(event: str, region) -> Endpoint:  # type: ignore[no-untyped-def]
    hook = endpoint_save(
        endpoint=Endpoint(kind="webhook", name=f"{event}-{region}"), url="http://127.0.0.1:9/"
    )
    Subscription.objects.create(endpoint=hook, event=event, region=region)
    return hook


def test_a_rejected_inspection_is_told_to_its_town(world, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    _subscribe(events.INSPECTION_REJECTED, world.town_a)
    _subscribe(events.INSPECTION_REJECTED, world.town_b)
    cu, _ = phone_a.complete(world, sewage_answers())
    assert review(officer_a, cu, "reject", "运维记录照片不清晰").status_code == 200
    event = Event.objects.get(event=events.INSPECTION_REJECTED)
    assert "运维记录照片不清晰" in event.text and event.data["client_uuid"] == cu
    assert [d.endpoint.name for d in Delivery.objects.select_related("endpoint")] == [
        f"{events.INSPECTION_REJECTED}-{world.town_a}"
    ]


def test_rectification_deadlines_are_told_once_per_kind(world, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    _subscribe(events.RECTIFICATION_DUE_SOON, world.town_a)
    _subscribe(events.RECTIFICATION_OVERDUE, None)
    approved_with_findings(
        world, phone_a, officer_a, {"ledger.meter": {"value": False}, "op.maintenance": {"value": False}}
    )
    today = timezone.localdate()
    soon, late = Rectification.objects.order_by("pk")
    Rectification.objects.filter(pk=soon.pk).update(deadline=today + timedelta(days=2))
    Rectification.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=1))
    assert rectification_deadline_notices(today=today, days=3) == 2
    assert rectification_deadline_notices(today=today, days=3) == 0  # the hourly pass again: nothing new
    got = {(e.event, e.data["rectification_id"]) for e in Event.objects.all()}
    assert got == {(events.RECTIFICATION_DUE_SOON, soon.pk), (events.RECTIFICATION_OVERDUE, late.pk)}
    assert Delivery.objects.count() == 2
    # the due-soon one passes its deadline: now it is overdue, told once more (the other kind)
    assert rectification_deadline_notices(today=today + timedelta(days=3), days=3) == 1
    # closed ones and old backlog are not announced
    Rectification.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=60))
    Event.objects.all().delete()
    assert rectification_deadline_notices(today=today, days=3) == 1
    Rectification.objects.update(status="closed")
    Event.objects.all().delete()
    assert rectification_deadline_notices(today=today, days=3) == 0
