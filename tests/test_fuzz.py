"""Schema fuzz of the whole API (issue 13): every operation of the ninja OpenAPI document gets a few
generated requests — schemathesis' examples, its boundary cases (coverage phase) and random valid and
invalid inputs — sent through the full WSGI stack as the demo's district office (``anweiban``) over a
small demo-like world. A test fails on any 5xx and on any error response that is not the error shape
(``{"code", "message", "details"}``). Seeded and derandomized: every run sends the same requests, on
SpatiaLite and on PostGIS alike; the world is built once and every operation's writes are rolled back.

Path and query ids are steered towards objects that exist most of the time (random ids only reach the
404 branch), so the requests get past the lookups into the services.
"""

from __future__ import annotations

import collections
import json
import time
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from backend.api import api
from geo import demo as geo_demo  # shapely first: loaded after Django's GEOS, it mis-sizes WKT output

# What the fuzz sent and got, for the summary line at the end of the module.
STATS: collections.Counter[str] = collections.Counter()
SEEN: set[str] = set()
# Path and query parameters → ids of objects of the demo-like world (filled by the fixture).
KNOWN: dict[str, list[Any]] = {}


@schemathesis.check
def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx answer is ``{"code": str, "message": non-empty str, "details": object}``."""
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(
            f"{response.status_code} without a JSON body: {response.content[:200]!r}"
        ) from exc
    assert isinstance(body, dict) and set(body) == {"code", "message", "details"}, body
    assert isinstance(body["code"], str) and body["code"], body
    assert isinstance(body["message"], str) and body["message"], body
    assert isinstance(body["details"], dict), body
    return None


def _demo_like_world() -> dict[str, Any]:
    """The Haimen demo (regions, sections, facilities, accounts, inspections with photos, findings,
    rectifications, the assessment under notice with an upheld appeal and its correction, a spot check)
    and six weeks of one automatic-station series instead of two years of water data."""
    from django.utils import timezone

    from accounts.demo import load_demo_users
    from accounts.models import RoleGrant, User
    from accounts.selectors import principal_for
    from accounts.services import _token_create
    from checklists import demo as checklists_demo
    from checklists.models import Inspection, Rectification, SpotCheck
    from geo.models import Region, RiverSection, SewageFacility
    from media.models import Photo
    from scoring.assessment.services import assessment_recompute, scoreboard_notice
    from scoring.models import Appeal, MeasurementImport
    from scoring.water import demo as water_demo
    from scoring.water import services as water_services

    towns = geo_demo.load_regions()
    geo_demo.load_sections(towns)
    geo_demo.load_facilities(towns)
    geo_demo.load_services()
    district = Region.objects.get(level="district", name=geo_demo.DISTRICT["name"])
    load_demo_users(password="fuzz-demo-pass-1", district=district, towns=towns)
    names = ["jiancha1", "changle", "anweiban", "huanjing", "admin"]
    principals = {u.username: principal_for(u) for u in User.objects.filter(username__in=names)}
    checklists_demo.load(principals=principals, towns=towns)
    checklists_demo.load_survey(principals=principals)
    scheme_key = checklists_demo.load_assessment(principals=principals, towns=towns)
    assessment_recompute(scheme_key=scheme_key)
    scoreboard_notice(principal=principals["anweiban"], scheme_key=scheme_key)
    checklists_demo.load_correction(principals=principals, towns=towns, scheme_key=scheme_key)
    sections = list(RiverSection.objects.order_by("code"))
    last = timezone.localdate() - timedelta(days=1)
    series = water_demo.automatic_csv(sections, last - timedelta(days=42), last, 24)
    water_services.measurement_import_create(
        principal=principals["huanjing"], data=series,
        filename="自动站（模糊测试）.csv", source="automatic", dry_run=False, on_duplicate="reject",
        valid_rows_only=False,
    )  # fmt: skip

    office = User.objects.get(username="anweiban")
    token, _ = _token_create(user=office, device_id="fuzz", device_name="模糊测试")
    region_ids = list(Region.objects.filter(level__in=["town", "village"]).values_list("pk", flat=True))
    users = list(User.objects.exclude(pk=office.pk).values_list("pk", flat=True))
    KNOWN.clear()
    KNOWN.update(
        {
            "region_id": region_ids,
            "town_id": [t.pk for t in towns.values()],
            "village_id": list(Region.objects.filter(level="village").values_list("pk", flat=True)),
            "parent_id": [t.pk for t in towns.values()],
            "facility_id": list(SewageFacility.objects.values_list("pk", flat=True)),
            "section_id": [s.pk for s in sections],
            "client_uuid": [str(u) for u in Inspection.objects.values_list("client_uuid", flat=True)],
            "rectification_id": list(Rectification.objects.values_list("pk", flat=True)),
            "appeal_id": list(Appeal.objects.values_list("pk", flat=True)),
            "spot_check_id": list(SpotCheck.objects.values_list("pk", flat=True)),
            "user_id": users,
            "grant_id": list(RoleGrant.objects.filter(user_id__in=users).values_list("pk", flat=True)),
            "import_id": [str(u) for u in MeasurementImport.objects.values_list("uuid", flat=True)],
            "sha256": list(Photo.objects.values_list("sha256", flat=True)),
            "scheme_key": [scheme_key, "departments-2022", "enterprises-2022"],
            "award_key": ["advanced", "excellent"],
        }
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(autouse=True)
def _own_media_root() -> None:
    """The world's photos live in the module's media folder (see ``fuzz_headers``), not in one per test."""


@pytest.fixture(scope="module")
def fuzz_headers(request, django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("fuzz-media"))
    with media, django_db_blocker.unblock(), transaction.atomic():
        headers = _demo_like_world()
        # Requests go through Django's real WSGI handler, which closes the connection when a request
        # finishes: that would end the test transaction, so not here.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            yield headers
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
            transaction.set_rollback(True)
    # The figures, on the terminal of every run (pytest captures what a fixture prints).
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(STATS.items()) if k.startswith("status"))
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nschema fuzz: {len(SEEN)} operations, {STATS['requests']} requests ({statuses}), "
                f"{STATS['server_errors']} server errors, "
                f"{time.monotonic() - started:.0f} s"
            )


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 13,
        "generation": {"max-examples": 12, "deterministic": True, "database": "none"},
        # Methods an operation does not declare answer 405 from ninja before any of our code runs.
        "phases": {"stateful": {"enabled": False}, "coverage": {"unexpected-methods": []}},
    }
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"), config=CONFIG)
schema.app = WSGIHandler()


def _steer(name: str, value: Any) -> Any:
    """Three times in four, a generated id becomes one that exists (chosen by the generated value, so
    the run stays reproducible); otherwise the random value goes through."""
    known = KNOWN.get(name)
    if not known:
        return value
    if isinstance(value, bool) or not isinstance(value, int | str):
        return value
    n = value if isinstance(value, int) else len(value)
    return value if n % 4 == 0 else known[n % len(known)]


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
    return path_parameters and {k: _steer(k, v) for k, v in path_parameters.items()}


@schema.hook
def map_query(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    return query and {k: _steer(k, v) for k, v in query.items()}


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_no_server_error_and_the_error_shape(case: Any, fuzz_headers: dict[str, str], db: Any) -> None:
    response = case.call(headers=fuzz_headers)
    SEEN.add(case.operation.label)
    STATS["requests"] += 1
    STATS[f"status {response.status_code // 100}xx"] += 1
    if response.status_code >= 500:
        STATS["server_errors"] += 1
    case.validate_response(response, checks=[not_a_server_error, error_shape])
