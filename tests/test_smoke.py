"""Through the full URL stack: docs, schema, admin, one authenticated round trip."""

from django.test import Client


def test_openapi_docs_and_every_field_is_described(db) -> None:  # type: ignore[no-untyped-def]
    assert Client().get("/api/v1/docs").status_code == 200
    schema = Client().get("/api/v1/openapi.json").json()
    for path in ["/api/v1/auth/token", "/api/v1/me", "/api/v1/geo/facilities", "/api/v1/audit/events"]:
        assert path in schema["paths"], path
    # ninja's own pagination wrappers ("Paged…", the cursor "Input") are the library's, not ours.
    ours = {
        n: c for n, c in schema["components"]["schemas"].items() if not n.startswith("Paged") and n != "Input"
    }
    undocumented = [
        f"{name}.{field}"
        for name, component in ours.items()
        for field, spec in component.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert undocumented == []


def test_admin_login_page(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/admin/login/")
    assert response.status_code == 200 and "fieldscore" in response.content.decode()


def test_login_then_read_through_the_stack(world) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import make_user

    user = make_user("district_office", world.district)
    client = Client()
    token = client.post(
        "/api/v1/auth/token",
        {"username": user.username, "password": "pass-word-123", "device_id": "smoke"},
        content_type="application/json",
    ).json()["token"]
    response = client.get("/api/v1/geo/sections", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json()["count"] == 3
    assert response["Content-Type"].startswith("application/json")
