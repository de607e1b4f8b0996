"""Celery queues per kind of work: every task has its queue, and the broker's visibility timeout
outlasts every task (so a running task is never handed to a second worker)."""

from __future__ import annotations

import pytest
from django.conf import settings

from partnercenter.celery import app

EXPECTED = {
    "servicerequests.dispatch": "dispatch",
    "gdap.activate_assignment": "dispatch",
    "servicerequests.send_notification": "notifications",
    "gdap.send_notification": "notifications",
    "webhooks.deliver": "webhooks",
    "servicerequests.export_queue": "exports",
    "servicerequests.sweep_dispatches": "maintenance",
    "servicerequests.refresh_report_rollup": "maintenance",
    "webhooks.sweep_deliveries": "maintenance",
}


def project_tasks() -> dict:
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def queue_of(name: str) -> str:
    return app.amqp.router.route({}, name, (), {}, None)["queue"].name


def test_every_task_goes_to_a_declared_queue():
    declared = set(settings.CELERY_QUEUE_NAMES)
    routed = {name: queue_of(name) for name in project_tasks()}
    assert set(routed.values()) <= declared
    assert "celery" not in routed.values()  # the default queue is kept only for stray messages


@pytest.mark.parametrize(("task", "queue"), sorted(EXPECTED.items()))
def test_each_kind_of_work_has_its_queue(task, queue):
    assert task in project_tasks()
    assert queue_of(task) == queue


def test_a_worker_without_queues_consumes_every_queue():
    assert set(settings.CELERY_QUEUE_NAMES) <= set(app.amqp.queues)


def test_visibility_timeout_outlasts_every_task():
    longest = max(task.time_limit or settings.CELERY_TASK_TIME_LIMIT for task in project_tasks().values())
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest
