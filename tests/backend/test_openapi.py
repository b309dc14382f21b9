"""The OpenAPI document that phone and console clients are generated from describes every JSON answer.

Every 2xx response of every operation whose content is `application/json` must carry a schema that
says something (not an empty or "any" object); binary downloads (xlsx, csv) name their own content type.
"""

from __future__ import annotations

from typing import Any

import pytest

from backend.api import api
from geo import demo as _demo  # noqa: F401 - shapely loads its own GEOS before Django's does (as in test_demo)

pytestmark = pytest.mark.django_db


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def _is_described(doc: dict[str, Any], schema: dict[str, Any] | None) -> bool:
    if not schema:
        return False
    schema = _resolve(doc, schema)
    if "anyOf" in schema or "oneOf" in schema or "allOf" in schema:
        parts = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
        return all(_is_described(doc, p) for p in parts if _resolve(doc, p).get("type") != "null")
    kind = schema.get("type")
    if kind == "array":
        return _is_described(doc, schema.get("items"))
    if kind == "object" or kind is None:
        # An object is described when it names its properties; a bare {"type": "object"} or
        # {"additionalProperties": true} is "anything".
        return bool(schema.get("properties"))
    return True  # string, integer, number, boolean


def _offenders() -> list[str]:
    doc = api.get_openapi_schema(path_prefix="/api/v1")
    found = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                if not str(status).startswith("2"):
                    continue
                content = response.get("content")
                if content is None:
                    if str(status) != "204":
                        found.append(f"{method.upper()} {path} {status}: no content declared")
                    continue
                json = content.get("application/json")
                if json is not None and not _is_described(doc, json.get("schema")):
                    found.append(f"{method.upper()} {path} {status}: application/json without a schema")
    return found


def test_every_json_success_response_has_a_schema() -> None:
    offenders = _offenders()
    assert not offenders, f"{len(offenders)} responses without a schema:\n" + "\n".join(offenders)


# --- the declared schemas change no byte ------------------------------------------------------------------
# The routes that used to answer a bare dict now declare a schema. Against the Haimen demo data (every
# component present: water months, sewage facilities, a scoreboard with inspections and deductions), each
# answer is byte for byte what the service's result rendered directly would be: same keys, same order, same
# value formats (Decimals as plain text, datetimes in Asia/Shanghai, floats as floats).


@pytest.fixture
def demo(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", "--password", "demo-pass-1", stdout=StringIO())


def _rendered(result: Any) -> bytes:
    """What the service's result was rendered as before it had a schema: a dict as is; a frozen row as
    the dict of its fields (``class_`` published as ``class``; ``district`` left out when absent, as
    /sewage/rates always did)."""
    import dataclasses
    import json

    from kernel.kit import Renderer

    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        result = dataclasses.asdict(
            result, dict_factory=lambda items: {("class" if k == "class_" else k): v for k, v in items}
        )
        if "district" in result and result["district"] is None:
            del result["district"]
    return json.dumps(result, cls=Renderer.encoder_class, **Renderer.json_dumps_params).encode()


def test_declared_schemas_keep_every_answer_byte_for_byte(demo) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from django.utils import timezone

    from accounts.selectors import principal_for
    from geo.models import Region, RegionLevel
    from scoring.assessment.scorecards import scorecard
    from scoring.models import Measurement, Scoreboard
    from scoring.sewage import services as sewage_services
    from scoring.water import services as water_services
    from tests.conftest import ApiClient, make_user
    from tests.factories import UserFactory

    user = UserFactory(is_superuser=True)
    client, principal = ApiClient(user), principal_for(user)
    on = timezone.localdate(Measurement.objects.latest("sampled_at").sampled_at)
    town = Region.objects.filter(level=RegionLevel.TOWN).order_by("name").first()
    board = Scoreboard.objects.order_by("-computed_at").first()
    assert town is not None and board is not None
    unit = board.rows[0]["region_id"]
    cases = {
        f"/api/v1/water/evaluations?on={on}": lambda: water_services.evaluations(
            principal=principal, kind="month", on=on
        ),
        f"/api/v1/water/evaluations?on={on}&period=dekad": lambda: water_services.evaluations(
            principal=principal, kind="dekad", on=on
        ),
        f"/api/v1/water/status?year={on.year}": lambda: water_services.section_statuses(
            principal=principal, year=on.year
        ),
        f"/api/v1/water/towns?on={on}": lambda: water_services.town_indicators(
            principal=principal, kind="month", on=on
        ),
        f"/api/v1/water/rankings/dekad?on={on}": lambda: water_services.dekad_ranking(
            principal=principal, on=on
        ),
        # A dekad without data: every town is listed, unranked (rank null), none is a 500.
        "/api/v1/water/rankings/dekad?on=2001-01-05": lambda: water_services.dekad_ranking(
            principal=principal, on=date(2001, 1, 5)
        ),
        "/api/v1/sewage/rates": lambda: sewage_services.rates(principal=principal),
        f"/api/v1/sewage/rates/towns/{town.pk}": lambda: sewage_services.town_detail(
            principal=principal, town_id=town.pk
        ),
        f"/api/v1/scoreboards/{board.scheme_key}/towns/{unit}": lambda: scorecard(
            principal=principal, scheme_key=board.scheme_key, region_id=unit
        ),
        f"/api/v1/scoreboards/{board.scheme_key}/units/{unit}": lambda: scorecard(
            principal=principal, scheme_key=board.scheme_key, region_id=unit
        ),
    }
    answers = {}
    for url, service in cases.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        assert response.content == _rendered(service()), url
        answers.setdefault(url.split("?")[0], response.json())
    # The data reach every nested object the schemas describe.
    assert any(s["monthly"] and s["responsible_towns"] for s in answers["/api/v1/water/status"]["sections"])
    assert any(s["evaluation"] for s in answers["/api/v1/water/evaluations"]["sections"])
    assert answers["/api/v1/sewage/rates"]["district"]["targets"]
    unranked = client.get("/api/v1/water/rankings/dekad?on=2001-01-05").json()["ranking"]
    assert unranked and all(r["rank"] is None and r["cwqi"] is None for r in unranked)
    assert any(v["natural_villages"] for v in answers[f"/api/v1/sewage/rates/towns/{town.pk}"]["villages"])
    card = answers[f"/api/v1/scoreboards/{board.scheme_key}/towns/{unit}"]
    assert any(i["deductions"] and i["sections"] for c in card["components"] for i in c["inspections"])

    # A town officer's answers leave out what only the district sees ("district" is absent, not null).
    officer = make_user("town_officer", Region.objects.get(pk=board.rows[0]["region_id"]))
    client, principal = ApiClient(officer), principal_for(officer)
    response = client.get("/api/v1/sewage/rates")
    assert "district" not in response.json()
    assert response.content == _rendered(sewage_services.rates(principal=principal))
    response = client.get(f"/api/v1/scoreboards/{board.scheme_key}/towns/{unit}")
    assert response.status_code == 200, response.content
    assert response.content == _rendered(
        scorecard(principal=principal, scheme_key=board.scheme_key, region_id=unit)
    )
