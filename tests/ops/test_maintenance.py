"""``core.maintenance``: the hourly purge of expired API tokens and old idempotency records."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core import maintenance, tasks
from core.models import ApiToken, IdempotencyRecord
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _record(user, request_id: str, age: timedelta) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        user=user,
        request_id=request_id,
        method="POST",
        path="/v1/customers/x/servicerequests",
        status_code=201,
        body={},
        created_at=timezone.now() - age,
    )


def test_only_expired_tokens_are_purged():
    user = UserFactory()
    ApiToken.objects.create(user=user, expiry=timedelta(seconds=-5), name="expired")
    ApiToken.objects.create(user=user, expiry=timedelta(hours=1), name="live")
    ApiToken.objects.create(user=user, expiry=None, name="never expires")
    assert maintenance.api_token_purge_expired() == 1
    assert sorted(ApiToken.objects.values_list("name", flat=True)) == ["live", "never expires"]


def test_idempotency_records_are_kept_for_their_retention(settings):
    settings.IDEMPOTENCY_RETENTION_HOURS = 24
    user = UserFactory()
    _record(user, "old", timedelta(hours=25))
    _record(user, "recent", timedelta(hours=23))
    assert maintenance.idempotency_record_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("request_id", flat=True)) == ["recent"]
    settings.IDEMPOTENCY_RETENTION_HOURS = 1
    assert tasks.purge_expired.delay().get() == {"api_tokens": 0, "app_tokens": 0, "idempotency_records": 1}
    assert not IdempotencyRecord.objects.exists()
