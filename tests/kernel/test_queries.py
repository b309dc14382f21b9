"""``AnyOf``: membership in a list sent as one parameter, the same rows as ``__in`` on both databases."""

from __future__ import annotations

import pytest
from django.db.models import F

from geo.models import Region, RiverSection
from kernel.queries import AnyOf

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds_with_one_parameter(world) -> None:  # type: ignore[no-untyped-def]
    regions = list(Region.objects.order_by("pk"))
    tricky = 'it\'s "quoted", a back\\slash {and braces} 甲'
    Region.objects.filter(pk=regions[1].pk).update(name=tricky)  # array-literal syntax must not leak
    ids = [r.pk for r in regions[::2]] + [10**12]  # one that does not exist
    names = [r.name for r in regions[3::2]] + ["没有这个名字", tricky]
    by_id = sorted(Region.objects.filter(AnyOf(F("pk"), ids)).values_list("pk", flat=True))
    assert by_id == sorted(Region.objects.filter(pk__in=ids).values_list("pk", flat=True)) != []
    by_name = sorted(Region.objects.filter(AnyOf(F("name"), names)).values_list("pk", flat=True))
    assert by_name == sorted(Region.objects.filter(name__in=names).values_list("pk", flat=True))
    assert regions[1].pk in by_name
    assert not Region.objects.filter(AnyOf(F("pk"), [])).exists()
    assert not Region.objects.filter(AnyOf(F("name"), [])).exists()
    assert list(Region.objects.filter(AnyOf(F("parent__pk"), {world.district.pk}))) == list(
        Region.objects.filter(parent=world.district)
    )
    # values of another type go through the field's own preparation
    assert RiverSection.objects.filter(AnyOf(F("is_active"), [True])).count() == (
        RiverSection.objects.filter(is_active=True).count()
    )


def test_any_of_compiles_to_a_single_placeholder() -> None:
    qs = Region.objects.filter(AnyOf(F("pk"), range(1, 501)))
    sql, params = qs.query.sql_with_params()
    assert len(params) == 1 and sql.count("%s") == 1


def _raw_ids(where: str, params: list[object]) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.id FROM geo_region r WHERE {where} ORDER BY r.id", params)  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def test_hand_written_sql_selects_what_the_orm_selects(world) -> None:  # type: ignore[no-untyped-def]
    """``any_of_sql`` and ``scope_sql`` (the upstream answer's one hand-written statement) find the rows
    ``AnyOf`` and ``scope_q`` find, with ``%``, ``_`` and ``\\`` in a scope path taken literally."""
    from django.db import connection

    from kernel.queries import any_of_sql
    from kernel.scope import scope_q, scope_sql

    regions = list(Region.objects.order_by("pk"))
    odd = regions[-1]
    Region.objects.filter(pk=odd.pk).update(path="/9%_\\/")  # a path LIKE would read as a pattern
    ids = [r.pk for r in regions[::2]] + [10**12]
    names = [r.name for r in regions[1::2]] + ["没有这个名字"]
    for column, values, field in (("r.id", ids, "pk"), ("r.name", names, "name")):
        sql, params = any_of_sql(column, values, connection)
        orm = Region.objects.filter(AnyOf(F(field), values)).order_by("pk").values_list("pk", flat=True)
        assert _raw_ids(sql, params) == list(orm)
    paths = [r.path for r in Region.objects.order_by("pk")]
    for scope in (None, (), (paths[0],), tuple(paths[1:3]), ("/9%",), ("/9%_\\/",), ("/9_",)):
        sql, params = scope_sql(scope, "r.path", connection)
        orm = Region.objects.filter(scope_q(scope)).order_by("pk").values_list("pk", flat=True)
        assert _raw_ids(sql, params) == list(orm), scope
    assert _raw_ids(*scope_sql(("/9%_\\/",), "r.path", connection)) == [odd.pk]
    assert _raw_ids(*scope_sql(("/9_",), "r.path", connection)) == []


def test_the_hand_written_section_scope_is_section_ids_in_scope(world) -> None:  # type: ignore[no-untyped-def]
    """``geo.selectors.section_scope_sql`` (the upstream answer's statements) admits exactly the sections
    ``section_ids_in_scope`` admits: by the section's own region or any of its responsible towns."""
    from django.db import connection

    from geo.selectors import section_ids_in_scope, section_scope_sql

    town_a, town_b = world.town_a.path, world.town_b.path
    RiverSection.objects.get(pk=world.section_b.pk).responsible_towns.add(world.town_b)
    for paths in (None, (), (world.district.path,), (town_a,), (town_b,), (town_a, town_b), ("/nowhere/",)):
        sql, params = section_scope_sql(paths, "r", connection)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT r.id FROM geo_riversection r WHERE {sql} ORDER BY r.id", params)  # noqa: S608
            found = [row[0] for row in cursor.fetchall()]
        expected = sorted(set(section_ids_in_scope(paths).values_list("pk", flat=True)))  # (a row per town)
        assert found == expected, paths


# --- CompiledOnce --------------------------------------------------------------------------------------


def _same(a: list[Region], b: list[Region]) -> bool:
    return [(r.pk, r.__dict__.keys() - {"_state"}) for r in a] == [
        (r.pk, r.__dict__.keys() - {"_state"}) for r in b
    ] and all(x.__dict__ == y.__dict__ for x, y in zip(a, b, strict=True))


def test_compiled_once_builds_what_the_orm_builds(world) -> None:  # type: ignore[no-untyped-def]
    """Several arguments, ``select_related``, ``defer``, annotations: the same instances as the queryset,
    for every value sent after the first compile."""
    from django.db.models import Count, Value

    from kernel.queries import CompiledOnce

    def build(level: str, parent: int) -> object:
        return (
            Region.objects.filter(level=level, parent_id=parent)
            .select_related("parent")
            .defer("boundary", "parent__boundary")
            .annotate(n_children=Count("children"), tag=Value("x"))
            .order_by("pk")
        )

    compiled = CompiledOnce(build, args=(str, int))
    for level, parent in (("town", world.district.pk), ("village", world.town_a.pk), ("town", 10**12)):
        got = compiled.objects(level, parent)
        want = list(build(level, parent))  # type: ignore[call-overload]
        assert [(r.pk, r.n_children, r.tag) for r in got] == [(r.pk, r.n_children, r.tag) for r in want]
        assert [r.parent.name for r in got] == [r.parent.name for r in want]
        assert all(r.get_deferred_fields() == {"boundary"} for r in got)
        assert [r.parent.get_deferred_fields() for r in got] == [{"boundary"}] * len(got)
    values = CompiledOnce(
        lambda pk: Region.objects.filter(parent_id=pk).order_by("pk").values_list("pk", "name"), integer=True
    )
    assert values.rows(world.district.pk) == list(
        Region.objects.filter(parent_id=world.district.pk).order_by("pk").values_list("pk", "name")
    )
    with pytest.raises(TypeError):
        values.objects(world.district.pk)  # values, not model rows
    with pytest.raises(TypeError):
        values.rows(1, 2)  # one argument expected


def test_compiled_once_sends_uuids_as_the_database_stores_them(world) -> None:  # type: ignore[no-untyped-def]
    """A UUID argument: native on PostgreSQL, 32 hex digits on SQLite — found either way."""
    import uuid

    from geo.models import LedgerImport
    from kernel.queries import CompiledOnce

    rows = [
        LedgerImport.objects.create(uuid=uuid.uuid4(), filename=f"{n}.xlsx", size=n, uploaded_by_id=1)
        for n in range(3)
    ]
    compiled = CompiledOnce(lambda u: LedgerImport.objects.filter(uuid=u), args=(uuid.UUID,))
    for row in rows:
        [found] = compiled.objects(row.uuid)
        assert (found.pk, found.uuid, found.filename) == (row.pk, row.uuid, row.filename)
    assert compiled.objects(uuid.uuid4()) == []


def test_compiled_once_refuses_what_it_cannot_compile() -> None:

    from kernel.queries import CompiledOnce

    twice = CompiledOnce(
        lambda pk: Region.objects.filter(pk=pk) | Region.objects.filter(parent_id=pk), integer=True
    )
    with pytest.raises(ValueError, match="exactly once"):
        twice.rows(1)
    unused = CompiledOnce(lambda name: Region.objects.all())
    with pytest.raises(ValueError, match="exactly once"):
        unused.rows("甲村")


@pytest.mark.django_db(transaction=True)
def test_compiled_once_locks_only_in_a_transaction() -> None:
    """Django refuses ``select_for_update()`` outside a transaction when compiling; a statement compiled
    once is checked at every call."""
    from django.db import transaction
    from django.db.transaction import TransactionManagementError

    from kernel.queries import CompiledOnce

    locking = CompiledOnce(lambda pk: Region.objects.select_for_update().filter(pk=pk), integer=True)
    with transaction.atomic():
        assert locking.objects(1) == []
    with pytest.raises(TransactionManagementError):
        locking.objects(1)
