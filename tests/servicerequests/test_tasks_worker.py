"""End to end on a real Celery worker and the real Redis.

Runs in CI; skipped locally without REDIS_URL and PostgreSQL.

Uses the ``world`` fixture of ``tests/servicerequests/conftest.py`` and ``tests/worker.py``.
"""

import re
import time

import pytest

from portals import tasks as portal_tasks
from portals.models import PortalTicket
from servicerequests import tasks
from servicerequests.models import Dispatch, Notification, ServiceRequest, SupportTopic
from servicerequests.services import service_request_file
from servicerequests.support_topics import SUPPORT_TOPICS
from tests.worker import broker_down, celery_worker, wait_for  # noqa: F401  (celery_worker is a fixture)

from .conftest import patch_enqueue

pytestmark = [
    pytest.mark.worker,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.usefixtures("celery_worker"),
]


@pytest.fixture(autouse=True)
def support_topics(transactional_db):
    """The seeded catalogue (a transactional test's flush removes data-migration rows)."""
    for topic_id, workload, name, description in SUPPORT_TOPICS:
        SupportTopic.objects.get_or_create(
            pk=topic_id, defaults={"workload": workload, "name": name, "description": description}
        )


def file_request(world, **overrides):
    values = {
        "actor": world.alice,
        "customer_id": world.customer.pk,
        "workload": "m365",
        "title": "Mailbox migration stuck",
        "description": "The batch has been at 95% since yesterday.",
        "severity": "critical",
        "support_topic_id": 32444611,
    }
    values.update(overrides)
    return service_request_file(**values)


def opened(request_id):
    request = ServiceRequest.objects.get(pk=request_id)
    return request if request.status == "open" else None


def test_a_filed_request_is_opened_by_the_worker(world):
    request = file_request(world)

    opened_request = wait_for(lambda: opened(request.pk), timeout=20)

    ticket = PortalTicket.objects.get(service_request_id=request.pk)
    assert opened_request.external_ticket_id == ticket.ticket_number
    assert re.fullmatch(r"[1-9]\d{7}", ticket.ticket_number)
    assert opened_request.portal == "m365"
    assert opened_request.sla_due_at is not None
    assert (
        2 * 3600 - 60
        < (opened_request.sla_due_at - opened_request.created_at).total_seconds()
        <= 2 * 3600 + 60
    )
    dispatch = Dispatch.objects.get(request_id=request.pk)
    assert (dispatch.status, dispatch.attempts) == ("delivered", 1)


def test_a_broker_outage_delays_the_dispatch_but_loses_nothing(world, monkeypatch):
    enqueued = []

    def recording_enqueue(name, real_enqueue, task, *args, **kwargs):
        enqueued.append((name, real_enqueue(task, *args, **kwargs)))
        return enqueued[-1][1]

    patch_enqueue(monkeypatch, recording_enqueue)
    started = time.monotonic()
    with broker_down():
        request = file_request(world)  # the enqueues after commit fail, are logged, and filing still succeeds
    assert time.monotonic() - started < 15
    # One message per filing (the dispatch, whose delivery records the filer's e-mail): it failed.
    assert enqueued == [("servicerequests.dispatch", False)]
    assert not Notification.objects.filter(request_id=request.pk).exists()

    assert ServiceRequest.objects.filter(pk=request.pk).exists()
    dispatch = Dispatch.objects.get(request_id=request.pk)
    time.sleep(1)  # had the message gone out, the worker would have delivered it by now
    dispatch.refresh_from_db()
    assert (dispatch.status, dispatch.attempts) == ("pending", 0)
    assert PortalTicket.objects.count() == 0

    # The broker is back: the sweeper (beat runs it every 30 s) re-sends what was left behind; the
    # delivery records the filer's notification and its e-mail goes out.
    assert tasks.sweep_dispatches(min_age_seconds=0) == 1
    wait_for(lambda: opened(request.pk), timeout=20)
    wait_for(
        lambda: Notification.objects.filter(request_id=request.pk, sent_at__isnull=False).exists(),
        timeout=20,
    )
    assert Notification.objects.get(request_id=request.pk).kind == "filed"

    # Running the sweeper again, and the task again, changes nothing.
    assert tasks.sweep_dispatches(min_age_seconds=0) == 0
    portal_tasks.dispatch_service_request.delay(dispatch.pk)
    time.sleep(1)
    assert PortalTicket.objects.filter(service_request_id=request.pk).count() == 1
    dispatch.refresh_from_db()
    assert (dispatch.status, dispatch.attempts) == ("delivered", 1)
