"""Subject kinds plug into the inspection lifecycle through hooks: a throwaway kind registered here sees
every event (submit, reject, approve, plan decision, amend, withdraw) with what it needs, and what its
hooks answer is honoured (items already being rectified, further rectifications changed)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest

from checklists.models import Inspection, InspectionCorrection, Rectification
from checklists.subjects import SubjectHooks, hooks_for, register, registered, unregister
from tests.checklists.conftest import draft, sewage_answers
from tests.conftest import ApiClient, make_user


class Recorder(SubjectHooks):
    """Notes each call: (event, inspection uuid or rectification id, status seen, who)."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.approved_at: datetime | None = None

    def on_submitted(self, *, principal: Any, inspection: Inspection) -> None:
        self.calls.append(("submitted", str(inspection.client_uuid), inspection.status, principal.username))

    def on_approved(self, *, principal: Any, inspection: Inspection, at: datetime) -> frozenset[str]:
        self.calls.append(("approved", str(inspection.client_uuid), inspection.status, principal.username))
        self.approved_at = at
        return frozenset({"ledger.meter"})  # "already being rectified elsewhere"

    def on_rejected(self, *, principal: Any, inspection: Inspection) -> None:
        self.calls.append(("rejected", str(inspection.client_uuid), inspection.status, principal.username))

    def on_amended(self, *, principal: Any, inspection: Inspection, approved_at: datetime) -> frozenset[str]:
        assert approved_at == self.approved_at  # as first approved, not when corrected
        self.calls.append(("amended", str(inspection.client_uuid), inspection.revision, principal.username))
        return frozenset()

    def on_withdrawn(
        self, *, principal: Any, inspection: Inspection, reason: str, note: str
    ) -> dict[str, list[int]]:
        self.calls.append(("withdrawn", str(inspection.client_uuid), inspection.status, reason))
        return {"tried_out": [7]}

    def on_plan_decided(self, *, principal: Any, rectification: Rectification, decision: str) -> None:
        self.calls.append(("plan", rectification.pk, rectification.status, decision))


@pytest.fixture
def tryout():  # type: ignore[no-untyped-def]
    hooks = Recorder()
    register("tryout", hooks)
    yield hooks
    unregister("tryout")


def submitted_as(kind: str, world: Any, phone: Any, answers: dict[str, Any]) -> str:
    """A complete sewage audit whose subject kind is switched to ``kind`` before it is submitted."""
    cu = str(uuid.uuid4())
    assert phone.put(cu, draft(world, {**sewage_answers(), **answers})).status_code == 201
    for key in ("op.running", "record.site-photo", *answers):
        assert phone.photo(cu, key, seed=hash(cu + key) % 1000).status_code == 201
    Inspection.objects.filter(client_uuid=cu).update(subject_kind=kind)
    assert phone.submit(cu).status_code == 200
    return cu


def test_the_lifecycle_calls_the_hooks_of_the_inspections_subject_kind(
    world, phone_a, district, tryout
) -> None:  # type: ignore[no-untyped-def]
    rejected = submitted_as("tryout", world, phone_a, {})
    assert district.post(f"/api/v1/inspections/{rejected}/review",
                         {"decision": "reject", "reason": "照片不清"}).status_code == 200  # fmt: skip
    assert tryout.calls == [
        ("submitted", rejected, "submitted", "jiancha_a"),
        ("rejected", rejected, "rejected", "anweiban_t"),
    ]

    tryout.calls.clear()
    failing = {"ledger.meter": {"value": False}, "op.beyond-repair": {"value": False}}
    cu = submitted_as("tryout", world, phone_a, failing)
    assert district.post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"}).status_code == 200
    # the hook said the meter problem is already being rectified: only the other one gets a rectification
    rect = Rectification.objects.get(finding__inspection__client_uuid=cu)
    assert rect.finding.item_key == "op.beyond-repair" and rect.subject_kind == "tryout"
    url = f"/api/v1/rectifications/{rect.pk}/transition"
    assert district.post(url, {"action": "approve_plan", "decision": "retire"}).status_code == 200

    corrector = ApiClient(make_user("district_office", world.district, username="gengzheng_hooks"))
    amend = {"answers": {"ledger.meter": {"value": True}}, "reason": "电表已安装，误记"}
    assert corrector.post(f"/api/v1/inspections/{cu}/amend", amend).status_code == 200
    assert corrector.post(f"/api/v1/inspections/{cu}/withdraw", {"reason": "对象录错"}).status_code == 200
    assert tryout.calls == [
        ("submitted", cu, "submitted", "jiancha_a"),
        ("approved", cu, "approved", "anweiban_t"),
        ("plan", rect.pk, "awaiting_approval", "retire"),
        ("amended", cu, 2, "gengzheng_hooks"),
        ("withdrawn", cu, "withdrawn", "对象录错"),
    ]
    withdrawal = InspectionCorrection.objects.get(inspection__client_uuid=cu, action="withdraw")
    assert withdrawal.rectifications["tried_out"] == [7]  # what the hook changed is recorded too


def test_a_kind_without_hooks_gets_the_no_ops_and_the_sewage_plug_in_is_registered() -> None:
    assert type(hooks_for("town")) is SubjectHooks
    assert type(hooks_for("sewage_facility")) is not SubjectHooks
    assert "sewage_facility" in registered()


def test_a_kind_is_plugged_in_once() -> None:
    first, second = SubjectHooks(), SubjectHooks()
    register("tryout_once", first)
    try:
        register("tryout_once", first)  # the same wiring run twice: harmless
        with pytest.raises(ValueError):
            register("tryout_once", second)
    finally:
        unregister("tryout_once")
