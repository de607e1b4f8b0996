"""The delivery task and the sweeper: names, time limits, and the beat schedule entry."""

from __future__ import annotations

import pytest

from partnercenter.celery import app, beat_schedule


@pytest.mark.parametrize("name", ["webhooks.deliver", "webhooks.sweep_deliveries"])
def test_tasks_are_registered_with_time_limits(name):
    app.loader.import_default_modules()
    task = app.tasks[name]
    assert 0 < task.soft_time_limit < task.time_limit <= 60


def test_the_sweeper_is_on_the_beat_schedule():
    entry = beat_schedule(portal_progress_enabled=False)["webhook-sweeper"]
    assert (entry["task"], entry["schedule"]) == ("webhooks.sweep_deliveries", 60.0)
