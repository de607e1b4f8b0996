"""The Celery app: task names, time limits, and the beat schedule in code."""

import pytest

from partnercenter.celery import app, beat_schedule
from portals import tasks as portal_tasks

EXPECTED_TASKS = [
    "servicerequests.dispatch",
    "servicerequests.sweep_dispatches",
    "servicerequests.sweep_sla",
    "servicerequests.send_notification",
    "servicerequests.sweep_notifications",
    "portals.progress_tickets",
]


@pytest.mark.parametrize("name", EXPECTED_TASKS)
def test_tasks_are_registered_with_explicit_names_and_time_limits(name):
    app.loader.import_default_modules()
    task = app.tasks[name]
    assert 0 < task.soft_time_limit < task.time_limit <= 60


LIFECYCLE_SCHEDULE = {
    "dispatch-sweeper": ("servicerequests.sweep_dispatches", 30.0),
    "notification-sweeper": ("servicerequests.sweep_notifications", 60.0),
    "sla-sweeper": ("servicerequests.sweep_sla", 60.0),
    "gdap-lifecycle-sweeper": ("gdap.sweep_lifecycle", 300.0),
}


@pytest.mark.parametrize("name,expected", LIFECYCLE_SCHEDULE.items())
def test_the_schedule_runs_the_sweepers_and_the_gdap_lifecycle(name, expected):
    entry = beat_schedule(portal_progress_enabled=False)[name]
    assert (entry["task"], entry["schedule"]) == expected


def test_portal_progress_is_scheduled_only_when_enabled():
    assert "portal-progress" not in beat_schedule(portal_progress_enabled=False)
    assert (
        beat_schedule(portal_progress_enabled=True)["portal-progress"]["task"] == "portals.progress_tickets"
    )


def test_the_app_carries_the_schedule():
    assert app.conf.beat_schedule == beat_schedule(portal_progress_enabled=False)
    assert set(LIFECYCLE_SCHEDULE) <= set(app.conf.beat_schedule)


def test_tasks_are_eager_in_tests_and_use_the_settings():
    assert app.conf.task_always_eager is True
    assert app.conf.task_acks_late is True
    assert portal_tasks.dispatch_service_request.acks_late is True


EXPORT_TASKS = {
    # the export itself may take minutes (a million rows); the sweeper fails it after the hard limit
    "servicerequests.export_queue": (900, 960),
    "servicerequests.sweep_exports": (50, 60),
    "servicerequests.purge_exports": (240, 300),
}


@pytest.mark.parametrize(("name", "limits"), EXPORT_TASKS.items())
def test_export_tasks_are_registered_with_their_time_limits(name, limits):
    app.loader.import_default_modules()
    task = app.tasks[name]
    assert (task.soft_time_limit, task.time_limit) == limits


EXPORT_SCHEDULE = {
    "export-sweeper": ("servicerequests.sweep_exports", 60.0),
    "export-purge": ("servicerequests.purge_exports", 3600.0),
}


@pytest.mark.parametrize(("name", "expected"), EXPORT_SCHEDULE.items())
def test_the_schedule_sweeps_and_purges_the_exports(name, expected):
    entry = beat_schedule(portal_progress_enabled=False)[name]
    assert (entry["task"], entry["schedule"]) == expected
    assert name in app.conf.beat_schedule


#: Retention and upkeep: (beat entry) -> (task, interval in seconds, (soft, hard) time limits).
RETENTION_SCHEDULE = {
    "dispatch-purge": ("servicerequests.purge_dispatches", 3600.0, (240, 300)),
    "webhook-purge": ("webhooks.purge_deliveries", 3600.0, (240, 300)),
    "audit-partitions": ("audit.maintain_partitions", 86400.0, (240, 300)),
}


@pytest.mark.parametrize(("name", "expected"), RETENTION_SCHEDULE.items())
def test_the_retention_tasks_are_scheduled_with_their_time_limits(name, expected):
    task_name, interval, limits = expected
    entry = beat_schedule(portal_progress_enabled=False)[name]
    assert (entry["task"], entry["schedule"]) == (task_name, interval)
    assert name in app.conf.beat_schedule
    app.loader.import_default_modules()
    task = app.tasks[task_name]
    assert (task.soft_time_limit, task.time_limit) == limits
