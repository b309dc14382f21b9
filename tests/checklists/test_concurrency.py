"""Two phones racing on the same draft for real (threads, separate connections, row locks): PostGIS only."""

import threading
import uuid

import pytest
from django.db import connection

from checklists.models import Inspection
from checklists.services.templates import templates_sync
from tests.checklists.conftest import Phone, draft, sewage_answers
from tests.conftest import make_user


@pytest.mark.django_db(transaction=True)
def test_simultaneous_conflicting_edits_one_wins_one_gets_409(world) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SpatiaLite serialises writers on the whole file)")
    templates_sync()
    user = make_user("inspector", world.town_a)
    phones = [Phone(user, f"phone-{i}") for i in range(2)]
    cu = uuid.uuid4()
    assert phones[0].put(cu, draft(world)).status_code == 201
    edits = [
        draft(world, {**sewage_answers(), "op.maintenance": {"value": False}}),
        draft(world, {**sewage_answers(), "op.capacity-match": {"value": False}}),
    ]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def race(i: int) -> None:
        barrier.wait()
        statuses.append(phones[i].put(cu, edits[i], if_match=1).status_code)
        connection.close()

    threads = [threading.Thread(target=race, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(statuses) == [200, 409]
    inspection = Inspection.objects.get(client_uuid=cu)
    assert inspection.version == 2
    changed = [k for k in ("op.maintenance", "op.capacity-match") if inspection.answers[k]["value"] is False]
    assert len(changed) == 1  # exactly one phone's edit, never a mix
