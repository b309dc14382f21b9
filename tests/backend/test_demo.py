"""The Haimen demo data: complete, labelled, consistent, idempotent."""

from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from accounts.models import User
from geo import demo
from geo.models import CodeSource, Region, RegionLevel, RiverSection, SewageFacility


@pytest.fixture(scope="module")
def _demo_committed(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The demo, loaded and committed once for the module (it takes ~10 s), flushed after it. Loaded in
    autocommit, so what it defers to after a commit (thumbnails, checks) runs as in production. Its files
    (photos, bulletins) go to the test settings' media folder, not a test's own (tests/conftest.py)."""
    out = StringIO()
    with django_db_blocker.unblock():
        call_command("load_demo", "--password", "demo-pass-1", stdout=out)
        try:
            yield out.getvalue(), django_settings.MEDIA_ROOT
        finally:
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def loaded(_demo_committed, db, settings):  # type: ignore[no-untyped-def]
    """The demo's output; each test runs in its own transaction over it, rolled back at its end, and sees
    the demo's files."""
    output, settings.MEDIA_ROOT = _demo_committed
    return output


def test_towns_codes_and_named_villages(loaded) -> None:  # type: ignore[no-untyped-def]
    district = Region.objects.get(level=RegionLevel.DISTRICT)
    assert (district.name, district.code) == ("海门区", "320614000000")
    towns = {t.name: t for t in Region.objects.filter(level=RegionLevel.TOWN)}
    assert len(towns) == len(demo.TOWNS) == 14
    assert (towns["常乐镇"].code, towns["常乐镇"].code_source, towns["常乐镇"].alt_codes) == (
        "320614103000",
        CodeSource.NBS,
        ["320614106000"],
    )
    assert (towns["包场镇"].code, towns["包场镇"].code_source) == ("320614115000", CodeSource.OTHER_DATASET)
    assert {v.name for v in Region.objects.filter(parent=towns["包场镇"], is_synthetic=False)} == {
        "城河村",
        "浩西村",
    }
    assert Region.objects.filter(parent=towns["临江新区"], name="稻香村", code__isnull=True).exists()
    assert all(t.boundary is not None and t.geometry_quality == "synthetic" for t in towns.values())


def test_sections_and_responsible_towns_from_65hao(loaded) -> None:  # type: ignore[no-untyped-def]
    got = {
        s.name: (s.level, sorted(t.name for t in s.responsible_towns.all()))
        for s in RiverSection.objects.exclude(level="tributary")  # the 劣Ⅴ list's demo points: see below
    }
    assert got == {
        "货隆大桥": ("provincial", ["四甲镇"]),
        "海洪大桥": ("provincial", sorted(["海门港新区", "悦来镇"])),
        "青龙河桥": ("municipal", sorted(["三厂工业园区", "常乐镇", "四甲镇"])),
        "高北大桥": ("municipal", ["海门街道"]),
        "南京路桥": ("municipal", ["海门街道"]),
        "临海公路桥": ("municipal", ["海门港新区"]),
        "汤正公路桥": ("municipal", sorted(["临江新区", "常乐镇"])),
    }
    sections = RiverSection.objects.exclude(level="tributary")
    assert all(s.location_quality == "approximate" and "近似" in s.note for s in sections)


def test_facilities_are_labelled_and_lie_in_their_town(loaded) -> None:  # type: ignore[no-untyped-def]
    facilities = list(SewageFacility.objects.select_related("village__parent"))
    assert 30 <= len(facilities) <= 60
    assert all(f.is_synthetic and "演示" in f.name for f in facilities)
    located = [f for f in facilities if f.location is not None]
    assert {f.location_datum for f in located} == {"wgs84", "gcj02"}  # both datums represented
    assert len(located) < len(facilities)  # and some ledger gaps to show
    for f in located:
        assert SewageFacility.objects.filter(pk=f.pk, location__within=f.village.parent.boundary).exists(), (
            f.code
        )
    natural = Region.objects.filter(level=RegionLevel.NATURAL_VILLAGE)
    assert natural.count() > 50 and not natural.filter(households__isnull=True).exists()


def test_demo_accounts_and_idempotency(loaded) -> None:  # type: ignore[no-untyped-def]
    counts = (
        Region.objects.count(),
        RiverSection.objects.count(),
        SewageFacility.objects.count(),
        User.objects.count(),
    )
    call_command("load_demo", "--password", "demo-pass-1", stdout=StringIO())
    assert counts == (
        Region.objects.count(),
        RiverSection.objects.count(),
        SewageFacility.objects.count(),
        User.objects.count(),
    )
    changle = User.objects.get(username="changle")
    assert changle.check_password("demo-pass-1")
    assert [(g.role, g.region.name) for g in changle.grants.all()] == [("town_officer", "常乐镇")]
    assert "changle" in loaded


def test_demo_shows_the_inspection_workflow(loaded) -> None:  # type: ignore[no-untyped-def]
    from checklists.models import ChecklistTemplate, Inspection, Rectification, SpotCheck
    from checklists.services.spotchecks import spot_check_redraw

    # with the outfall and pump station examples (issue 18)
    assert ChecklistTemplate.objects.filter(status="published").count() == 10
    audits = Inspection.objects.filter(subject_kind="sewage_facility")
    statuses = list(audits.values_list("status", flat=True))
    assert statuses.count("draft") == 1 and statuses.count("rejected") == 1
    # the workflow's two approved audits, plus the district survey of every other synthetic facility
    from geo.models import SewageFacility

    surveyed = SewageFacility.objects.exclude(status="under_construction").count()
    assert statuses.count("approved") >= surveyed - 2
    assert Inspection.objects.filter(subject_kind="town", purpose="annual", status="approved").count() == 12
    rejected = Inspection.objects.get(status="rejected")
    assert rejected.review_reason and rejected.item_comments
    assert {r.category for r in Rectification.objects.all()} >= {"no_meter", "maintenance_missing"}
    # the annual assessment was done weeks ago: the towns' hazard repairs are overdue (the town dashboards)
    overdue = set(Rectification.objects.filter(overdue=True).values_list("subject_town__name", flat=True))
    assert {"常乐镇", "四甲镇"} <= overdue
    from checklists.models import InspectionPhoto

    photos = list(
        InspectionPhoto.objects.filter(inspection__subject_kind="sewage_facility").select_related("photo")
    )
    everywhere = InspectionPhoto.objects.values_list("flags", flat=True)
    assert not any(f["code"] == "duplicate_photo" for flags in everywhere for f in flags)
    assert photos and all(p.photo.derivatives_at for p in photos)
    # photos at facilities with coordinates carry GPS; the ledgers' facilities without any cannot
    located = set(SewageFacility.objects.exclude(location=None).values_list("pk", flat=True))
    at_located = [p for p in photos if p.inspection.subject_id in located]
    assert at_located and all(p.photo.exif_gps_status == "ok" for p in at_located)
    flagged = [p for p in at_located if p.flags]
    assert sorted((p.item_key, p.flags[0]["code"]) for p in flagged) == [
        ("op.capacity-match", "far_from_subject"),
        ("op.maintenance", "far_from_subject"),  # an audit waiting for review (the console's queue)
        ("op.running", "reused_same_subject"),  # a later audit sends the approved audit's photo again
    ]
    waiting = [p.inspection.status for p in flagged if p.item_key == "op.maintenance"]
    assert waiting == ["submitted"]
    [reused] = [p for p in flagged if p.item_key == "op.running"]
    assert reused.inspection.status == "submitted" and reused.flags[0]["details"]["identical"] is True
    earlier = Inspection.objects.get(client_uuid=reused.flags[0]["details"]["inspection"])
    assert earlier.status == "approved" and earlier.subject_id == reused.inspection.subject_id
    spot = SpotCheck.objects.get()
    assert [s.__dict__ for s in spot_check_redraw(spot)] == spot.result
    assert spot.assignments.count() == 3
    # every inspection and task states the year it assesses: this year's (the demo scheme's)
    from django.utils import timezone

    from checklists.models import Assignment

    year = timezone.localdate().year
    assert set(Inspection.objects.values_list("period", flat=True)) == {year}
    assert set(Assignment.objects.values_list("period", flat=True)) == {year}


def test_demo_shows_a_town_scoreboard_under_notice(loaded) -> None:  # type: ignore[no-untyped-def]
    from scoring.models import Scoreboard

    board = Scoreboard.objects.get(status="notice")
    assert [r["unit_name"] for r in board.rows][-1] == "包场镇"  # vetoed: last whatever its points
    assert board.rows[-1]["grade"] == "不合格" and board.rows[-1]["vetoed"]
    assert sum(1 for r in board.rows if r["award"] == "先进区镇") == 4
    # 常乐镇 did not complete its required tasks: first, yet 优胜 and no single award (the scheme's default)
    first = board.rows[0]
    assert (first["unit_name"], first["rank"], first["award"], first["single_awards"]) == (
        "常乐镇",
        1,
        "优胜区镇",
        [],
    )
    assert "未完成年度规定任务" in first["notes"][0]
    assert "区镇考核结果" in loaded


def test_demo_shows_an_upheld_appeal_answered_by_a_correction(loaded) -> None:  # type: ignore[no-untyped-def]
    from checklists.models import Inspection
    from scoring.models import Appeal, Scoreboard

    appeal = Appeal.objects.get()
    assert (appeal.unit_name, appeal.status, appeal.rescore) == ("包场镇", "upheld", True)
    assert appeal.corrected_at and appeal.corrections[0]["action"] == "amend"
    corrected = Inspection.objects.get(client_uuid=appeal.corrections[0]["inspection"])
    assert (corrected.status, corrected.revision, corrected.vetoed) == ("approved", 2, False)
    assert corrected.corrections.get().appeal_id == appeal.pk
    # the appeal names the inspection's own site photo; the correction is by a scheme owner
    assert appeal.evidence == list(
        corrected.photos.filter(item_key="record.site-photo").values_list("photo__sha256", flat=True)
    )
    assert len(appeal.evidence) == 1
    assert corrected.corrections.get().corrected_by.username == "admin"
    # the board under notice still shows the veto; the recomputed draft does not, and may be noticed
    noticed = Scoreboard.objects.get(status="notice")
    draft = Scoreboard.objects.get(status="draft", scheme_key=noticed.scheme_key)
    assert draft.computed_at > appeal.corrected_at and draft.content_hash != noticed.content_hash
    row = next(r for r in draft.rows if r["unit_name"] == "包场镇")
    assert not row["vetoed"] and row["grade"] != "不合格"
    assert "包场镇对一票否决的申诉" in loaded


def test_demo_water_shows_a_raise_iii_section_and_a_do_alert_this_month(loaded) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from accounts.selectors import principal_for
    from scoring.water import services

    today = timezone.localdate()
    principal = principal_for(User.objects.get(username="huanjing"))
    status = {
        s.section.code: s for s in services.section_statuses(principal=principal, year=today.year).sections
    }
    assert status["HM-SK-02"].raise_iii  # 海洪大桥, flagged by the bureau
    assert today.month in status["HM-SHK-04"].do_alert_months and status["HM-SHK-04"].raise_iii  # 临海公路桥
    month = services.evaluations(principal=principal, kind="month", on=today)
    assert all(row.samples_found for row in month.sections)  # the station's readings reach today
    # the 每旬 逆序排名 (dekad-2022) of yesterday's 旬 (the demo's air data end yesterday): every town has an
    # air station and a dust-fall jar, so all 14 are ranked; water counts for the provincial sections' towns
    from datetime import timedelta

    from scoring.rankings import selectors as rankings

    dekad = rankings.dekad_ranking(principal=principal, on=today - timedelta(days=1))
    assert len([r for r in dekad.ranking if r.rank]) == 14
    watered = {r.town.name for r in dekad.ranking if r.values["water.cwqi"] is not None}
    assert watered == {"四甲镇", "海门港新区", "悦来镇"}
    assert all(r.values["air.aqi"] is not None for r in dekad.ranking)


def test_demo_shows_overdue_sewage_rectifications_and_a_failing_town(loaded) -> None:  # type: ignore[no-untyped-def]
    """The district's survey was done weeks ago: some of its problems are past their deadlines (the
    65号 dates, or 30 days), so the console's 整改清单 shows overdue ones; several towns miss 80 %."""
    from django.utils import timezone

    from accounts.models import User
    from accounts.selectors import principal_for
    from checklists.models import Inspection, Rectification
    from geo.models import FacilityCondition
    from scoring.sewage.services import rates

    today = timezone.localdate()
    overdue = Rectification.objects.filter(subject_kind="sewage_facility", overdue=True)
    assert overdue.exists()
    assert all(r.deadline < today and r.overdue_since == today for r in overdue)
    open_ = Rectification.objects.filter(subject_kind="sewage_facility", overdue=False, status="open")
    assert all(r.deadline is None or r.deadline >= today for r in open_)
    sewage = Rectification.objects.filter(subject_kind="sewage_facility")
    for r in sewage.select_related("finding__inspection"):
        found = timezone.localdate(r.finding.inspection.submitted_at)
        assert r.created_at.date() <= today and (r.deadline is None or r.deadline > found)
    survey = Inspection.objects.filter(client_uuid__in=FacilityCondition.objects.values("inspection_uuid"))
    assert all(i.reviewed_at >= i.submitted_at for i in survey)
    towns = rates(principal=principal_for(User.objects.get(username="huanjing"))).towns
    failing = [t.town.name for t in towns if any(c.met is False for c in t.targets)]
    assert "常乐镇" in failing and len(failing) < len(towns)


def test_a_demo_facility_point_looks_up_its_town_and_village(loaded) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import ApiClient, make_user

    villages = Region.objects.filter(level__in=[RegionLevel.VILLAGE, RegionLevel.NATURAL_VILLAGE])
    assert not villages.filter(boundary__isnull=True).exists()  # synthetic cells, flagged as such
    assert not villages.exclude(geometry_quality="synthetic").exists()
    api = ApiClient(make_user("planner", Region.objects.get(level=RegionLevel.DISTRICT)))
    located = SewageFacility.objects.filter(location__isnull=False).select_related("village")
    for f in located:
        # as the registry received it (GCJ-02 from a 高德 map, or WGS-84): the facility's own town and village
        body = api.get(
            "/api/v1/geo/regions/at", lon=f.location_raw_lon, lat=f.location_raw_lat, datum=f.location_datum
        ).json()
        assert (body["town"]["id"], body["village"]["id"]) == (f.village.parent_id, f.village_id), f.code
        assert body["town"]["boundary_synthetic"] and body["village"]["boundary_synthetic"]


def test_demo_shows_on_the_map_tiles(loaded, settings) -> None:  # type: ignore[no-untyped-def]
    """Every located demo facility, section, open rectification and photo is in guihua's z10 tiles (as
    single points with the cluster threshold at 10, counted once in grid cells below it)."""
    import math

    from checklists.models import InspectionPhoto, Rectification, RectificationPhoto
    from geo import mvt
    from tests.conftest import ApiClient

    planner = ApiClient(User.objects.get(username="guihua"))
    west, south, east, north = 120.9, 31.6, 121.8, 32.2

    def xy(lon: float, lat: float, z: int = 10) -> tuple[int, int]:
        r = math.radians(lat)
        n = 1 << z
        return int((lon + 180) / 360 * n), int(
            (1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n
        )

    (x0, y0), (x1, y1) = xy(west, north), xy(east, south)
    settings.MAP_CLUSTER_BELOW_ZOOM = 10
    seen: dict[str, set[int]] = {}
    for layer in ("facilities", "sections", "rectifications", "photos", "towns", "rivers"):
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                got = planner.get(f"/api/v1/geo/tiles/{layer}/10/{x}/{y}.pbf")
                assert got.status_code == 200
                seen.setdefault(layer, set()).update(f["id"] for f in mvt.decode(got.content).get(layer, []))
    facilities = set(SewageFacility.objects.filter(location__isnull=False).values_list("pk", flat=True))
    assert facilities and facilities <= seen["facilities"]
    sections = RiverSection.objects.filter(location__isnull=False, is_active=True).values_list(
        "pk", flat=True
    )
    assert set(sections) and set(sections) <= seen["sections"]
    open_rects = set(
        Rectification.objects.exclude(status__in=("closed", "cancelled")).values_list("pk", flat=True)
    )
    assert open_rects and open_rects <= seen["rectifications"]
    photos = {
        p.pk
        for model in (InspectionPhoto, RectificationPhoto)
        for p in model.objects.select_related("photo")
        if p.device_location is not None or p.photo.exif_location is not None
    }
    # inspection and repair photos are numbered apart: the layer's ids are per `kind`
    assert photos and photos <= seen["photos"]
    assert len(seen["towns"]) == 14
    settings.MAP_CLUSTER_BELOW_ZOOM = 12
    counted = 0
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            cells = mvt.decode(planner.get(f"/api/v1/geo/tiles/facilities/10/{x}/{y}.pbf").content)
            counted += sum(f["properties"]["count"] for f in cells.get("facilities", []))
    assert counted == len(facilities)
    from geo.models import RiverLine

    assert seen["rivers"] == set(
        RiverLine.objects.filter(network__is_current=True).values_list("pk", flat=True)
    )


def test_demo_traces_the_key_sections_upstream_along_a_synthetic_network(loaded) -> None:  # type: ignore[no-untyped-def]
    """A synthetic river network (flagged, labelled) through the seven sections: upstream of the key
    sections, facilities and their open problems come out with their distances along the water."""
    from geo.models import RiverNetwork, SiteSnap
    from tests.conftest import ApiClient

    network = RiverNetwork.objects.get(is_current=True)
    assert network.is_synthetic and "演示用合成河网" in network.note and network.line_count > 8
    # one ditch was traced from its mouth (流向 逆向): turned round on import, the only warning
    assert [(i["code"], i["line_id"]) for i in network.issues] == [("line_flipped", "DEMO-R01-T1")]
    assert network.warning_count == 1
    ditch = network.lines.get(line_id="DEMO-R01-T1").geometry
    river = network.lines.get(line_id="DEMO-R01").geometry
    assert ditch.coords[-1] in river.coords and ditch.coords[0] not in river.coords  # flows into the river
    assert all("(演示)" in name for name in network.lines.values_list("river_name", flat=True))  # NFKC
    sections = RiverSection.objects.filter(code__in=[c for c, *_ in demo.SECTIONS])
    snapped = SiteSnap.objects.filter(network=network, site_kind="river_section", line_id__gt="")
    snapped = snapped.exclude(site_id__in=RiverSection.objects.filter(level="tributary").values("pk"))
    assert set(snapped.values_list("site_id", flat=True)) == set(sections.values_list("pk", flat=True))
    huanjing = ApiClient(User.objects.get(username="huanjing"))
    with_facilities = with_problems = with_stations = holding = cleared = station_problems = 0
    for section in sections:
        got = huanjing.get(f"/api/v1/water/sections/{section.pk}/upstream", km=10)
        assert got.status_code == 200, got.content
        body = got.json()
        assert body["network_synthetic"] and body["rivers"][0]["is_section_river"]
        with_facilities += bool(body["facilities"])
        with_problems += bool(body["problems"])
        distances = [f["distance_m"] for f in body["facilities"]]
        assert distances == sorted(distances) and all(0 < d <= 10_000 for d in distances)
        for kind, listed in (("sewage_facility", "facilities"), ("outfall", "outfalls")):
            at = {p["site_id"] for p in body["problems"] if p["site_kind"] == kind}
            assert at <= {f["id"] for f in body[listed]}
        sites = {("sewage_facility", f["id"]) for f in body["facilities"]}
        sites |= {("outfall", o["id"]) for o in body["outfalls"]}
        sites |= {("pump_station", s["id"]) for s in body["pump_stations"]}
        assert {(p["site_kind"], p["site_id"]) for p in body["problems"]} <= sites
        with_stations += bool(body["pump_stations"])
        holding += sum(s["holds_sewage"] for s in body["pump_stations"])
        cleared += sum(s["sewage_cleared_on"] is not None for s in body["pump_stations"])
        station_problems += sum(p["site_kind"] == "pump_station" for p in body["problems"])
    assert with_facilities >= 5 and with_problems >= 3, (with_facilities, with_problems)
    # 排涝泵站 (item 19): on the key sections' rivers, some holding sewage, some cleared (清零), with problems
    assert with_stations >= 5 and holding >= 3 and cleared >= 3 and station_problems >= 1, (
        with_stations, holding, cleared, station_problems,
    )  # fmt: skip
    from geo.models import PumpStation

    assert all(s.is_synthetic and "演示" in s.name for s in PumpStation.objects.all())
    assert PumpStation.objects.filter(changes__action="inspection", holds_sewage=False).exists()
    # the 劣Ⅴ list (item 19): synthetic tributary points upstream, entering and leaving it (清零)
    entered = left = 0
    counts: set[int] = set()
    for section in sections:
        body = huanjing.get(f"/api/v1/water/sections/{section.pk}/inferior-v").json()
        spells = [s for p in body["points"] for s in p["spells"]]
        entered += len(spells)
        left += sum(s["left"] is not None for s in spells)
        counts |= {c["count"] for c in body["count_by_month"]}
    assert entered >= 2 and left >= 2 and len(counts) >= 2, (entered, left, counts)
    tributary = RiverSection.objects.filter(level="tributary")
    assert tributary.exists() and all(
        "演示" in p.name and p.location_quality == "synthetic" for p in tributary
    )
    # re-running the loader keeps the network (no second version)
    call_command("load_demo", "--password", "demo-pass-1", stdout=StringIO())
    assert RiverNetwork.objects.count() == 1


def test_demo_key_sections_have_a_work_plan(loaded) -> None:  # type: ignore[no-untyped-def]
    """Each section has this year's 稳Ⅲ提Ⅲ 工作方案 (65号 item 15): version 1 of the analysis by
    the 生态环境局 (labelled 演示), the months analysed, and upstream tributaries and problems from the
    synthetic network."""
    from scoring.models import WorkPlan
    from tests.conftest import ApiClient

    sections = RiverSection.objects.filter(code__in=[c for c, *_ in demo.SECTIONS])
    plans = WorkPlan.objects.filter(section__in=sections)
    assert plans.count() == sections.count() == 7
    assert all(p.version == 1 and "演示" in p.analysis and p.updated_by.username == "huanjing" for p in plans)
    huanjing = ApiClient(User.objects.get(username="huanjing"))
    with_tributaries = with_problems = 0
    for section in sections:
        got = huanjing.get(f"/api/v1/water/sections/{section.pk}/work-plan")
        assert got.status_code == 200, got.content
        body = got.json()
        assert body["version"] == 1 and body["quality"]["analysis"]["months_evaluated"]
        with_tributaries += bool(body["tributaries"])
        with_problems += bool(body["problems_open"])
    assert with_tributaries >= 5 and with_problems >= 3, (with_tributaries, with_problems)
    call_command("load_demo", "--password", "demo-pass-1", stdout=StringIO())  # no second version
    assert set(WorkPlan.objects.values_list("version", flat=True)) == {1}


def test_demo_outfalls_upstream_of_the_six_key_sections(loaded) -> None:  # type: ignore[no-untyped-def]
    """65号 item 19: synthetic outfalls (flagged) of every type, decision and state beside the rivers of the
    six sections it names, snapped to the network and listed upstream with their distances."""
    from geo.models import Outfall, SiteSnap
    from tests.conftest import ApiClient

    outfalls = Outfall.objects.all()
    assert outfalls.count() >= 15 and not outfalls.filter(is_synthetic=False).exists()
    assert all("演示" in name for name in outfalls.values_list("name", flat=True))
    kinds = {"industrial", "sewage_plant", "agricultural", "other"}
    assert set(outfalls.values_list("kind", flat=True)) == kinds
    assert {"", "ban", "merge", "regulate"} <= set(outfalls.values_list("decision", flat=True))
    assert "compliant" in set(outfalls.values_list("state", flat=True))
    snapped = SiteSnap.objects.filter(site_kind="outfall", line_id__gt="", network__is_current=True)
    assert snapped.count() == outfalls.count()
    huanjing = ApiClient(User.objects.get(username="huanjing"))
    found = {}
    for name in demo.OUTFALL_SECTIONS:  # (a point beyond the district's towns is not drawn)
        section = RiverSection.objects.get(name=name)
        body = huanjing.get(f"/api/v1/water/sections/{section.pk}/upstream", km=10).json()
        found[name] = len(body["outfalls"])
        distances = [o["distance_m"] for o in body["outfalls"]]
        assert distances == sorted(distances) and all(1000 < d < 10_000 for d in distances)
    assert min(found.values()) >= 2 and sum(found.values()) >= 20, found
    # mid-campaign: some inspected (one per river with problems → open rectifications at it), some not
    from checklists.models import Rectification

    coverage = huanjing.get(f"/api/v1/water/sections/{section.pk}/outfall-coverage").json()
    assert 0 < coverage["inspected"] < coverage["total"] and not coverage["complete"]
    body = huanjing.get(f"/api/v1/water/sections/{section.pk}/upstream").json()
    assert any(p["site_kind"] == "outfall" for p in body["problems"])
    assert Rectification.objects.filter(subject_kind="outfall").exclude(status="closed").exists()
    count = outfalls.count()
    call_command("load_demo", "--password", "demo-pass-1", stdout=StringIO())
    assert Outfall.objects.count() == count  # a re-run adds none


def test_notifications_demo_calls_nothing(loaded) -> None:  # type: ignore[no-untyped-def]
    from kernel.notifications.models import Delivery, Endpoint, Event

    endpoint = Endpoint.objects.get()
    assert not endpoint.enabled and endpoint.subscriptions.count() >= 5
    assert endpoint.url_hint == "https://example.invalid/…"  # the URL itself is stored encrypted
    assert Event.objects.filter(event="water.section_below_target").exists()  # the demo's own events
    assert not Delivery.objects.exists()  # disabled: nothing is sent
    call_command("load_demo", "--password", "demo-pass-1", stdout=StringIO())
    assert Endpoint.objects.count() == 1 and endpoint.subscriptions.count() >= 5


def test_demo_issues_an_assessment_bulletin_and_a_sewage_warning(loaded) -> None:  # type: ignore[no-untyped-def]
    import io

    import docx

    from scoring.models import Bulletin, Scoreboard

    final = Scoreboard.objects.get(scheme_key="towns-2022", status="final")
    assert "演示" in final.title and len(final.rows) == 14  # synthetic, and flagged as such
    bulletins = {b.kind: b for b in Bulletin.objects.all()}
    assert set(bulletins) == {"assessment", "sewage_warning"}
    assert all(b.status == "done" for b in bulletins.values()), [b.report for b in bulletins.values()]
    assessment = bulletins["assessment"]
    assert assessment.content["data"]["content_hash"] == final.content_hash
    with assessment.file.open("rb") as fh:
        (table,) = docx.Document(io.BytesIO(fh.read())).tables
    assert [r.cells[1].text for r in table.rows[1:]] == [
        r["unit_name"] for r in assessment.content["data"]["rows"]
    ]
    assert len(bulletins["sewage_warning"].content["data"]["rows"]) == 14


def test_demo_air_and_dust_per_town(loaded) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from geo.models import AirStation, DustFallPoint
    from scoring.air.indicators import town_air_values, town_dust_values
    from scoring.engine.water.periods import period_of
    from scoring.models import AirDay

    towns = Region.objects.filter(level=RegionLevel.TOWN)
    assert AirStation.objects.filter(is_synthetic=True).count() == towns.count() == 14
    assert DustFallPoint.objects.filter(is_synthetic=True).count() == 14
    last = period_of(timezone.localdate() - timedelta(days=11), "dekad")  # a whole 旬 of data
    air = town_air_values(start=last.start, end=last.end)
    dust = town_dust_values(start=last.start, end=last.end)
    assert set(air) == set(dust) == set(towns.values_list("pk", flat=True))
    assert all(v is not None for v in [*air.values(), *dust.values()])
    port = towns.get(name="海门港新区").pk
    assert port in sorted(air, key=lambda t: air[t], reverse=True)[:3]  # the demo's story: the port lags
    assert AirDay.objects.filter(from_hours=True, aqi__isnull=False).count() >= 3  # the hourly path
    assert "空气质量与降尘（合成数据）" in loaded
