"""The inspector's mobile API: idempotent drafts, conflicts, bad input, submit and scoring."""

import uuid
from decimal import Decimal

import pytest

from checklists.models import Finding, Inspection, InspectionPhoto, InspectionRevision
from checklists.services.templates import template_retire
from media.models import Photo
from tests.checklists.conftest import Phone, draft, sewage_answers
from tests.conftest import assert_error, make_user


def test_catalogue_lists_templates_with_etag(phone_a) -> None:  # type: ignore[no-untyped-def]
    first = phone_a.get("/api/v1/catalogue")
    assert first.status_code == 200
    body = first.json()
    assert {t["key"] for t in body["templates"]} == {
        "safety-town", "fire-town", "sewage-facility-audit", "river-section-inspection",
        "safety-department", "fire-department", "safety-enterprise", "fire-enterprise", "outfall-inspection",
        "pump-station-inspection",
    }  # fmt: skip
    assert body["assignments"] == [] and body["server_time"]
    again = phone_a.get("/api/v1/catalogue", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    # after a retirement the catalogue changes, and `since` reports the retired version
    template_retire(key="fire-town", version=1)
    changed = phone_a.get("/api/v1/catalogue", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "fire-town" not in {t["key"] for t in changed.json()["templates"]}
    since = phone_a.get("/api/v1/catalogue", since=body["server_time"]).json()
    assert [(t["key"], t["status"]) for t in since["templates"]] == [("fire-town", "retired")]


def test_create_then_replay_twenty_times_is_one_inspection(world, phone_a) -> None:  # type: ignore[no-untyped-def]
    cu = uuid.uuid4()
    first = phone_a.put(cu, draft(world))
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["status"], body["version"], body["revision"]) == ("draft", 1, 1)
    assert first.headers["ETag"] == '"1"'
    assert "answers" not in body  # the answer to a PUT is small: the phone already has its answers
    body = phone_a.get(f"/api/v1/inspections/{cu}").json()
    assert body["device_location_datum"] == "gcj02" and body["device_accuracy_m"] == 8
    # stored in WGS-84: the GCJ-02 input was shifted back by roughly 480 m
    lon = body["device_location"][0]
    assert 0.003 < 121.2 - lon < 0.006
    for _ in range(20):
        replay = phone_a.put(cu, draft(world))
        assert replay.status_code == 200 and replay.json()["version"] == 1
    assert Inspection.objects.filter(client_uuid=cu).count() == 1


def test_if_match_conflicts_between_two_phones(world, templates) -> None:  # type: ignore[no-untyped-def]
    user = make_user("inspector", world.town_a)
    phone1, phone2 = Phone(user, "phone-1"), Phone(user, "phone-2")
    cu = uuid.uuid4()
    assert phone1.put(cu, draft(world)).status_code == 201
    edit1 = draft(world, {**sewage_answers(), "op.maintenance": {"value": False}})
    edit2 = draft(world, {**sewage_answers(), "op.capacity-match": {"value": False}})
    assert phone1.put(cu, edit1, if_match=1).json()["version"] == 2
    body = assert_error(phone2.put(cu, edit2, if_match=1), 409, "version_conflict")
    assert body["details"]["current_version"] == 2
    assert_error(phone2.put(cu, edit2), 428, "if_match_required")
    assert phone2.put(cu, edit2, if_match=2).json()["version"] == 3
    # phone 1 retrying its earlier, already-superseded request is not a replay any more
    assert_error(phone1.put(cu, edit1, if_match=1), 409, "version_conflict")
    assert Inspection.objects.get(client_uuid=cu).answers["op.capacity-match"]["value"] is False


def test_another_inspector_cannot_take_over_a_uuid(world, phone_a, templates) -> None:  # type: ignore[no-untyped-def]
    """A PUT on someone else's UUID reveals no more than a GET: not found for whoever may not see the
    inspection, 409 ``uuid_taken`` (naming nobody) for a reviewer who may."""
    cu = uuid.uuid4()
    phone_a.put(cu, draft(world))
    for other in (
        Phone(make_user("inspector", world.town_a)),
        Phone(make_user("inspector", world.town_b)),
        Phone(make_user("town_officer", world.town_b)),
    ):
        seen = assert_error(other.get(f"/api/v1/inspections/{cu}"), 404, "not_found")
        assert assert_error(other.put(cu, draft(world, {}), if_match=1), 404, "not_found") == seen
        url = f"/api/v1/inspections/{cu}?submit=true"
        submit = other.client.put(
            url, draft(world, {}), content_type="application/json", headers=other._headers(None)
        )
        assert assert_error(submit, 404, "not_found") == seen
    reviewer = Phone(make_user("town_officer", world.town_a, username="officer_a2"))
    assert reviewer.get(f"/api/v1/inspections/{cu}").status_code == 200  # it may see it
    taken = assert_error(reviewer.put(cu, draft(world, {}), if_match=1), 409, "uuid_taken")
    assert "jiancha_a" not in str(taken) and list(taken["details"]["fields"]) == ["client_uuid"]
    assert Inspection.objects.get(client_uuid=cu).version == 1  # nothing changed


@pytest.mark.parametrize(
    ("body_change", "status", "code", "field"),
    [
        ({"answers": {"op.nonexistent": {"value": True}}}, 422, "invalid_answers", "answers.op.nonexistent"),
        ({"answers": {"op.running": {"value": "yes"}}}, 422, "invalid_answers", "answers.op.running"),
        ({"answers": {"effluent.cod": {"value": -3}}}, 422, "invalid_answers", "answers.effluent.cod"),
        ({"answers": {"op.running": {"na": True}}}, 422, "invalid_answers", "answers.op.running"),
        (
            {"answers": {"op.running": {"value": True, "extra": 1}}},
            422,
            "validation_error",
            "answers.op.running.extra",
        ),
        ({"template_version": 9}, 422, "unknown_template", "template_version"),
        ({"subject": {"kind": "sewage_facility", "id": 999999}}, 404, "not_found", "subject"),
        ({"subject": {"kind": "planet", "id": 1}}, 422, "validation_error", "subject.kind"),
        ({"template_key": "safety-town"}, 422, "subject_mismatch", "subject.kind"),
        ({"device_location": {"lon": 500, "lat": 31}}, 422, "validation_error", "device_location.lon"),
        ({"device_started_at": "yesterday"}, 422, "validation_error", "device_started_at"),
    ],
)
def test_bad_drafts_are_refused_whole(world, phone_a, body_change, status, code, field) -> None:  # type: ignore[no-untyped-def]
    before = (Inspection.objects.count(), Photo.objects.count())
    body = assert_error(phone_a.put(uuid.uuid4(), {**draft(world), **body_change}), status, code)
    assert field in body["details"].get("fields", {}), body
    assert (Inspection.objects.count(), Photo.objects.count()) == before


def test_deduct_item_negative_count_and_score_out_of_range(world, templates) -> None:  # type: ignore[no-untyped-def]
    officer_phone = Phone(make_user("town_officer", world.town_a))
    base = {
        "template_key": "safety-town",
        "template_version": 1,
        "subject": {"kind": "town", "id": world.town_a.pk},
    }
    for answers, key in [
        ({"inspection.unrectified-hazards": {"value": -2}}, "inspection.unrectified-hazards"),
        ({"inspection.unrectified-hazards": {"value": 1.5}}, "inspection.unrectified-hazards"),
        ({"leadership.staffing": {"value": 7}}, "leadership.staffing"),
    ]:
        body = assert_error(
            officer_phone.put(uuid.uuid4(), {**base, "answers": answers}), 422, "invalid_answers"
        )
        assert f"answers.{key}" in body["details"]["fields"]
    assert Inspection.objects.count() == 0


def test_subject_outside_scope_is_404_and_retired_version_is_refused(world, phone_a) -> None:  # type: ignore[no-untyped-def]
    body = assert_error(
        phone_a.put(
            uuid.uuid4(), draft(world, subject={"kind": "sewage_facility", "id": world.facility_b.pk})
        ),
        404,
    )
    assert "subject" in body["details"]["fields"]
    template_retire(key="sewage-facility-audit", version=1)
    assert_error(phone_a.put(uuid.uuid4(), draft(world)), 422, "template_retired")
    assert Inspection.objects.count() == 0


def test_malformed_uuid_and_bad_if_match_and_oversized_payload(world, phone_a, settings) -> None:  # type: ignore[no-untyped-def]
    assert_error(phone_a.put("not-a-uuid", draft(world)), 422, "validation_error")
    cu = uuid.uuid4()
    phone_a.put(cu, draft(world))
    headers = phone_a._headers({"If-Match": "banana"})
    response = phone_a.client.put(
        f"/api/v1/inspections/{cu}", draft(world), content_type="application/json", headers=headers
    )
    assert_error(response, 400, "invalid_if_match")
    settings.INSPECTION_MAX_BODY_BYTES = 2000
    big = draft(world, {**sewage_answers(), "record.remarks": {"value": "很长的意见" * 300}})
    assert_error(phone_a.put(uuid.uuid4(), big), 413, "payload_too_large")
    assert Inspection.objects.count() == 1


def test_submit_requires_complete_answers_and_photos(world, phone_a) -> None:  # type: ignore[no-untyped-def]
    cu = uuid.uuid4()
    answers = sewage_answers()
    del answers["op.pipe-network"]
    phone_a.put(cu, draft(world, answers))
    body = assert_error(phone_a.submit(cu), 422, "incomplete")
    assert set(body["details"]["fields"]) == {
        "answers.op.pipe-network",
        "answers.op.running",
        "answers.record.site-photo",
    }
    assert Inspection.objects.get(client_uuid=cu).status == "draft"
    assert not InspectionRevision.objects.exists() and not Finding.objects.exists()


def test_photos_upload_one_at_a_time_idempotently_and_dedupe_content(world, phone_a) -> None:  # type: ignore[no-untyped-def]
    cu = uuid.uuid4()
    phone_a.put(cu, draft(world))
    pu = uuid.uuid4()
    first = phone_a.photo(cu, "op.running", seed=7, photo_uuid=pu)
    assert first.status_code == 201
    assert phone_a.photo(cu, "op.running", seed=7, photo_uuid=pu).json() == first.json()  # a retried upload
    phone_a.photo(cu, "record.site-photo", seed=7)  # same bytes, another item: stored once
    assert InspectionPhoto.objects.count() == 2 and Photo.objects.count() == 1
    assert_error(phone_a.photo(cu, "no.such.item", seed=8), 422)
    response = phone_a.client.post(
        f"/api/v1/inspections/{cu}/photos",
        {"photo_uuid": str(uuid.uuid4()), "file": __import__("io").BytesIO(b"this is not an image")},
        headers=phone_a._headers(None),
    )
    assert_error(response, 422, "invalid_image")
    assert Photo.objects.count() == 1


def test_submit_scores_and_makes_findings(world, phone_a) -> None:  # type: ignore[no-untyped-def]
    answers = {**sewage_answers(), "ledger.meter": {"value": False}, "effluent.cod": {"value": 75}}
    cu, response = phone_a.complete(world, answers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["version"] == 2
    # base max 100; the missing meter loses 10 points; COD over the (example) limit is a 0-point finding
    assert Decimal(body["percent"]) == Decimal("90")
    assert {f["item_key"]: f["category"] for f in body["findings"]} == {
        "ledger.meter": "no_meter",
        "effluent.cod": "effluent_over_limit",
    }
    assert "超过限值 60mg/L" in next(f["reason"] for f in body["findings"] if f["item_key"] == "effluent.cod")
    detail = phone_a.get(f"/api/v1/inspections/{cu}").json()
    assert detail["revisions"][0]["percent"] == body["percent"] and detail["findings"] == body["findings"]
    # submitting again (a retry) changes nothing; editing a submitted inspection is refused
    again = phone_a.submit(cu)
    assert again.status_code == 200 and again.json()["version"] == 2
    assert_error(phone_a.put(cu, draft(world), if_match=2), 409, "inspection_locked")
    assert_error(phone_a.photo(cu, "op.running", seed=99), 409, "inspection_locked")
    assert Finding.objects.count() == 2


def test_vetoed_safety_inspection(world, templates) -> None:  # type: ignore[no-untyped-def]
    officer = Phone(make_user("town_officer", world.district))
    answers = {
        key: {"value": True}
        for key in (
            "leadership.party-gov-responsibility", "leadership.committee", "leadership.target-assessment",
            "inspection.hazard-ledger", "training.plan", "emergency.plan", "emergency.supplies",
            "accidents.major-accident",
        )
    }  # fmt: skip
    answers.update({
        "leadership.staffing": {"value": 5}, "inspection.unrectified-hazards": {"value": 0},
        "inspection.enforcement-cases": {"value": 8}, "inspection.special-campaigns": {"value": 8},
        "training.enterprise-heads": {"value": 6}, "accidents.general-accidents": {"value": 0},
        "accidents.concealment": {"value": False},
    })  # fmt: skip
    cu = uuid.uuid4()
    subject = {"kind": "town", "id": world.town_a.pk}
    body = {"template_key": "safety-town", "template_version": 1, "subject": subject, "answers": answers}
    put = officer.put(cu, body | {"period": 2022})  # the shipped scheme's year (towns-2022)
    assert put.status_code == 201, put.content
    officer.photo(cu, "record.site-photo")
    body = officer.submit(cu).json()
    assert body["vetoed"] is True and Decimal(body["percent"]) == 100
    assert [f["item_key"] for f in body["findings"]] == ["accidents.major-accident"]
    assert officer.get(f"/api/v1/inspections/{cu}").json()["score"]["veto_items"] == [
        "accidents.major-accident"
    ]


def test_put_with_submit_is_one_round_trip_all_or_nothing(world, templates) -> None:  # type: ignore[no-untyped-def]
    officer = Phone(make_user("town_officer", world.town_a))
    cu = uuid.uuid4()
    base = {
        "template_key": "fire-town",
        "template_version": 1,
        "subject": {"kind": "town", "id": world.town_a.pk},
        "period": 2022,  # the shipped scheme's year (towns-2022)
    }
    values = {
        "org.committee": True, "org.office": True, "org.contract-staff": 1, "org.meetings": 6,
        "forces.fulltime-brigade": True, "forces.micro-stations": 2, "forces.volunteers": True,
        "grid.integrated": True, "grid.training": 8, "grid.hazards": 0, "assessment.in-town-assessment": True,
        "assessment.funding": 7, "accidents.fatal-fire": False,
    }  # fmt: skip
    answers = {k: {"value": v} for k, v in values.items()}
    url = f"/api/v1/inspections/{cu}?submit=true"
    # the site photo and the failed micro-station item's photo are missing: nothing is saved
    response = officer.client.put(
        url, {**base, "answers": answers}, content_type="application/json", headers=officer._headers(None)
    )
    body = assert_error(response, 422, "incomplete")
    assert set(body["details"]["fields"]) == {"answers.record.site-photo", "answers.forces.micro-stations"}
    assert not Inspection.objects.filter(client_uuid=cu).exists()
    # with the photos uploaded to a saved draft first, the one-trip submit goes through
    officer.put(cu, {**base, "answers": answers})
    officer.photo(cu, "record.site-photo", seed=1)
    officer.photo(cu, "forces.micro-stations", seed=2)
    headers = officer._headers({"If-Match": '"1"'})
    done = officer.client.put(
        url, {**base, "answers": answers}, content_type="application/json", headers=headers
    )
    assert done.status_code == 200, done.content
    ack = done.json()
    assert ack["status"] == "submitted"
    # 100 base points; 2 missing micro stations (−2) and 1 contracted staff instead of 2 (−6)
    assert Decimal(ack["percent"]) == Decimal("92")
    assert {f["item_key"] for f in ack["findings"]} == {"org.contract-staff", "forces.micro-stations"}
    replay = officer.client.put(
        url, {**base, "answers": answers}, content_type="application/json", headers=headers
    )
    assert replay.status_code == 200 and replay.json()["version"] == ack["version"]


def test_new_inspection_in_one_trip_matches_the_two_step_path(world, templates) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from bench.ingest.run import answers as bench_answers
    from checklists.services.templates import templates_sync
    from kernel.audit.models import AuditEvent

    templates_sync(directory=Path(__file__).parents[2] / "bench" / "ingest")  # no photos required
    officer = Phone(make_user("town_officer", world.town_a))
    subject = {"kind": "town", "id": world.town_a.pk}
    body = {
        "template_key": "bench-50",
        "template_version": 1,
        "subject": subject,
        "answers": bench_answers(3),
    }
    one, two = uuid.uuid4(), uuid.uuid4()
    first = officer.client.put(
        f"/api/v1/inspections/{one}?submit=true",
        body,
        content_type="application/json",
        headers=officer._headers(None),
    )
    assert first.status_code == 201, first.content
    assert officer.put(two, body).status_code == 201
    assert officer.submit(two).status_code == 200
    a, b = Inspection.objects.get(client_uuid=one), Inspection.objects.get(client_uuid=two)
    assert (a.status, a.version, a.revision) == (b.status, b.version, b.revision) == ("submitted", 2, 1)
    assert a.score == b.score and a.percent == b.percent and a.percent < 100
    assert InspectionRevision.objects.filter(inspection=a).count() == 1
    assert sorted(Finding.objects.filter(inspection=a).values_list("item_key", "points_lost")) == sorted(
        Finding.objects.filter(inspection=b).values_list("item_key", "points_lost")
    )
    assert list(
        AuditEvent.objects.filter(object_id=str(a.pk), action__startswith="checklists.inspection.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["checklists.inspection.create", "checklists.inspection.submit"]
    # a replay of the one-trip request changes nothing
    again = officer.client.put(
        f"/api/v1/inspections/{one}?submit=true",
        body,
        content_type="application/json",
        headers=officer._headers(None),
    )
    assert again.status_code == 200 and again.json()["version"] == 2
    assert Inspection.objects.filter(client_uuid=one).count() == 1
