import pytest

pytestmark = pytest.mark.django_db


def test_the_shell_is_served_under_m_with_a_strict_csp(client):
    response = client.get("/m/")
    assert response.status_code == 200
    assert "外业检查" in response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
