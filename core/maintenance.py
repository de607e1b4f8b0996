"""Housekeeping: the hourly ``partnercenter.purge_expired`` task's purges of the API's own tables, and
the two shapes every maintenance task takes so that each run stays well inside its time limit
whatever the number of partners or rows:

- :func:`purge_in_batches`: a purge deletes in statements of at most ``PURGE_BATCH`` rows, each
  its own short transaction (no lock held over the whole purge, no statement whose size grows
  with the backlog);
- :func:`fan_out`: a periodic task over every partner (or every chunk of due rows) enqueues one
  task per partner or chunk instead of looping in one task; each of those is short, idempotent
  and retried by the next beat if lost, and several workers share them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from .models import ApiToken, IdempotencyRecord
from .queueing import enqueue

#: Rows one DELETE of a purge removes at most.
PURGE_BATCH = 1000
#: Rows one run of a retention purge removes at most (its ``limit``): a backlog (the first run after
#: a retention is set) is worked off over several hourly runs, each well inside its time limit.
PURGE_RUN_LIMIT = 200_000


def purge_in_batches(queryset: QuerySet, *, batch_size: int = PURGE_BATCH, limit: int | None = None) -> int:
    """Delete the rows of ``queryset`` and return how many of its model's rows were deleted.

    Batch by batch: one SELECT of at most ``batch_size`` ids, then one DELETE of those ids (with
    whatever Django's delete cascades to), each in its own transaction unless the caller holds one.
    A purge of N rows runs ceil(N / batch_size) DELETEs of the model's table (a model that other
    rows point at, or with delete signals, Django loads first and deletes 100 ids a statement); it
    stops after a batch that was not full, or once ``limit`` rows (if given) are deleted, so that
    one run over a large backlog stays short and the next run goes on. Rows added meanwhile that
    match are deleted too (the purges' filters are cut-offs in the past, so nothing new matches)."""
    model = queryset.model
    ids_query = queryset.order_by().values_list("pk", flat=True)
    deleted = 0
    while True:
        ids = list(ids_query[:batch_size])
        if ids:
            _total, per_model = model._default_manager.filter(pk__in=ids).delete()
            deleted += per_model.get(model._meta.label, 0)
        if len(ids) < batch_size or (limit is not None and deleted >= limit):
            return deleted


def fan_out(task: str, items: Iterable) -> int:
    """Enqueue ``task(item)`` once per item (a partner id, a chunk of ids); returns how many were
    enqueued. Eager (no broker: development, tests) each runs in-process at once. A message the
    broker refuses is logged and left to the next beat (``core.queueing.enqueue``)."""
    return sum(enqueue(task, item) for item in items)


def chunks(ids: list, size: int) -> list[list]:
    """``ids`` cut into lists of at most ``size``, in order."""
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def api_token_purge_expired(*, now: datetime | None = None, batch_size: int = PURGE_BATCH) -> int:
    """Delete the API tokens whose ``expiry`` has passed (they no longer authenticate anyone), in
    batches of ``batch_size``; returns how many. Tokens without an expiry are kept."""
    return purge_in_batches(ApiToken.objects.filter(expiry__lt=now or timezone.now()), batch_size=batch_size)


def app_token_purge_expired(*, now: datetime | None = None, batch_size: int = PURGE_BATCH) -> int:
    """Delete the app-only access tokens (django-oauth-toolkit's) that have expired, in batches of
    ``batch_size``; returns how many. They last an hour (``APP_TOKEN_TTL_SECONDS``) and refuse to
    authenticate once expired."""
    expired = get_access_token_model().objects.filter(expires__lt=now or timezone.now())
    return purge_in_batches(expired, batch_size=batch_size)


def idempotency_record_purge(*, now: datetime | None = None, batch_size: int = PURGE_BATCH) -> int:
    """Delete the idempotency records older than ``IDEMPOTENCY_RETENTION_HOURS`` (24 by default), in
    batches of ``batch_size``: a retry with the same ``MS-RequestId`` after that runs afresh.
    Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_RETENTION_HOURS)
    return purge_in_batches(IdempotencyRecord.objects.filter(created_at__lt=cutoff), batch_size=batch_size)
