"""An appeal's evidence never opens another town's photos: the photos an appeal names must be ones the
appellant may already see as evidence about the appealing unit; photos uploaded to the appeal are seen
by whoever may see the appeal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from checklists.models import InspectionPhoto
from checklists.services.templates import templates_sync
from scoring.models import Appeal, Scoreboard
from tests.checklists.conftest import Phone, png_bytes
from tests.conftest import ApiClient, assert_error, make_user
from tests.scoring.test_scoreboard_e2e import assess, fire, safety, this_years_scheme  # noqa: F401


@pytest.fixture
def noticed(world, this_years_scheme, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def] # noqa: F811
    """Towns A and B assessed (with photos), the board under notice; the demo's roles."""
    templates_sync()
    office = Phone(make_user("district_office", world.district, username="anweiban_ev"))
    bureau = ApiClient(make_user("environment_bureau", world.district, username="huanjing_ev"))
    with django_capture_on_commit_callbacks(execute=True):
        for town in (world.town_a, world.town_b):
            assess(office, bureau, town, "safety-town", safety(hazards=2))
            assess(office, bureau, town, "fire-town", fire())
    url = f"/api/v1/scoreboards/{this_years_scheme}"
    assert office.post(f"{url}/notice").status_code == 200
    return url, office


def town_photo(town) -> str:  # type: ignore[no-untyped-def]
    """A photo only this town's inspections use. The synthetic photos come in 256 colours (seeded by
    ``hash(uuid) % 1000``), so two towns may well share identical bytes — one stored photo, which both
    may see; such a photo cannot stand for "another town's photo"."""
    elsewhere = InspectionPhoto.objects.exclude(inspection__subject_id=town.pk).values("photo_id")
    return (
        InspectionPhoto.objects.filter(inspection__subject_id=town.pk)
        .exclude(photo_id__in=elsewhere)
        .values_list("photo__sha256", flat=True)[0]
    )


def test_an_appeal_cannot_name_another_towns_photo(world, noticed) -> None:  # type: ignore[no-untyped-def]
    url, office = noticed
    officer_b = ApiClient(make_user("town_officer", world.town_b, username="sijia_ev"))
    foreign = town_photo(world.town_a)
    assert_error(officer_b.get(f"/api/v1/photos/{foreign}"), 404)  # not B's to see
    body = {
        "region_id": world.town_b.pk,
        "reason": "扣分有误",
        "evidence": [town_photo(world.town_b), foreign],
    }
    refused = assert_error(officer_b.post(f"{url}/appeals", body), 422, "evidence_not_visible")
    assert list(refused["details"]["fields"]) == ["evidence.1"]
    # a photo that does not exist gets the very same answer: nothing is revealed
    unknown = {**body, "evidence": ["0" * 64]}
    assert (
        assert_error(officer_b.post(f"{url}/appeals", unknown), 422, "evidence_not_visible")["message"]
        == (refused["message"])
    )
    assert not Appeal.objects.exists()  # nothing half-written
    assert_error(officer_b.get(f"/api/v1/photos/{foreign}"), 404)
    # its own town's photos may be named; the district sees them as before
    own = {**body, "evidence": [town_photo(world.town_b)]}
    filed = officer_b.post(f"{url}/appeals", own)
    assert filed.status_code == 201, filed.content
    assert filed.json()["evidence"] == [town_photo(world.town_b)]
    assert office.get(f"/api/v1/photos/{town_photo(world.town_b)}").status_code == 200
    # the district office files for a town (the demo does): the same rule, about that town
    for_b = {"region_id": world.town_b.pk, "reason": "代为录入", "evidence": [foreign]}
    assert_error(office.post(f"{url}/appeals", for_b), 422, "evidence_not_visible")


def test_an_appeal_named_before_the_fix_opens_nothing(world, noticed) -> None:  # type: ignore[no-untyped-def]
    """Appeals filed while the hole was open may list another town's photo: listing it is not seeing it."""
    url, _ = noticed
    officer_b = ApiClient(make_user("town_officer", world.town_b, username="sijia_old"))
    foreign = town_photo(world.town_a)
    Appeal.objects.create(
        scoreboard=Scoreboard.objects.get(status="notice"),
        region=world.town_b,
        unit_id=world.town_b.pk,
        unit_name="四甲镇",
        filed_by_id=officer_b.user_id,
        reason="旧申诉",
        evidence=[foreign],
    )
    assert officer_b.get(f"{url}/appeals").json()[0]["evidence"] == [foreign]
    assert_error(officer_b.get(f"/api/v1/photos/{foreign}"), 404)


def test_photos_uploaded_to_an_appeal_are_seen_by_its_town_and_the_district(world, noticed) -> None:  # type: ignore[no-untyped-def]
    url, office = noticed
    officer_a = ApiClient(make_user("town_officer", world.town_a, username="changle_up"))
    officer_b = ApiClient(make_user("town_officer", world.town_b, username="sijia_up"))
    colleague_b = ApiClient(make_user("town_officer", world.town_b, username="sijia_up2"))
    appeal = officer_b.post(f"{url}/appeals", {"region_id": world.town_b.pk, "reason": "已整改"}).json()
    upload = SimpleUploadedFile("e.png", png_bytes(7, size=(73, 51)), content_type="image/png")
    sent = officer_b.client.post(
        f"/api/v1/appeals/{appeal['id']}/photos", {"file": upload}, headers=officer_b._headers(None)
    )
    assert sent.status_code == 201, sent.content
    sha = sent.json()["evidence"][0]
    for who in (office, officer_b, colleague_b):
        assert who.get(f"/api/v1/photos/{sha}").status_code == 200
    assert_error(officer_a.get(f"/api/v1/photos/{sha}"), 404)
    # once uploaded, it may be named again in a later appeal of the same town
    again = {"region_id": world.town_b.pk, "reason": "补充申诉", "evidence": [sha]}
    assert officer_b.post(f"{url}/appeals", again).status_code == 201
    # but not by another town
    assert_error(
        officer_a.post(f"{url}/appeals", {"region_id": world.town_a.pk, "reason": "x", "evidence": [sha]}),
        422,
        "evidence_not_visible",
    )
