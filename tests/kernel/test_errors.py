"""The one error shape: bad JSON, wrong types, unknown fields, not found, unexpected errors."""

import pytest

from tests.conftest import assert_error


@pytest.fixture
def officer(world, api_as):  # type: ignore[no-untyped-def]
    return api_as("town_officer", world.town_a)


def test_bad_json_is_400_invalid_json(world, officer) -> None:  # type: ignore[no-untyped-def]
    response = officer.patch(f"/api/v1/geo/facilities/{world.facility_a.pk}", '{"operator": ', raw=True)
    assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"capacity_tpd": "many"}, "capacity_tpd"),
        ({"capacity_tpd": -5}, "capacity_tpd"),
        ({"status": "exploded"}, "status"),
        ({"commissioned_on": "yesterday"}, "commissioned_on"),
        ({"location": {"lon": 200, "lat": 31}}, "location.lon"),
        ({"location": {"lon": 121, "lat": 31, "datum": "mars"}}, "location.datum"),
        ({"location": {"lon": 121, "lat": 31, "height": 3}}, "location.height"),
        ({"operatr": "typo"}, "operatr"),
        ({}, "body"),
    ],
)
def test_validation_errors_are_422_with_the_field(world, officer, body, field) -> None:  # type: ignore[no-untyped-def]
    payload = assert_error(
        officer.patch(f"/api/v1/geo/facilities/{world.facility_a.pk}", body), 422, "validation_error"
    )
    assert field in payload["details"]["fields"], payload
    assert all(isinstance(m, str) and m for ms in payload["details"]["fields"].values() for m in ms)


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "42", "null"])
def test_non_object_json_body_is_422(world, officer, body) -> None:  # type: ignore[no-untyped-def]
    assert_error(officer.patch(f"/api/v1/geo/facilities/{world.facility_a.pk}", body, raw=True), 422)


def test_wrong_path_and_query_types_are_422(world, officer) -> None:  # type: ignore[no-untyped-def]
    assert_error(officer.get("/api/v1/geo/facilities/abc"), 422, "validation_error")
    body = assert_error(officer.get("/api/v1/geo/facilities", town_id="x"), 422)
    assert "town_id" in body["details"]["fields"]


def test_unknown_object_is_404_in_shape(world, officer) -> None:  # type: ignore[no-untyped-def]
    body = assert_error(officer.get("/api/v1/geo/facilities/987654"), 404, "not_found")
    assert body["details"] == {"facility_id": 987654}


def test_unexpected_exception_is_500_in_shape_without_internals(world, officer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from geo import selectors

    def boom(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "facility_list", boom)
    response = officer.get("/api/v1/geo/facilities")
    body = assert_error(response, 500, "internal_error")
    assert "secret" not in response.content.decode()
    assert body["details"] == {}


def test_oversized_body_is_refused_in_shape(world, officer, settings) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = officer.patch(f"/api/v1/geo/facilities/{world.facility_a.pk}", {"operator": "x" * 5000})
    assert_error(response, 413, "payload_too_large")
