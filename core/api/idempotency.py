"""Idempotent POSTs keyed by ``MS-RequestId`` (per user).

A retry with the same id gets the first response (status, body, ``Location``, ``ETag``) and
creates nothing. The ``IdempotencyRecord`` row, holding the response, is inserted last, in the same
transaction as the work: a retry's INSERT fails on the unique index (a concurrent one waits on it,
on PostgreSQL, until the first transaction commits), its whole transaction rolls back, work
included, and it replays the stored response. The common case, a new id, thus costs one INSERT and
no lookup; a retry does the work again before it finds the record, and keeps none of it. If the
first attempt ends in a 5xx, or in any answer after a failed write, nothing is recorded or kept and
a retry runs afresh. A POST without ``MS-RequestId`` gets a generated id (echoed) and is not
deduplicated.

The record keeps a hash of the request's body (its parsed JSON, canonicalised, so whitespace and
key order don't matter). Reusing an id with a different body, or for another method or path, is
the client's mistake, not a retry: it answers 422 (a different body) or 409 (another operation)
naming ``MS-RequestId``, and the second request's work is rolled back, so nothing is created.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from rest_framework.response import Response

from core.models import IdempotencyRecord

from .errors import ApiError
from .headers import REQUEST_ID_HEADER, request_id_for, request_id_valid

REPLAYED_HEADERS = ("Location", "ETag")


def request_body_hash(request) -> str:
    """SHA-256 (hex) of the request's parsed body as canonical JSON (sorted keys, no spaces)."""
    try:
        data = request.data
    except Exception:  # noqa: BLE001 - an unparseable body hashes as empty; the handler reports it
        data = None
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(record: IdempotencyRecord, request, body_hash: str) -> Response:
    if record.method != request.method or record.path != request.path:
        raise ApiError(
            "conflict",
            f"{REQUEST_ID_HEADER} {record.request_id} was already used for {record.method} {record.path}.",
            [{"field": REQUEST_ID_HEADER, "reason": "already used for another operation"}],
        )
    if record.body_hash and record.body_hash != body_hash:
        raise ApiError(
            "unprocessable",
            f"{REQUEST_ID_HEADER} {record.request_id} was already used with a different request body; "
            "use a new id for a new request.",
            [{"field": REQUEST_ID_HEADER, "reason": "already used with a different request body"}],
        )
    response = Response(record.body, status=record.status_code, headers=record.headers)
    response["Idempotent-Replayed"] = "true"
    return response


def run_idempotent(view, request, handler: Callable[[], Response]) -> Response:
    """Run ``handler`` (the POST's work, returning a DRF ``Response``) in one transaction, at most
    once per (user, ``MS-RequestId``). Exceptions inside ``handler`` become error responses through
    the view's exception handler, so 4xx answers are stored and replayed too. A 5xx, or any answer
    given after a failed write, rolls the transaction back (with or without the header).

    Side effects: one ``IdempotencyRecord`` row per first request that carried the header.
    """
    request_id, given = request_id_for(request)
    if given and not request_id_valid(request_id):
        raise ApiError(
            "validation",
            gettext("Invalid property: %(fields)s.") % {"fields": REQUEST_ID_HEADER},
            [{"field": REQUEST_ID_HEADER, "reason": gettext("must be a GUID")}],
        )
    user = request.user
    body_hash = request_body_hash(request) if given else ""
    try:
        with transaction.atomic():
            try:
                response = handler()
            except Exception as exc:  # noqa: BLE001 - turned into the error shape, like DRF does
                response = view.handle_exception(exc)
            if response.status_code >= 500 or transaction.get_rollback():
                # A server error, or an answer given after a failed write (the transaction can
                # take no more statements): nothing is kept or recorded, a retry runs afresh.
                transaction.set_rollback(True)
                return response
            if given:
                # The transaction's last statement: a concurrent request with the same id waits
                # here, on the unique index, until the first one commits; then it fails and
                # replays below.
                IdempotencyRecord.objects.create(
                    user=user,
                    request_id=request_id,
                    method=request.method,
                    path=request.path,
                    body_hash=body_hash,
                    status_code=response.status_code,
                    body=response.data,
                    headers={name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)},
                )
            return response
    except IntegrityError:
        if not given:
            raise
        # Rolled back, the work with it. A retry: the id is taken, by an earlier request or one
        # that just committed.
        previous = IdempotencyRecord.objects.filter(user=user, request_id=request_id).first()
        if previous is None:
            raise
        return _replay(previous, request, body_hash)
