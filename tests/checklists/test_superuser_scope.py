"""Issue 12 item 1: a superuser (or ADMIN) sees everything, and a state change answers with its result.

``_inspection_scope`` used to OR "own inspections" with ``scope_q(None)``, an empty ``Q()`` that Django
drops from an OR: admins saw only their own inspections, and ``POST …/review`` approved, then answered 404.
"""

from __future__ import annotations

from django.db.models import Q

from checklists.models import Inspection, InspectionStatus
from geo.models import Region
from kernel.scope import scope_q
from tests.conftest import ApiClient, make_user


def _superuser() -> ApiClient:
    return ApiClient(make_user(None, None, username="root_t", is_superuser=True, is_staff=True))


def test_unrestricted_scope_survives_an_or(world) -> None:  # type: ignore[no-untyped-def]
    everything = Region.objects.count()
    assert Region.objects.filter(Q(pk=-1) | scope_q(None)).count() == everything
    assert Region.objects.filter(scope_q(None) | Q(pk=-1)).count() == everything
    assert Region.objects.filter(Q(pk=-1) | scope_q(())).count() == 0


def test_superuser_lists_reads_and_sees_photos_of_others(world, phone_a) -> None:  # type: ignore[no-untyped-def]
    cu, submitted = phone_a.complete(world)
    assert submitted.status_code == 200
    admin = _superuser()
    listed = admin.get("/api/v1/inspections")
    assert listed.status_code == 200
    assert [i["client_uuid"] for i in listed.json()["items"]] == [cu]
    detail = admin.get(f"/api/v1/inspections/{cu}")
    assert detail.status_code == 200, detail.content
    sha = detail.json()["photos"][0]["sha256"]
    assert admin.get(f"/api/v1/photos/{sha}").status_code in (200, 302)


def test_superuser_review_answers_with_the_result(world, phone_a) -> None:  # type: ignore[no-untyped-def]
    cu, _ = phone_a.complete(world)
    admin = _superuser()
    reviewed = admin.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"})
    assert reviewed.status_code == 200, reviewed.content
    assert reviewed.json()["status"] == "approved"
    assert Inspection.objects.get(client_uuid=cu).status == InspectionStatus.APPROVED
    # A retry of the same request is a clear conflict, not a second approval.
    again = admin.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"})
    assert again.status_code == 409
