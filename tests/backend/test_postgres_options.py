"""PostgreSQL connections run without JIT: it compiled a 100,000-facility map tile's query for 1.1 s to
execute it in 0.2 s (see backend/settings.py)."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgres_connections_have_jit_off() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cur:
        cur.execute("SHOW jit")
        assert cur.fetchone() == ("off",)
