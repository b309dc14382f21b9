"""A real Celery worker consuming from a real Redis broker (the PostGIS leg of ``make test``)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import DeviceToken
from tests.conftest import ApiClient, make_user, needs_redis

pytestmark = needs_redis


def test_task_round_trip_through_redis(redis_worker, world) -> None:  # type: ignore[no-untyped-def]
    from accounts.tasks import device_tokens_purge

    user = make_user("inspector", world.town_a)
    keep, stale = ApiClient(user, "keep"), ApiClient(user, "stale")
    long_ago = timezone.now() - settings.FIELDSCORE_TOKEN_RETENTION - timedelta(days=1)
    DeviceToken.objects.filter(pk=stale.device_token_id).update(expires_at=long_ago)

    result = device_tokens_purge.delay()
    assert result.get(timeout=30) == 1  # executed by the worker, result travelled back through Redis
    assert result.backend.__class__.__name__ == "RedisBackend"
    assert list(DeviceToken.objects.values_list("pk", flat=True)) == [keep.device_token_id]
