"""The assessment's and the water programme's notifications: 公示, appeal filed and decided, 发布; a
section missing its target class after an import (once per section and month)."""

import pytest

from checklists.services.templates import templates_sync
from kernel.notifications import events
from kernel.notifications.models import Delivery, Endpoint, Event, Subscription
from kernel.notifications.services import endpoint_save
from tests.checklists.conftest import Phone
from tests.conftest import ApiClient, make_user
from tests.scoring.test_scoreboard_e2e import assess, fire, safety, this_years_scheme  # noqa: F401
from tests.scoring.test_water_api import GOOD, upload


def _subscribe(name: str, region, *evts: str) -> Endpoint:  # type: ignore[no-untyped-def]
    hook = endpoint_save(endpoint=Endpoint(kind="webhook", name=name), url="http://127.0.0.1:9/")
    for event in evts:
        Subscription.objects.create(endpoint=hook, event=event, region=region)
    return hook


@pytest.mark.usefixtures("this_years_scheme")
def test_the_assessment_lifecycle_is_told(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    scheme = "towns-test"  # this_years_scheme
    assessment = (
        events.SCOREBOARD_NOTICE,
        events.SCOREBOARD_PUBLISHED,
        events.APPEAL_FILED,
        events.APPEAL_DECIDED,
    )
    _subscribe("district", None, *assessment)
    _subscribe("town-b", world.town_b, *assessment)
    templates_sync()
    office = Phone(make_user("district_office", world.district, username="anweiban_n"))
    bureau = ApiClient(make_user("environment_bureau", world.district, username="huanjing_n"))
    with django_capture_on_commit_callbacks(execute=False):
        for town in (world.town_a, world.town_b):
            assess(office, bureau, town, "safety-town", safety())
            assess(office, bureau, town, "fire-town", fire())
    from scoring.assessment.services.recompute import assessment_recompute

    assessment_recompute(scheme_key=scheme)
    url = f"/api/v1/scoreboards/{scheme}"
    assert office.post(f"{url}/notice").status_code == 200
    officer_b = ApiClient(make_user("town_officer", world.town_b))
    appeal = officer_b.post(
        f"{url}/appeals", {"region_id": world.town_b.pk, "reason": "微型消防站已建成"}
    ).json()
    decided = office.post(
        f"/api/v1/appeals/{appeal['id']}/decide", {"upheld": False, "decision": "维持原评分"}
    )
    assert decided.status_code == 200
    assert office.post(f"{url}/publish").status_code == 200
    emitted = list(Event.objects.order_by("pk").values_list("event", "region_id"))
    assert emitted == [
        (events.SCOREBOARD_NOTICE, None), (events.APPEAL_FILED, world.town_b.pk),
        (events.APPEAL_DECIDED, world.town_b.pk), (events.SCOREBOARD_PUBLISHED, None),
    ]  # fmt: skip
    town_b = Delivery.objects.filter(endpoint__name="town-b").values_list("event__event", flat=True)
    assert sorted(town_b) == sorted(
        [events.APPEAL_FILED, events.APPEAL_DECIDED]
    )  # district-wide: not a town's
    assert Delivery.objects.filter(endpoint__name="district").count() == 4
    decided_event = Event.objects.get(event=events.APPEAL_DECIDED)
    assert "维持原评分" in decided_event.text and decided_event.data["status"] == "rejected"


@pytest.fixture
def bureau(world):  # type: ignore[no-untyped-def]
    return ApiClient(make_user("environment_bureau", world.district, username="huanjing"))


def test_a_section_missing_its_target_after_an_import_is_told_once(world, bureau) -> None:  # type: ignore[no-untyped-def]
    _subscribe("town-b", world.town_b, events.WATER_SECTION_BELOW_TARGET, events.WATER_DO_ALERT)
    assert upload(bureau, GOOD.encode()).json()["report"]["imported"] == 25
    # 乙桥 (S-B, only 四甲镇 responsible) is Ⅳ in 2022-09 (DO mean 4.0 < 5: also a DO alert); 甲桥 and
    # S-AB meet Ⅲ with DO means 6.0 and 5.5
    alert = Event.objects.get(event=events.WATER_DO_ALERT)
    assert (alert.region_id, alert.data["section_code"]) == (world.town_b.pk, "S-B")
    assert float(alert.data["do"]) == 4.0 and "4.00 mg/L" in alert.text
    event = Event.objects.get(event=events.WATER_SECTION_BELOW_TARGET)
    assert (event.event, event.region_id, event.data["section_code"], event.data["month"]) == (
        events.WATER_SECTION_BELOW_TARGET, world.town_b.pk, "S-B", "2022-09",
    )  # fmt: skip
    assert event.data["class"] == 4 and "溶解氧" in event.text and "未达目标Ⅲ类" in event.text
    assert Delivery.objects.count() == 2
    again = upload(bureau, GOOD.encode(), on_duplicate="replace")
    assert again.json()["report"]["replaced"] == 25
    assert Event.objects.count() == 2  # the same month again: told once
