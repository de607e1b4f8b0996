"""Periodic housekeeping of the API's tables (docs/async.md)."""

from celery import shared_task

from .maintenance import api_token_purge_expired, app_token_purge_expired, idempotency_record_purge


@shared_task(name="partnercenter.purge_expired", ignore_result=True, soft_time_limit=240, time_limit=300)
def purge_expired() -> dict[str, int]:
    """Delete expired API tokens (personal and app-only) and idempotency records past their
    retention; returns the counts."""
    return {
        "api_tokens": api_token_purge_expired(),
        "app_tokens": app_token_purge_expired(),
        "idempotency_records": idempotency_record_purge(),
    }
