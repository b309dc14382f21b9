"""``review_queue``: the API's submitted list for a reviewer, newest first, photo flags as read."""

import pytest

from accounts.models import User
from checklists.selectors import review_queue
from kernel.access import Principal
from kernel.errors import PermissionDenied
from tests.checklists.conftest import sewage_answers
from tests.conftest import make_user


def _principal(user) -> Principal:  # type: ignore[no-untyped-def]
    from accounts.selectors import principal_for

    return principal_for(user)


def test_queue_holds_submitted_inspections_in_scope_newest_first(world, phone_a, officer_a) -> None:  # type: ignore[no-untyped-def]
    first, _ = phone_a.complete(world, sewage_answers())
    second, _ = phone_a.complete(world, sewage_answers())
    officer = _principal(User.objects.get(username="officer_a"))
    rows = list(review_queue(principal=officer))
    assert [str(r.client_uuid) for r in rows] == [second, first]
    assert all(p.viewer_flags and p.viewer_flags[0]["code"] == "no_gps" for r in rows for p in r.photos.all())
    officer_a.post(
        f"/api/v1/inspections/{first}/review", {"decision": "approve", "reason": "", "item_comments": {}}
    )
    assert [str(r.client_uuid) for r in review_queue(principal=officer)] == [second]
    assert list(review_queue(principal=officer, town_id=world.town_b.pk)) == []
    other = _principal(make_user("town_officer", world.town_b))
    assert list(review_queue(principal=other)) == []


@pytest.mark.parametrize("role", ["inspector", "planner"])
def test_roles_that_review_nothing_have_no_queue(world, templates, role) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        review_queue(principal=_principal(make_user(role, world.district)))
