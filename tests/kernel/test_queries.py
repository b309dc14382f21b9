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
