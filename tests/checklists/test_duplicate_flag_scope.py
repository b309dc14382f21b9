"""The duplicate-photo flag names the other subject only to viewers who may see it: a town learns that
its photo was used elsewhere, never another town's facility name, id or photo. Flags are stored whole;
what a viewer reads is decided when they read it, by their scope."""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from checklists.models import InspectionPhoto, Rectification
from tests.checklists.conftest import Phone, draft, sewage_answers
from tests.checklists.test_evidence import codes, flag_of, new_draft, upload
from tests.checklists.test_evidence import placed as placed
from tests.conftest import ApiClient, make_user
from tests.media.images import jpeg, scene

OTHER_TOWN = "管辖范围以外的检查对象"


def test_another_towns_subject_is_not_named_to_this_town(
    placed, phone_a, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    name_a = placed.facility_a.name
    cu_a = new_draft(phone_a, placed)
    with django_capture_on_commit_callbacks(execute=True):
        original = upload(phone_a, cu_a, jpeg(scene(41), quality=92))
    sha_a = original.json()["sha256"]
    # town B's audit of its own facility sends the very same file, and a re-encoded, resized copy
    phone_b = Phone(make_user("inspector", placed.town_b, username="jiancha_b"))
    cu_b = uuid.uuid4()
    body = {**draft(placed), "subject": {"kind": "sewage_facility", "id": placed.facility_b.pk}}
    assert phone_b.put(cu_b, body).status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        exact = upload(phone_b, cu_b, jpeg(scene(41), quality=92), item_key="record.site-photo")
        near = upload(phone_b, cu_b, jpeg(scene(41).resize((400, 300)), quality=50))
    # stored whole (the district needs it) ...
    stored = flag_of(InspectionPhoto.objects.get(client_uuid=exact.json()["client_uuid"]), "duplicate_photo")
    assert stored["details"]["subject_name"] == name_a
    # ... but the upload's own answer, the inspector's and the town's reads name nothing of town A
    flag = flag_of(exact.json(), "duplicate_photo")
    assert name_a not in str(flag) and flag["message"] == f"同一张照片已用于{OTHER_TOWN}"
    assert flag["details"] == {
        "identical": True,
        "distance": 0,
        "uploaded_at": stored["details"]["uploaded_at"],
        "subject_kind": "sewage_facility",
        "outside_scope": True,
    }
    officer_b = ApiClient(make_user("town_officer", placed.town_b, username="officer_b"))
    for who in (phone_b, officer_b):
        photos = {p["client_uuid"]: p for p in who.get(f"/api/v1/inspections/{cu_b}").json()["photos"]}
        for link in (exact, near):
            flag = flag_of(photos[link.json()["client_uuid"]], "duplicate_photo")
            assert name_a not in str(flag) and OTHER_TOWN in flag["message"]
            assert str(placed.facility_a.pk) not in str(flag["details"].get("subject_id", ""))
        near_flag = flag_of(photos[near.json()["client_uuid"]], "duplicate_photo")
        assert "高度相似" in near_flag["message"] and sha_a not in str(near_flag)
    # the district may see both facilities: it reads the flag as stored
    district = ApiClient(make_user("district_office", placed.district, username="anweiban_dup"))
    photos = {p["client_uuid"]: p for p in district.get(f"/api/v1/inspections/{cu_b}").json()["photos"]}
    flag = flag_of(photos[exact.json()["client_uuid"]], "duplicate_photo")
    assert flag["details"]["subject_name"] == name_a and name_a in flag["message"]


def test_a_repair_photo_from_another_town_is_not_named_either(
    placed, phone_a, officer_a, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    cu_a = new_draft(phone_a, placed)
    with django_capture_on_commit_callbacks(execute=True):
        upload(phone_a, cu_a, jpeg(scene(44)))
    phone_b = Phone(make_user("inspector", placed.town_b, username="jiancha_b2"))
    officer_b = ApiClient(make_user("town_officer", placed.town_b, username="officer_b2"))
    facility_b = {"kind": "sewage_facility", "id": placed.facility_b.pk}
    cu_b = uuid.uuid4()
    answers = {**sewage_answers(), "ledger.meter": {"value": False}}
    assert phone_b.put(cu_b, {**draft(placed, answers), "subject": facility_b}).status_code == 201
    for key in ("op.running", "record.site-photo", "ledger.meter"):
        assert phone_b.photo(cu_b, key, seed=900 + len(key)).status_code == 201
    assert phone_b.submit(cu_b).status_code == 200
    assert officer_b.post(f"/api/v1/inspections/{cu_b}/review", {"decision": "approve"}).status_code == 200
    rect = Rectification.objects.get(subject_id=placed.facility_b.pk)
    file = SimpleUploadedFile("r.jpg", jpeg(scene(44)), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        sent = officer_b.client.post(
            f"/api/v1/rectifications/{rect.pk}/photos",
            {"photo_uuid": str(uuid.uuid4()), "file": file},
            headers=officer_b._headers(None),
        )
    assert "duplicate_photo" in codes(sent)
    assert placed.facility_a.name not in str(sent.json()["flags"])
    listed = officer_b.get("/api/v1/rectifications").json()["items"][0]["photos"][0]
    assert placed.facility_a.name not in str(listed["flags"])
    assert OTHER_TOWN in flag_of(listed, "duplicate_photo")["message"]
    district = ApiClient(make_user("district_office", placed.district, username="anweiban_dup2"))
    listed = next(r for r in district.get("/api/v1/rectifications").json()["items"] if r["id"] == rect.pk)
    assert (
        flag_of(listed["photos"][0], "duplicate_photo")["details"]["subject_name"] == placed.facility_a.name
    )
