"""``AnyOf``: membership in a list sent as one parameter, the same rows as ``__in`` on both databases."""

from __future__ import annotations

import pytest
from django.db.models import F

from geo.models import Region
from kernel.queries import AnyOf

pytestmark = pytest.mark.django_db


def test_any_of_finds_what_in_finds_with_one_parameter(world) -> None:  # type: ignore[no-untyped-def]
    regions = list(Region.objects.order_by("pk"))
    ids = [r.pk for r in regions[::2]] + [10**12]  # one that does not exist
    names = [r.name for r in regions[1::2]] + ["没有这个名字", 'it\'s "quoted"']
    by_id = sorted(Region.objects.filter(AnyOf(F("pk"), ids)).values_list("pk", flat=True))
    assert by_id == sorted(Region.objects.filter(pk__in=ids).values_list("pk", flat=True)) != []
    by_name = sorted(Region.objects.filter(AnyOf(F("name"), names)).values_list("pk", flat=True))
    assert by_name == sorted(Region.objects.filter(name__in=names).values_list("pk", flat=True)) != []
    assert not Region.objects.filter(AnyOf(F("pk"), [])).exists()
    assert list(Region.objects.filter(AnyOf(F("parent__pk"), {world.district.pk}))) == list(
        Region.objects.filter(parent=world.district)
    )


def test_any_of_compiles_to_a_single_placeholder() -> None:
    qs = Region.objects.filter(AnyOf(F("pk"), range(1, 501)))
    sql, params = qs.query.sql_with_params()
    assert len(params) == 1 and sql.count("%s") == 1
