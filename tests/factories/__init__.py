"""factory_boy factories. Regions go through ``geo.services.region_create`` so their paths are right."""

from decimal import Decimal

import factory

from accounts.models import RoleGrant, User
from geo.models import Region, RegionLevel, SewageFacility
from geo.services import region_create


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    level = RegionLevel.DISTRICT
    name = factory.Sequence(lambda n: f"测试区划{n}")
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        return region_create(**kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")

    @classmethod
    def _create(cls, model_class, *args, password="pass-word-123", **kwargs):  # type: ignore[no-untyped-def]
        user = model_class(**kwargs)
        user.set_password(password)
        user.save()
        return user


class RoleGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleGrant

    user = factory.SubFactory(UserFactory)
    role = "inspector"
    region = factory.SubFactory(RegionFactory)


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SewageFacility

    code = factory.Sequence(lambda n: f"T-WS-{n:04d}")
    name = factory.Sequence(lambda n: f"测试污水站{n}")
    capacity_tpd = Decimal("10")
