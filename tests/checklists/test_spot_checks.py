"""随机抽查: reproducible draws, inspectors from other towns, score comparison, publication."""

import uuid

from checklists.models import Assignment, SpotCheck
from tests.checklists.conftest import Phone, draft, sewage_answers
from tests.conftest import ApiClient, assert_error, make_user


def test_draw_assign_inspect_compare_publish(world, templates, district) -> None:  # type: ignore[no-untyped-def]
    insp_a = Phone(make_user("inspector", world.town_a, username="insp_a"))
    insp_b = Phone(make_user("inspector", world.town_b, username="insp_b"))
    officer_a = ApiClient(make_user("town_officer", world.town_a))

    # the town's own audit of facility A: everything fine
    own_cu, _ = insp_a.complete(world, sewage_answers())
    officer_a.post(f"/api/v1/inspections/{own_cu}/review", {"decision": "approve"})

    body = {
        "year": 2022,
        "subject_kind": "sewage_facility",
        "template_key": "sewage-facility-audit",
        "per_town": 1,
    }
    assert_error(officer_a.post("/api/v1/spot-checks", body), 403)
    created = district.post("/api/v1/spot-checks", body)
    assert created.status_code == 201, created.content
    spot = created.json()
    by_subject = {s["subject_id"]: s["inspector_id"] for s in spot["result"]}
    assert by_subject == {world.facility_a.pk: insp_b.user_id, world.facility_b.pk: insp_a.user_id}
    assert district.get(f"/api/v1/spot-checks/{spot['id']}/verify").json()["reproducible"] is True

    # the drawn inspector of town B gets the task and may inspect facility A only through it
    task = next(a for a in insp_b.get("/api/v1/catalogue").json()["assignments"])
    assert (task["subject_id"], task["purpose"]) == (world.facility_a.pk, "spot_check")
    assert_error(insp_b.put(uuid.uuid4(), draft(world)), 404)
    cu = str(uuid.uuid4())
    bad = {
        **sewage_answers(),
        **{k: {"value": False} for k in ("op.pipe-network", "op.maintenance", "ledger.funding")},
    }
    assert insp_b.put(cu, draft(world, bad, assignment_id=task["id"])).status_code == 201
    for key in ("op.running", "record.site-photo", "op.pipe-network"):
        insp_b.photo(cu, key, seed=hash(key) % 997)
    assert insp_b.submit(cu).json()["status"] == "submitted"
    assert district.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200
    assert Assignment.objects.get(pk=task["id"]).status == "done"

    rows = {r["subject_name"]: r for r in district.get(f"/api/v1/spot-checks/{spot['id']}/comparison").json()}
    row = rows[world.facility_a.name]
    assert (row["own_percent"], row["spot_percent"]) == ("100.0000", "70.0000")
    assert row["gap"] == "-30.0000" and row["flagged"] is True
    assert (
        rows[world.facility_b.name]["spot_percent"] is None
        and rows[world.facility_b.name]["flagged"] is False
    )

    # towns see the draw once it is published
    assert_error(officer_a.get(f"/api/v1/spot-checks/{spot['id']}"), 404)
    assert district.post(f"/api/v1/spot-checks/{spot['id']}/publish").json()["published_at"]
    assert officer_a.get(f"/api/v1/spot-checks/{spot['id']}").json()["seed"] == spot["seed"]


def test_tampered_draw_is_not_reproducible(world, templates, district) -> None:  # type: ignore[no-untyped-def]
    make_user("inspector", world.town_a)
    make_user("inspector", world.town_b)
    body = {
        "year": 2022,
        "subject_kind": "sewage_facility",
        "template_key": "sewage-facility-audit",
        "per_town": 1,
    }
    spot_id = district.post("/api/v1/spot-checks", body).json()["id"]
    spot = SpotCheck.objects.get(pk=spot_id)
    spot.result = [{**r, "inspector_id": 0} for r in spot.result]
    spot.save()
    assert district.get(f"/api/v1/spot-checks/{spot_id}/verify").json()["reproducible"] is False


def test_draw_refuses_when_no_outside_inspector_or_wrong_kind(world, templates, district) -> None:  # type: ignore[no-untyped-def]
    make_user("inspector", world.town_a)  # only town A has an inspector: town A cannot be covered
    body = {
        "year": 2022,
        "subject_kind": "sewage_facility",
        "template_key": "sewage-facility-audit",
        "per_town": 1,
    }
    err = assert_error(district.post("/api/v1/spot-checks", body), 422, "no_eligible_inspector")
    assert err["details"]["town_id"] == world.town_a.pk
    assert_error(district.post("/api/v1/spot-checks", {**body, "subject_kind": "village"}), 422)
    assert_error(district.post("/api/v1/spot-checks", {**body, "town_ids": [world.village_a.pk]}), 422)
    assert not SpotCheck.objects.exists() and not Assignment.objects.exists()
