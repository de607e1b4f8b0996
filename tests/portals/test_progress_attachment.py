"""The simulated portal engineer attaches "diagnostic results.txt" when closing a ticket: stored in
the attachments storage, listed on the request, audited and sent as a servicerequest-updated event."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from audit.models import AuditEvent
from portals import tasks
from portals.tasks import dispatch_service_request
from servicerequests.files.rules import MAX_FILES_PER_REQUEST
from servicerequests.models import Attachment, Dispatch
from servicerequests.services.attachments import IncomingFile, attachment_storage, attachments_add
from tests.factories import PartnerFactory, ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.fixture
def dispatched(settings, local_roots):
    settings.PORTAL_PROGRESS_ENABLED = True
    settings.PORTAL_PROGRESS_ATTENTION_AFTER = 120
    settings.PORTAL_PROGRESS_CLOSE_AFTER = 600
    partner = PartnerFactory()
    filer = UserFactory(partner=partner, roles=["admin_agent"])
    request = ServiceRequestFactory(partner=partner, workload="m365", status="none", created_by=filer)
    dispatch = Dispatch.objects.create(request=request, portal="m365")
    with time_machine.travel(T0, tick=False):
        dispatch_service_request.delay(dispatch.pk)
    request.refresh_from_db()
    return request


def _run(moment, capture):
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return tasks.progress_tickets()


def test_the_engineer_attaches_diagnostic_results_when_closing(
    dispatched, django_capture_on_commit_callbacks
):
    _run(T0 + timedelta(seconds=121), django_capture_on_commit_callbacks)
    assert not Attachment.objects.exists()  # asking for details attaches nothing
    _run(T0 + timedelta(seconds=601), django_capture_on_commit_callbacks)
    attachment = Attachment.objects.get(request=dispatched)
    assert (
        attachment.file_name,
        attachment.source,
        attachment.uploaded_by_id,
        attachment.uploaded_by_name,
    ) == (
        "diagnostic results.txt",
        "portal",
        None,
        "Microsoft 365 support engineer",
    )
    content = attachment_storage().open(attachment.storage_name).read().decode()
    assert content.startswith("Diagnostic results for ticket ")
    assert f"service request {dispatched.pk}" in content
    event = AuditEvent.objects.get(action="servicerequest.attachment_added")
    assert (event.actor_id, event.after["by"]) == (None, "Microsoft 365 support engineer")


def test_a_full_request_is_closed_without_the_file(dispatched, django_capture_on_commit_callbacks):
    attachments_add(
        actor=None,
        service_request=dispatched,
        files=[IncomingFile(f"log{i}.txt", b"x\n", 2) for i in range(MAX_FILES_PER_REQUEST)],
        source="portal",
        author_name="Engineer",
    )
    _run(T0 + timedelta(seconds=121), django_capture_on_commit_callbacks)
    _run(T0 + timedelta(seconds=601), django_capture_on_commit_callbacks)
    dispatched.refresh_from_db()
    assert dispatched.status == "closed"
    assert Attachment.objects.filter(request=dispatched).count() == MAX_FILES_PER_REQUEST
