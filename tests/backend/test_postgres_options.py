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


@pytest.mark.django_db
def test_statements_sent_on_every_request_are_prepared_and_bulk_inserts_still_bind_on_the_client() -> None:
    """``kernel.queries.hot_cursor`` binds on the server, so that its statements are prepared on the
    connection after ``prepare_threshold`` runs; Django's own cursors bind on the client (never prepared),
    so a bulk insert of more than 65,535 values — which the server refuses to bind — still goes through."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    from geo.models import Region
    from kernel.queries import CompiledOnce

    region = Region.objects.create(level="district", name="测试区", path="/t/")
    read = CompiledOnce(lambda pk: Region.objects.filter(pk=pk).values_list("name"), integer=True)
    for _ in range(8):
        assert read.rows(region.pk) == [("测试区",)]
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%geo_region%"])
        assert cur.fetchone()[0] >= 1  # prepared on this connection, planned once
        cur.execute("SELECT count(*) FROM pg_prepared_statements")
        before = cur.fetchone()[0]
        for _ in range(8):
            cur.execute("SELECT name FROM geo_region WHERE id = %s", [region.pk])
        cur.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cur.fetchone()[0] == before  # Django's cursor: client-side, never prepared
    children = [Region(level="town", name=f"镇{n}", parent=region, path=f"/t/{n}/") for n in range(9_000)]
    Region.objects.bulk_create(children)  # 9,000 rows × the fields: over 65,535 values in one statement
    assert Region.objects.filter(parent=region).count() == 9_000
