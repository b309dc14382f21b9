"""Hostile inputs answer 4xx with the error shape, never 500 (issue 13, "Server errors")."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.checklists.conftest import png_bytes
from tests.conftest import ApiClient, assert_error, make_user

UPLOADS = [
    ("/api/v1/inspections/{uuid}/photos", "inspector"),
    ("/api/v1/rectifications/1/photos", "inspector"),
    ("/api/v1/appeals/1/photos", "town_officer"),
    ("/api/v1/geo/facilities/import", "district_office"),
    ("/api/v1/water/imports", "environment_bureau"),
]


def _client(world, role):  # type: ignore[no-untyped-def]
    region = world.town_a if role in ("inspector", "town_officer") else world.district
    return ApiClient(make_user(role, region))


@pytest.mark.parametrize(("path", "role"), UPLOADS)
def test_multipart_without_boundary(world, path, role) -> None:  # type: ignore[no-untyped-def]
    c = _client(world, role)
    r = c.client.post(
        path.format(uuid=uuid.uuid4()),
        b"--x\r\n",
        content_type="multipart/form-data",
        headers=c._headers(None),
    )
    assert_error(r, 400, "invalid_multipart")


def _multipart(filename: str, content: bytes, fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = "fuzzboundary"
    parts = []
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(("path", "role"), UPLOADS)
@pytest.mark.parametrize(
    "name",
    ["a" * 3000 + ".png", "c." + "d" * 3000, "照" * 300 + ".png", "e." + "照" * 300, "台账" * 120 + ".csv"],
)
def test_a_very_long_filename(world, path, role, name) -> None:  # type: ignore[no-untyped-def]
    c = _client(world, role)
    body, ctype = _multipart(name, png_bytes(), {"photo_uuid": str(uuid.uuid4())})
    r = c.client.post(path.format(uuid=uuid.uuid4()), body, content_type=ctype, headers=c._headers(None))
    assert r.status_code < 500, r.content


# --- PATCH: null or false never reaches a NOT NULL column -------------------------------------------


@pytest.mark.parametrize(
    ("target", "body", "field"),
    [
        ("facility", {"capacity_tpd": None}, "capacity_tpd"),
        ("facility", {"operator": None}, "operator"),
        ("facility", {"name": None}, "name"),
        ("facility", {"process": None}, "process"),
        ("facility", {"meter_number": None}, "meter_number"),
        ("facility", {"status": None}, "status"),
        ("facility", {"capacity_tpd": False}, "capacity_tpd"),
        ("region", {"code_source": None}, "code_source"),
        ("region", {"name": None}, "name"),
        ("natural", {"households": False}, "households"),
        ("natural", {"households": True}, "households"),
        ("region", {"households": False}, "households"),
    ],
)
def test_patch_refuses_null_and_booleans(world, target, body, field) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district))
    path = {
        "facility": f"/api/v1/geo/facilities/{world.facility_a.pk}",
        "region": f"/api/v1/geo/regions/{world.village_a.pk}",
        "natural": f"/api/v1/geo/regions/{world.natural_a.pk}",
    }[target]
    err = assert_error(office.patch(path, body), 422, "validation_error")
    assert field in err["details"]["fields"], err


def test_patch_still_clears_what_may_be_empty(world) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district))
    facility = f"/api/v1/geo/facilities/{world.facility_a.pk}"
    r = office.patch(facility, {"commissioned_on": None, "location": None, "operator": "某运维公司"})
    assert r.status_code == 200, r.content
    assert r.json()["operator"] == "某运维公司" and r.json()["location"] is None
    r = office.patch(f"/api/v1/geo/regions/{world.natural_a.pk}", {"households": None})
    assert r.status_code == 200 and r.json()["households"] is None, r.content
    err = assert_error(office.patch(f"/api/v1/geo/regions/{world.natural_a.pk}", {"households": 10**12}), 422)
    assert "households" in err["details"]["fields"]


# --- integers beyond 64 bits ---------------------------------------------------------------------------

HUGE = [str(2**63), str(-(2**63) - 1), "9" * 40, "-" + "9" * 40]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/geo/facilities?village_id={v}",
        "/api/v1/geo/facilities?town_id={v}",
        "/api/v1/geo/regions?page={v}",
        "/api/v1/geo/regions?parent_id={v}",
        "/api/v1/accounts/users?page={v}",
        "/api/v1/accounts/users?region_id={v}",
        "/api/v1/inspections?town_id={v}",
        "/api/v1/inspections?period={v}",
        "/api/v1/inspections?page={v}",
        "/api/v1/rectifications?town_id={v}",
        "/api/v1/geo/sections?town_id={v}",
        "/api/v1/geo/sections.geojson?town_id={v}",
        "/api/v1/water/measurements?section_id={v}",
        "/api/v1/geo/regions/{v}",
        "/api/v1/geo/facilities/{v}",
        "/api/v1/accounts/users/{v}",
        "/api/v1/sewage/rates/towns/{v}",
        "/api/v1/spot-checks/{v}",
        "/api/v1/scoreboards/towns-2022/towns/{v}",
        "/api/v1/auth/devices?user_id={v}",
    ],
)
def test_integers_beyond_64_bits(world, url, value) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district))
    err = assert_error(office.get(url.format(v=value)), 422, "validation_error")
    assert err["details"]["fields"], err


# --- NUL bytes and lone surrogates in any text ----------------------------------------------------------


def _raw(client: ApiClient, method: str, path: str, body: bytes):  # type: ignore[no-untyped-def]
    return getattr(client.client, method)(
        path, body, content_type="application/json", headers=client._headers(None)
    )


@pytest.mark.parametrize("text", ["\\u0000", "a\\u0000b", "\\udfff", "x\\ud800y"])
def test_bad_characters_in_json_bodies(world, text) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district))
    cases = [
        ("patch", f"/api/v1/geo/facilities/{world.facility_a.pk}", f'{{"operator": "{text}"}}', "operator"),
        ("patch", f"/api/v1/geo/regions/{world.village_a.pk}", f'{{"name": "{text}"}}', "name"),
        ("post", "/api/v1/water/evaluate", f'{{"values": {{"{text}": 1}}}}', "values"),
        ("post", "/api/v1/accounts/users", f'{{"username": "u{text}", "password": "x"}}', "username"),
    ]
    for method, path, body, field in cases:
        err = assert_error(_raw(office, method, path, body.encode()), 422, "validation_error")
        assert any(k.startswith(field) for k in err["details"]["fields"]), (path, err)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/geo/regions?q=%00",
        "/api/v1/geo/facilities?status=%00",
        "/api/v1/inspections?status=a%00",
        "/api/v1/rectifications?status=%00",
        "/api/v1/audit/events?action=%00",
        "/api/v1/accounts/users?q=%00",
        "/api/v1/water/measurements?indicator=%00",
        "/api/v1/scoreboards/%00",
        "/api/v1/scoreboards/%00/appeals",
        "/api/v1/photos/%00",
        "/api/v1/geo/sections?level=%00",
    ],
)
def test_nul_in_query_and_path(world, url) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district))
    r = office.get(url)
    assert 400 <= r.status_code < 500, r.content
    assert_error(r, r.status_code)


# --- schemes ----------------------------------------------------------------------------------------------


def _put_tasks(office: ApiClient, key: str, town_id: int):  # type: ignore[no-untyped-def]
    return office.client.put(
        f"/api/v1/scoreboards/{key}/towns/{town_id}/tasks",
        json.dumps({"completed": True, "note": ""}),
        content_type="application/json",
        headers=office._headers(None),
    )


def test_an_unknown_scheme_is_404(world) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district))
    assert_error(_put_tasks(office, "no-such-scheme", world.town_a.pk), 404, "scheme_not_found")
    assert_error(_put_tasks(office, "0", world.town_a.pk), 404, "scheme_not_found")
    # not a key at all (a path, too long): refused by the path's pattern
    assert_error(_put_tasks(office, "..", world.town_a.pk), 422, "validation_error")
    assert_error(_put_tasks(office, "x" * 300, world.town_a.pk), 422, "validation_error")


@pytest.mark.parametrize(
    "content",
    [
        "key: towns-2031\nyear: 2031\n",  # no components
        "key: [unclosed\n",  # not YAML
        "- a list\n",  # not a mapping
        "\udcff",  # not UTF-8 (written as bytes below)
    ],
)
def test_a_broken_office_scheme_file_is_409_and_blocks_nothing_else(
    world, settings, tmp_path, content
) -> None:  # type: ignore[no-untyped-def]
    from checklists.services.templates import templates_sync

    settings.VAR_DIR = tmp_path
    (tmp_path / "schemes").mkdir()
    (tmp_path / "schemes" / "towns-2031.yaml").write_bytes(content.encode("utf-8", "surrogateescape"))
    templates_sync()
    office = ApiClient(make_user("district_office", world.district))
    err = assert_error(_put_tasks(office, "towns-2031", world.town_a.pk), 409, "scheme_invalid")
    assert err["details"]["scheme_key"] == "towns-2031" and "towns-2031.yaml" in err["details"]["error"]
    listed = {e["scheme_key"]: e for e in office.get("/api/v1/scoreboards").json()}
    assert listed["towns-2031"]["error"] and listed["towns-2022"]["error"] == ""
    # the phones go on recording 2022's assessments
    phone = ApiClient(make_user("inspector", world.town_a))
    r = phone.client.put(
        f"/api/v1/inspections/{uuid.uuid4()}",
        json.dumps(
            {
                "template_key": "safety-town",
                "template_version": 1,
                "purpose": "annual",
                "period": 2022,
                "subject": {"kind": "town", "id": world.town_a.pk},
                "answers": {},
            }
        ),
        content_type="application/json",
        headers=phone._headers(None),
    )
    assert r.status_code == 201, r.content


# --- dates at the edge ------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/water/evaluations?on={d}",
        "/api/v1/water/evaluations?on={d}&period=year",
        "/api/v1/water/evaluations?on={d}&period=dekad",
        "/api/v1/water/towns?on={d}",
        "/api/v1/water/rankings/dekad?on={d}",
        "/api/v1/water/measurements?start={d}",
        "/api/v1/water/measurements?end={d}",
        "/api/v1/sewage/rates?on={d}",
        "/api/v1/catalogue?since={d}T00:00:00%2B08:00",
        "/api/v1/geo/regions?since={d}T00:00:00-12:00",
        "/api/v1/geo/regions?since={d}T23:59:59%2B14:00",
    ],
)
def test_dates_at_the_edge(world, url, day) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("environment_bureau", world.district))
    r = office.get(url.format(d=day))
    assert r.status_code in (200, 422), r.content
    if r.status_code == 422:
        assert_error(r, 422, "validation_error")


@pytest.mark.parametrize(("path", "role"), UPLOADS)
def test_bad_characters_in_form_fields_and_file_names(world, path, role) -> None:  # type: ignore[no-untyped-def]
    c = _client(world, role)
    # Django's multipart parser already drops NUL from a file name: nothing to refuse, nothing breaks
    body, ctype = _multipart("a\x00.csv", png_bytes(), {"photo_uuid": str(uuid.uuid4())})
    r = c.client.post(path.format(uuid=uuid.uuid4()), body, content_type=ctype, headers=c._headers(None))
    assert r.status_code < 500, r.content
    # a form field with NUL is refused before the handler runs, naming the field (the appeal photo takes
    # no form fields and reads none)
    fields = {"photo_uuid": str(uuid.uuid4()), "item_key": "k\x00", "source": "a\x00"}
    body, ctype = _multipart("a.csv", png_bytes(), fields)
    r = c.client.post(path.format(uuid=uuid.uuid4()), body, content_type=ctype, headers=c._headers(None))
    if "appeals" in path:
        assert r.status_code == 404, r.content
        return
    err = assert_error(r, 422, "validation_error")
    assert set(err["details"]["fields"]) == {"item_key", "source"}, err


@pytest.mark.parametrize(
    ("path", "role", "content"),
    [
        (
            "/api/v1/geo/facilities/import",
            "district_office",
            "区镇,行政村,设施编码,设施名称\n常乐镇,甲\x00村,WS-N,站\x00\n",
        ),
        (
            "/api/v1/water/imports",
            "environment_bureau",
            "断面名称,监测时间,pH\n甲\x00桥,2022-09-01 08:00,7\x00.5\n",
        ),
    ],
)
def test_nul_inside_an_imported_file(world, path, role, content) -> None:  # type: ignore[no-untyped-def]
    c = _client(world, role)
    body, ctype = _multipart("t.csv", content.encode("utf-8"), {"dry_run": "false"})
    r = c.client.post(path, body, content_type=ctype, headers=c._headers(None))
    assert r.status_code < 500, r.content


# --- numbers and times in imported files beyond what the columns hold ----------------------------------


@pytest.mark.parametrize("big", ["99999999999999999999", "3000000000", "1e30"])
def test_ledger_numbers_beyond_the_columns_are_row_errors(world, big) -> None:  # type: ignore[no-untyped-def]
    office = _client(world, "district_office")
    whole = str(int(float(big)))  # 一组(n) takes digits only
    text = (
        "区镇,行政村,自然村,设施编码,设施名称,设计处理能力（吨/日）,服务户数,运维经费（万元/年）\n"
        f"常乐镇,甲村,一组,WS-L1,甲村一号站,{big},{big},{big}\n"
        f"常乐镇,甲村,一组({whole}),WS-L2,甲村二号站,10,,\n"
    )
    body, ctype = _multipart("t.csv", text.encode("utf-8"), {"dry_run": "false"})
    r = office.client.post(
        "/api/v1/geo/facilities/import", body, content_type=ctype, headers=office._headers(None)
    )
    assert r.status_code == 200, r.content
    errors = {(e["row"], e["column"], e["code"]) for e in r.json()["report"]["errors"]}
    assert errors == {
        (2, "设计处理能力（吨/日）", "value_too_large"),
        (2, "服务户数", "value_too_large"),
        (2, "运维经费（万元/年）", "value_too_large"),
        (3, "自然村", "value_too_large"),
    }, errors


def test_water_sampling_times_at_the_edge_are_row_errors(world) -> None:  # type: ignore[no-untyped-def]
    bureau = _client(world, "environment_bureau")
    rows = [
        "断面名称,监测时间,pH",
        "甲桥,9999-12-31 23:00,7.1",
        "甲桥,0001-01-01 00:00,7.2",
        "甲桥,2022-09-01 08:00,7.3",
    ]
    text = "\n".join(rows) + "\n"
    body, ctype = _multipart("w.csv", text.encode("utf-8"), {"dry_run": "false"})
    r = bureau.client.post("/api/v1/water/imports", body, content_type=ctype, headers=bureau._headers(None))
    assert r.status_code == 200, r.content
    errors = {(e["row"], e["code"]) for e in r.json()["report"]["errors"]}
    assert errors == {(2, "invalid_time"), (3, "invalid_time")}, errors
