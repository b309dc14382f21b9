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
