"""Celery workers keep their database connection across tasks (core.workers): Celery's Django
fixup no longer closes it around every task, and Django's own check closes it when it is old,
unhealthy or broken."""

from __future__ import annotations

import weakref
from types import SimpleNamespace
from unittest import mock

from celery.fixups.django import DjangoWorkerFixup
from django.conf import settings

from core import workers
from partnercenter.celery import app


def test_celerys_fixup_keeps_the_connection_for_many_tasks():
    assert settings.CELERY_DB_REUSE_MAX >= 100
    fixup = DjangoWorkerFixup(app)
    with mock.patch.object(fixup, "_close_database") as close:
        for _ in range(settings.CELERY_DB_REUSE_MAX):  # a prerun and a postrun per task
            fixup.close_database()
        assert close.call_count == 0


def test_each_worker_task_checks_its_connection_as_a_request_does():
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    with mock.patch.object(workers, "close_old_connections") as check:
        workers._close_old_connections(task=task)
    check.assert_called_once_with()


def test_an_eager_task_leaves_the_web_requests_connection_alone():
    task = SimpleNamespace(request=SimpleNamespace(is_eager=True))
    with mock.patch.object(workers, "close_old_connections") as check:
        workers._close_old_connections(task=task)
    check.assert_not_called()


def test_the_handlers_are_connected_to_every_task():
    from celery.signals import task_postrun, task_prerun

    def receivers(signal):
        return [r() if isinstance(r, weakref.ref) else r for _, r in signal.receivers]

    assert workers._close_old_connections in receivers(task_prerun)
    assert workers._close_old_connections in receivers(task_postrun)
