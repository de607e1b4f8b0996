"""Filing with the dispatch relay (``DISPATCH_RELAY``): the web request publishes nothing; the
outbox row is all it leaves, and a relay batch delivers it."""

import pytest

from portals.batch import dispatch_deliver_batch
from servicerequests.models import Dispatch
from servicerequests.services import service_request_file

pytestmark = pytest.mark.django_db


def test_filing_with_the_relay_publishes_nothing_and_a_batch_delivers_it(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.DISPATCH_RELAY = True
    published = []
    monkeypatch.setattr("servicerequests.services.filing.enqueue", lambda *args, **kw: published.append(args))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request = service_request_file(
            actor=world.alice,
            customer_id=world.customer.pk,
            workload="m365",
            title="Mailbox migration stuck",
            description="The batch has been at 95% since yesterday.",
            severity="critical",
        )
    assert published == [] and callbacks == []
    assert Dispatch.objects.get(request=request).status == "pending"

    assert dispatch_deliver_batch().delivered == 1
    request.refresh_from_db()
    assert request.status == "open" and request.external_ticket_id


def test_filing_without_the_relay_enqueues_one_delivery(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.DISPATCH_RELAY = False
    published = []
    monkeypatch.setattr("servicerequests.services.filing.enqueue", lambda *args, **kw: published.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        request = service_request_file(
            actor=world.alice,
            customer_id=world.customer.pk,
            workload="m365",
            title="Mailbox migration stuck",
            description="The batch has been at 95% since yesterday.",
            severity="critical",
        )
    assert published == [("servicerequests.dispatch", request.dispatch.pk)]
