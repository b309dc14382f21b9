"""Every state-changing request leaves an audit event; the log is append-only."""

import pytest

from kernel.audit.models import AppendOnlyError, AuditEvent
from tests.conftest import assert_error


def test_write_records_actor_device_and_before_after(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("town_officer", world.town_a)
    baseline = AuditEvent.objects.count()
    response = api.patch(
        f"/api/v1/geo/facilities/{world.facility_a.pk}", {"meter_number": "320600001111", "status": "stopped"}
    )
    assert response.status_code == 200
    events = list(AuditEvent.objects.order_by("id")[baseline:])
    assert [e.action for e in events] == ["geo.facility.update"]
    event = events[0]
    assert event.actor is not None and event.actor.username == event.actor_username
    assert event.device_id == "test-phone" and event.device_token_id == api.device_token_id
    assert event.method == "PATCH" and event.path == f"/api/v1/geo/facilities/{world.facility_a.pk}"
    assert event.object_type == "geo.sewagefacility" and event.object_id == str(world.facility_a.pk)
    assert event.before["meter_number"] == "" and event.after["meter_number"] == "320600001111"
    assert event.before["status"] == "in_service" and event.after["status"] == "stopped"
    assert event.region_path == world.village_a.path
    assert response.headers["X-Request-ID"] == event.request_id


def test_refused_writes_are_recorded_too(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("town_officer", world.town_a)
    baseline = AuditEvent.objects.count()
    assert_error(api.patch(f"/api/v1/geo/facilities/{world.facility_b.pk}", {"operator": "x"}), 404)
    assert_error(api.patch(f"/api/v1/geo/facilities/{world.facility_a.pk}", {"capacity_tpd": -1}), 422)
    events = list(AuditEvent.objects.order_by("id")[baseline:])
    assert [(e.action, e.status_code, e.method) for e in events] == [
        ("request", 404, "PATCH"),
        ("request", 422, "PATCH"),
    ]
    assert all(e.actor_username and e.device_id == "test-phone" for e in events)


def test_failed_login_is_recorded_without_the_password(db) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    Client().post(
        "/api/v1/auth/token",
        {"username": "ghost", "password": "secret-pw", "device_id": "x"},
        content_type="application/json",
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.status_code, event.actor_id) == ("request", 401, None)
    assert "secret-pw" not in str(event.before) + str(event.after) + event.path


def test_login_and_logout_are_recorded_with_the_user(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("inspector", world.town_a)  # token issued through the service: one event
    assert AuditEvent.objects.filter(action="auth.token.issue").count() == 1
    api.delete("/api/v1/auth/token")
    revoke = AuditEvent.objects.get(action="auth.token.revoke")
    assert revoke.after["revoked_at"] and revoke.before["revoked_at"] is None
    assert revoke.actor_id is not None and revoke.method == "DELETE"


def test_reads_are_not_recorded(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api = api_as("district_office", world.district)
    baseline = AuditEvent.objects.count()
    api.get("/api/v1/geo/facilities")
    api.get("/api/v1/me")
    assert AuditEvent.objects.count() == baseline


def test_log_is_append_only(world, api_as) -> None:  # type: ignore[no-untyped-def]
    api_as("inspector", world.town_a)
    event = AuditEvent.objects.first()
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert not AuditEvent.objects.filter(action="tampered").exists()


def test_audit_api_is_scoped_and_restricted(world, api_as) -> None:  # type: ignore[no-untyped-def]
    officer = api_as("town_officer", world.town_a)
    officer.patch(f"/api/v1/geo/facilities/{world.facility_a.pk}", {"operator": "甲"})
    assert_error(officer.get("/api/v1/audit/events"), 403, "permission_denied")

    district = api_as("district_office", world.district)
    page = district.get("/api/v1/audit/events", action="geo.facility.update").json()
    assert [e["object_id"] for e in page["results"]] == [str(world.facility_a.pk)]
    assert page["results"][0]["after"]["operator"] == "甲"


@pytest.mark.django_db
def test_a_row_and_its_event_written_together_name_each_other() -> None:
    """``audit_inserted``: the event recording a new row carries the row's key — taken from the insert
    in the same statement on PostgreSQL — and both rows are what insert + audit_record would write."""
    import uuid

    from geo.models import LedgerImport
    from kernel.audit.services import audit_event, audit_inserted

    keys = []
    for n in range(3):
        row = LedgerImport(uuid=uuid.uuid4(), filename=f"台账{n}.xlsx", size=n, uploaded_by_id=7)
        event = audit_event(action="geo.ledger.test", obj=row, after={"n": n, "名称": "甲"})
        audit_inserted(row, event)
        assert row.pk is not None and not row._state.adding
        stored = AuditEvent.objects.get(action="geo.ledger.test", after__n=n)
        assert (stored.object_type, stored.object_id) == ("geo.ledgerimport", str(row.pk))
        assert stored.object_repr == str(row) and stored.after == {"n": n, "名称": "甲"}
        assert LedgerImport.objects.get(pk=row.pk).filename == f"台账{n}.xlsx"
        keys.append(row.pk)
    assert len(set(keys)) == 3
