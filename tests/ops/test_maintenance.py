"""``core.maintenance``: the hourly purge of expired API tokens and old idempotency records, in
batches of a bounded size, and the fan-out of periodic work."""

import math
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def _deletes_of(table: str, queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith(f'DELETE FROM "{table}"'))


@pytest.mark.parametrize(
    ("rows", "batch", "deletes"), [(0, 4, 0), (3, 4, 1), (8, 4, 2), (9, 4, 3), (25, 10, 3)]
)
def test_a_purge_of_n_rows_runs_ceil_n_over_batch_deletes(settings, rows, batch, deletes):
    settings.IDEMPOTENCY_RETENTION_HOURS = 24
    user = UserFactory()
    for index in range(rows):
        _record(user, f"old-{index}", timedelta(hours=30))
    _record(user, "recent", timedelta(hours=1))
    table = IdempotencyRecord._meta.db_table

    with CaptureQueriesContext(connection) as captured:
        assert maintenance.idempotency_record_purge(batch_size=batch) == rows

    assert _deletes_of(table, captured.captured_queries) == deletes == math.ceil(rows / batch)
    assert list(IdempotencyRecord.objects.values_list("request_id", flat=True)) == ["recent"]


def test_expired_tokens_are_purged_in_batches():
    user = UserFactory()
    for index in range(5):
        ApiToken.objects.create(user=user, expiry=timedelta(seconds=-5), name=f"expired {index}")
    ApiToken.objects.create(user=user, expiry=timedelta(hours=1), name="live")
    with CaptureQueriesContext(connection) as captured:
        assert maintenance.api_token_purge_expired(batch_size=2) == 5
    assert _deletes_of(ApiToken._meta.db_table, captured.captured_queries) == 3
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["live"]


def test_fan_out_enqueues_once_per_item_and_counts_what_the_broker_took(monkeypatch):
    sent = []
    monkeypatch.setattr(
        maintenance, "enqueue", lambda task, item: sent.append((task, item)) or item != "refused"
    )
    assert maintenance.fan_out("some.task", ["a", "refused", "b"]) == 2
    assert sent == [("some.task", "a"), ("some.task", "refused"), ("some.task", "b")]
    assert maintenance.chunks(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
