"""Photo evidence through the API: flags, duplicates across subjects, derivatives, access, bad files."""

import uuid
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from checklists.models import InspectionPhoto, Rectification
from geo import coords
from geo.services import LocationInput, located_fields
from media.models import Photo
from tests.checklists.conftest import Phone, draft, sewage_answers
from tests.conftest import ApiClient, assert_error, make_user
from tests.media.images import bad_files, heic, jpeg, scene

FAC = (121.2, 31.9)  # facility A's surveyed position (WGS-84)


@pytest.fixture
def placed(world):  # type: ignore[no-untyped-def]
    for name, value in located_fields(LocationInput(*FAC)).items():
        setattr(world.facility_a, name, value)
    world.facility_a.save()
    for name, value in located_fields(LocationInput(121.45, 31.99)).items():
        setattr(world.facility_b, name, value)
    world.facility_b.save()
    return world


def upload(phone, cu, data, item_key="op.running", **form):  # type: ignore[no-untyped-def]
    body = {"photo_uuid": str(uuid.uuid4()), "item_key": item_key, **form,
            "file": SimpleUploadedFile("p.jpg", data, content_type="image/jpeg")}  # fmt: skip
    return phone.client.post(f"/api/v1/inspections/{cu}/photos", body, headers=phone._headers(None))


def new_draft(phone, world):  # type: ignore[no-untyped-def]
    """A draft started now (photo capture times are compared with the inspection's start)."""
    cu = uuid.uuid4()
    assert phone.put(cu, draft(world, device_started_at=timezone.now().isoformat())).status_code == 201
    return cu


def codes(response) -> set[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 201, response.content
    return {f["code"] for f in response.json()["flags"]}


def flag_of(link, code: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The one flag with ``code`` on a link (a model row or an API body)."""
    flags = link["flags"] if isinstance(link, dict) else link.flags
    found = [f for f in flags if f["code"] == code]
    assert len(found) == 1, flags
    return found[0]


def stored(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The codes stored on an uploaded photo now (later checks add to what the upload answered)."""
    return [f["code"] for f in InspectionPhoto.objects.get(client_uuid=response.json()["client_uuid"]).flags]


def here(seed: int, taken: datetime | None = None, **kw) -> bytes:  # type: ignore[no-untyped-def]
    """A photo of ``scene(seed)`` taken at facility A (now, unless ``taken``)."""
    taken = taken or timezone.localtime().replace(tzinfo=None)
    return jpeg(scene(seed), lat=FAC[1], lon=FAC[0], taken=taken, **kw)


def test_photo_at_the_facility_has_no_flags(placed, phone_a) -> None:  # type: ignore[no-untyped-def]
    cu = new_draft(phone_a, placed)
    taken = timezone.localtime().replace(tzinfo=None)
    r = upload(
        phone_a, cu, jpeg(lat=FAC[1] + 0.0003, lon=FAC[0], taken=taken), lon=FAC[0], lat=FAC[1], accuracy_m=5
    )
    assert codes(r) == set()
    body = r.json()
    assert body["exif_gps_status"] == "ok" and body["camera"] == "HUAWEI TEST-AL00"


def test_gcj02_phone_fix_is_converted_before_comparing(placed, phone_a) -> None:  # type: ignore[no-untyped-def]
    cu = new_draft(phone_a, placed)
    gcj = coords.wgs84_to_gcj02(coords.LonLat(*FAC))
    no_exif = jpeg(scene(21))
    assert codes(upload(phone_a, cu, no_exif, lon=gcj.lon, lat=gcj.lat, datum="gcj02", accuracy_m=8)) == {
        "no_exif_gps"
    }
    # the same numbers mislabelled as WGS-84 are ~480 m off: flagged
    flags = codes(upload(phone_a, cu, jpeg(scene(22)), lon=gcj.lon, lat=gcj.lat, datum="wgs84", accuracy_m=8))
    assert "far_from_subject" in flags


def test_far_mocked_mismatched_late_and_gpsless_photos_are_flagged(placed, phone_a) -> None:  # type: ignore[no-untyped-def]
    cu = new_draft(phone_a, placed)
    far = jpeg(scene(31), lat=31.95, lon=121.30)
    assert {"far_from_subject", "exif_phone_mismatch"} <= codes(
        upload(phone_a, cu, far, lon=FAC[0], lat=FAC[1], accuracy_m=6)
    )
    assert "mock_location" in codes(
        upload(phone_a, cu, jpeg(scene(32), lat=FAC[1], lon=FAC[0]), lon=FAC[0], lat=FAC[1], accuracy_m=0)
    )
    old = jpeg(scene(33), lat=FAC[1], lon=FAC[0], taken=datetime(2021, 5, 1, 9, 0))
    assert "time_far" in codes(upload(phone_a, cu, old))
    assert codes(upload(phone_a, cu, jpeg(scene(34)))) == {"no_gps"}
    broken = jpeg(scene(35), gps={1: "N", 2: (999, 0, 0), 3: "E", 4: (121, 0, 0)})
    r = upload(phone_a, cu, broken)
    assert codes(r) == {"no_gps"} and r.json()["exif_gps_status"] == "invalid"
    # the review list shows how many flags an inspection carries
    officer = ApiClient(make_user("town_officer", placed.town_a))
    row = officer.get("/api/v1/inspections").json()["items"][0]
    assert row["photo_flags"] >= 6


def test_same_or_near_identical_photo_for_another_subject_is_flagged(
    placed, phone_a, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    cu_a = new_draft(phone_a, placed)
    cu_other = new_draft(phone_a, placed)  # same facility again: flagged as such, not as another subject's
    with django_capture_on_commit_callbacks(execute=True):
        upload(phone_a, cu_a, jpeg(scene(41), quality=92))
        same_subject = upload(phone_a, cu_other, jpeg(scene(41), quality=60))
    photo = Photo.objects.get(sha256=same_subject.json()["sha256"])
    assert photo.derivatives_at is not None and photo.thumb_phone and photo.phash  # made after commit
    same_flags = InspectionPhoto.objects.get(client_uuid=same_subject.json()["client_uuid"]).flags
    assert "duplicate_photo" not in {f["code"] for f in same_flags}
    assert "reused_same_subject" in {f["code"] for f in same_flags}

    # the audit of facility B (town B) reuses a resized, re-encoded copy, and the very same file
    phone_b = Phone(make_user("inspector", placed.town_b))
    cu_b = uuid.uuid4()
    assert (
        phone_b.put(
            cu_b, {**draft(placed), "subject": {"kind": "sewage_facility", "id": placed.facility_b.pk}}
        ).status_code
        == 201
    )
    with django_capture_on_commit_callbacks(execute=True):
        reused = upload(phone_b, cu_b, jpeg(scene(41).resize((400, 300)), quality=50))
        exact = upload(phone_b, cu_b, jpeg(scene(41), quality=92), item_key="record.site-photo")
        fresh = upload(phone_b, cu_b, jpeg(scene(42)), item_key="record.site-photo")
    links = {r.json()["client_uuid"]: r for r in (reused, exact, fresh)}
    flags = {k: [f["code"] for f in InspectionPhoto.objects.get(client_uuid=k).flags] for k in links}
    assert "duplicate_photo" in flags[reused.json()["client_uuid"]]
    assert "duplicate_photo" in flags[exact.json()["client_uuid"]]
    assert "duplicate_photo" not in flags[fresh.json()["client_uuid"]]
    # the same bytes are known at upload: the flag is in the upload's own response; a near-identical copy
    # (however small its Hamming distance) is never called "the same photo"
    assert "duplicate_photo" in codes(exact)
    assert "同一张照片" in flag_of(exact.json(), "duplicate_photo")["message"]
    near = flag_of(InspectionPhoto.objects.get(client_uuid=reused.json()["client_uuid"]), "duplicate_photo")
    assert "同一张照片" not in near["message"] and "高度相似" in near["message"]
    assert near["details"]["identical"] is False and near["details"]["subject_name"] == placed.facility_a.name
    assert Photo.objects.filter(sha256=exact.json()["sha256"]).count() == 1  # same bytes stored once


def test_photos_are_served_only_to_those_who_may_see_the_subject(
    placed, phone_a, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    cu = new_draft(phone_a, placed)
    with django_capture_on_commit_callbacks(execute=True):
        sha = upload(phone_a, cu, jpeg(scene(51))).json()["sha256"]
    original = phone_a.get(f"/api/v1/photos/{sha}")
    assert original.status_code == 200 and original["Content-Type"] == "image/jpeg"
    thumb = phone_a.get(f"/api/v1/photos/{sha}", variant="phone")
    assert thumb.status_code == 200 and "X-Derivative-Pending" not in thumb
    officer_a = ApiClient(make_user("town_officer", placed.town_a))
    assert officer_a.get(f"/api/v1/photos/{sha}", variant="list").status_code == 200
    assert_error(ApiClient(make_user("town_officer", placed.town_b)).get(f"/api/v1/photos/{sha}"), 404)
    assert_error(ApiClient(make_user("inspector", placed.town_a)).get(f"/api/v1/photos/{sha}"), 404)
    assert_error(phone_a.get("/api/v1/photos/" + "0" * 64), 404)
    assert_error(phone_a.get(f"/api/v1/photos/{sha}", variant="huge"), 422)


@pytest.mark.parametrize("name", list(bad_files()))
def test_bad_files_give_a_clean_4xx_and_store_nothing(placed, phone_a, name) -> None:  # type: ignore[no-untyped-def]
    cu = new_draft(phone_a, placed)
    data, status, code = bad_files()[name]
    assert_error(upload(phone_a, cu, data), status, code)
    assert not Photo.objects.exists() and not InspectionPhoto.objects.exists()
    media = settings.MEDIA_ROOT / "photos"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_heic_upload_and_oversized_file(placed, phone_a, settings) -> None:  # type: ignore[no-untyped-def]
    cu = new_draft(phone_a, placed)
    r = upload(phone_a, cu, heic())
    assert r.status_code == 201 and Photo.objects.get().content_type == "image/heic"
    settings.PHOTO_MAX_BYTES = 1000
    assert_error(upload(phone_a, cu, jpeg(scene(61))), 413)


def test_repair_evidence_is_checked_against_the_facility(placed, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    cu, _ = phone_a.complete(placed, {**sewage_answers(), "ledger.meter": {"value": False}})
    officer_a.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"})
    rect = Rectification.objects.get()
    url = f"/api/v1/rectifications/{rect.pk}/photos"

    def send(client, data, **form):  # type: ignore[no-untyped-def]
        body = {"photo_uuid": str(uuid.uuid4()), **form, "file": SimpleUploadedFile("r.jpg", data)}
        return client.client.post(url, body, headers=client._headers(None))

    near = send(officer_a, jpeg(scene(71), lat=FAC[1], lon=FAC[0]), lon=FAC[0], lat=FAC[1], accuracy_m=4)
    assert codes(near) == set()
    far = send(officer_a, jpeg(scene(72), lat=31.8, lon=121.0))
    assert "far_from_subject" in codes(far)
    listed = officer_a.get("/api/v1/rectifications").json()["items"][0]
    assert len(listed["photos"]) == 2
    assert_error(send(phone_a, jpeg(scene(73))), 404)  # an inspector does not handle rectifications
    assert_error(send(ApiClient(make_user("town_officer", placed.town_b)), jpeg(scene(74))), 404)


def test_reference_time_is_the_inspection_start(placed, phone_a) -> None:  # type: ignore[no-untyped-def]
    cu = uuid.uuid4()
    started = timezone.now() - timedelta(days=3)
    assert phone_a.put(cu, draft(placed, device_started_at=started.isoformat())).status_code == 201
    taken = timezone.localtime(started).replace(tzinfo=None) + timedelta(hours=1)
    assert "time_far" not in codes(upload(phone_a, cu, jpeg(scene(81), lat=FAC[1], lon=FAC[0], taken=taken)))


REUSE = {"duplicate_photo", "reused_same_subject", "reused_other_item"}


def test_last_audits_photo_sent_again_for_the_same_facility_is_flagged_at_upload(placed, phone_a) -> None:  # type: ignore[no-untyped-def]
    earlier = new_draft(phone_a, placed)
    data = here(101)
    first = upload(phone_a, earlier, data)
    assert codes(first) == set()
    later = new_draft(phone_a, placed)
    again = upload(phone_a, later, data, item_key="record.site-photo")  # a new photo_uuid, the same bytes
    assert codes(again) == {"reused_same_subject"}
    flag = flag_of(again.json(), "reused_same_subject")
    assert "同一张照片" in flag["message"] and flag["value"] == 0
    details = flag["details"]
    assert details["inspection"] == str(earlier) and details["item_key"] == "op.running"
    assert (
        details["photo_uuid"] == first.json()["client_uuid"] and details["sha256"] == first.json()["sha256"]
    )
    assert details["identical"] is True and details["distance"] == 0 and details["uploaded_at"]
    # shown where flags show: the inspection, and the review list's count
    shown = phone_a.get(f"/api/v1/inspections/{later}").json()["photos"][0]
    assert [f["code"] for f in shown["flags"]] == ["reused_same_subject"]
    officer = ApiClient(make_user("town_officer", placed.town_a))
    rows = {r["client_uuid"]: r for r in officer.get("/api/v1/inspections").json()["items"]}
    assert rows[str(later)]["photo_flags"] == 1 and rows[str(earlier)]["photo_flags"] == 0


def test_one_scene_for_two_items_is_flagged_and_a_retry_is_not(
    placed, phone_a, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    cu = new_draft(phone_a, placed)
    data, photo_uuid = here(102, quality=92), str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(phone_a, cu, data, photo_uuid=photo_uuid)
        retry = upload(phone_a, cu, data, photo_uuid=photo_uuid)  # the idempotent retry of the same upload
    assert codes(first) == codes(retry) == set() and stored(first) == []
    with django_capture_on_commit_callbacks(execute=True):
        other_item = upload(phone_a, cu, data, item_key="record.site-photo")
        twice = upload(phone_a, cu, data)  # the same item, the same bytes, a new photo_uuid
        near = upload(phone_a, cu, here(102, quality=55), item_key="op.damage")
    flag = flag_of(other_item.json(), "reused_other_item")
    assert "同一张照片" in flag["message"]
    assert flag["details"]["photo_uuid"] == photo_uuid and flag["details"]["item_key"] == "op.running"
    assert "reused_other_item" in codes(twice)
    assert not REUSE & codes(near)  # not known until its perceptual hash is
    later = InspectionPhoto.objects.get(client_uuid=near.json()["client_uuid"]).flags
    assert sorted((f["code"], f["details"]["item_key"]) for f in later) == [
        ("reused_other_item", "op.running"),  # one flag per item, however often the photo was sent there
        ("reused_other_item", "record.site-photo"),
    ]
    for flag in later:
        assert flag["details"]["identical"] is False and flag["details"]["distance"] <= 8
        assert (
            "同一张照片" not in flag["message"]
            and f"汉明距离 {flag['details']['distance']}" in flag["message"]
        )
    assert stored(first) == []  # the first photo matches nothing earlier, and a retry never matches itself


def test_the_copy_is_flagged_whichever_hash_is_made_first(
    placed, phone_a, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    earlier, later = new_draft(phone_a, placed), new_draft(phone_a, placed)
    with django_capture_on_commit_callbacks() as originals:
        original = upload(phone_a, earlier, here(121, quality=92))
    with django_capture_on_commit_callbacks() as copies:
        copy = upload(phone_a, later, here(121, quality=55), item_key="record.site-photo")
    for task in [*copies, *originals]:  # the copy's thumbnail task finishes first
        task()
    assert stored(original) == []  # the original is not a reuse of its later copy
    assert stored(copy) == ["reused_same_subject"]


def test_repair_photo_that_is_the_inspections_own_photo_is_flagged(placed, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    cu, _ = phone_a.complete(placed, {**sewage_answers(), "ledger.meter": {"value": False}})
    officer_a.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"})
    rect = Rectification.objects.get()
    before = InspectionPhoto.objects.get(inspection__client_uuid=cu, item_key="ledger.meter")
    body = {"photo_uuid": str(uuid.uuid4()), "file": SimpleUploadedFile("r.png", before.photo.file.read())}
    r = officer_a.client.post(
        f"/api/v1/rectifications/{rect.pk}/photos", body, headers=officer_a._headers(None)
    )
    assert "reused_same_subject" in codes(r)
    assert flag_of(r.json(), "reused_same_subject")["details"]["item_key"] == "ledger.meter"
    listed = officer_a.get("/api/v1/rectifications").json()["items"][0]["photos"][0]
    assert "reused_same_subject" in {f["code"] for f in listed["flags"]}


def test_offline_draft_synced_a_day_later_is_compared_with_its_own_device_times(placed, phone_a) -> None:  # type: ignore[no-untyped-def]
    cu = uuid.uuid4()
    body = draft(placed)
    del body["device_started_at"]  # this client does not send it; it syncs 30 hours after the visit
    assert phone_a.put(cu, body).status_code == 201
    visit = timezone.now() - timedelta(hours=30)
    local = timezone.localtime(visit).replace(tzinfo=None)
    genuine = upload(phone_a, cu, here(111, taken=local))
    site = upload(phone_a, cu, here(112, taken=local + timedelta(minutes=9)), item_key="record.site-photo",
                  captured_at=(visit + timedelta(minutes=9)).isoformat())  # fmt: skip
    assert "time_far" not in codes(genuine) | codes(site)  # never compared with the server's receipt
    # a month-old gallery photo attached during the visit: far from the phone's own capture stamp
    gallery = upload(phone_a, cu, here(113, taken=local - timedelta(days=30)), item_key="op.damage",
                     captured_at=visit.isoformat())  # fmt: skip
    assert flag_of(gallery.json(), "time_far")["details"]["reference"] == "captured_at"
    unstamped = upload(phone_a, cu, here(114, taken=local - timedelta(days=30)), item_key="op.maintenance")
    assert "time_far" not in codes(unstamped)  # no device time known yet to compare it with
    submitted = (visit + timedelta(hours=1)).isoformat()
    assert (
        phone_a.post(f"/api/v1/inspections/{cu}/submit", {"device_submitted_at": submitted}).status_code
        == 200
    )
    photos = {p["client_uuid"]: p for p in phone_a.get(f"/api/v1/inspections/{cu}").json()["photos"]}
    has = {k: {f["code"] for f in p["flags"]} for k, p in photos.items()}
    assert "time_far" not in has[genuine.json()["client_uuid"]] | has[site.json()["client_uuid"]]
    for far in (gallery, unstamped):
        flag = flag_of(photos[far.json()["client_uuid"]], "time_far")
        assert flag["details"]["reference"] == "inspection" and 29 * 24 < flag["value"] < 31 * 24


def test_a_submit_reads_the_photos_only_when_the_revision_has_some(placed, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    """Uploads count the current revision's photos (a retried upload once); an amendment after a
    rejection starts the count again; an inspection from before the count (None) has its photos read
    and re-checked at the submit as always."""
    from checklists.models import Inspection

    def count(cu: uuid.UUID) -> int | None:
        return Inspection.objects.values_list("revision_photos", flat=True).get(client_uuid=cu)

    cu = uuid.uuid4()
    assert phone_a.put(cu, draft(placed)).status_code == 201
    assert count(cu) == 0
    again = uuid.uuid4()
    sends = [(121, again, "op.running"), (121, again, "op.running"), (122, uuid.uuid4(), "record.site-photo")]
    for seed, photo_uuid, item in sends:  # the second is a retry of the first
        sent = upload(phone_a, cu, here(seed), item_key=item, photo_uuid=str(photo_uuid))
        assert sent.status_code in (200, 201), sent.content
    assert count(cu) == 2 == InspectionPhoto.objects.filter(inspection__client_uuid=cu).count()
    submitted = phone_a.post(f"/api/v1/inspections/{cu}/submit", {})
    assert submitted.status_code == 200, submitted.content
    rejected = officer_a.post(f"/api/v1/inspections/{cu}/review", {"decision": "reject", "reason": "补拍"})
    assert rejected.status_code == 200, rejected.content
    body = draft(placed, device_started_at="2022-09-21T09:30:00+08:00")  # not a replay of the first
    amended = phone_a.put(cu, body, if_match=rejected.json()["version"])
    assert amended.status_code == 200, amended.content
    assert count(cu) == 0  # revision 2 has no photo yet; revision 1 keeps its two
    assert Inspection.objects.get(client_uuid=cu).revision == 2

    old = uuid.uuid4()  # an inspection from before the count, with a photo whose time is far off
    body = draft(placed)
    del body["device_started_at"]
    assert phone_a.put(old, body).status_code == 201
    visit = timezone.now() - timedelta(hours=30)
    Inspection.objects.filter(client_uuid=old).update(revision_photos=None)
    late = upload(
        phone_a, old, here(123, taken=timezone.localtime(visit).replace(tzinfo=None) - timedelta(days=30))
    )
    assert "time_far" not in codes(late)  # no device time known yet
    assert upload(phone_a, old, here(124), item_key="record.site-photo").status_code == 201
    assert count(old) is None  # an upload does not invent a count it cannot know
    sent = phone_a.post(f"/api/v1/inspections/{old}/submit", {"device_submitted_at": visit.isoformat()})
    assert sent.status_code == 200, sent.content
    photos = {p["client_uuid"]: p for p in phone_a.get(f"/api/v1/inspections/{old}").json()["photos"]}
    flags = {f["code"] for f in photos[late.json()["client_uuid"]]["flags"]}
    assert "time_far" in flags  # re-checked against the submit time
