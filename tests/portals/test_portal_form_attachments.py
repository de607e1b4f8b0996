"""Files chosen on the simulated portals' New support request forms: checked before filing (a
refused file files nothing), attached once the request is filed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from servicerequests.models import Attachment, ServiceRequest, SupportTopic
from tests.portals.test_views import AZURE_NEW, M365_NEW, _azure_data, _token
from tests.servicerequests import conftest as eligibility_world

pytestmark = pytest.mark.django_db

world = eligibility_world.world


@pytest.fixture
def alice_client(client, world, local_roots):
    client.force_login(world.alice)
    return client


def _m365(token, topic, **files):
    return {
        "ctx": token,
        "support_topic_id": topic.pk,
        "title": "Mail bounces",
        "description": "NDR 5.7.1",
        "severity": "minimal",
        "contact_method": "email",
        "contact_first_name": "Alice",
        "contact_last_name": "Admin",
        "contact_email": "alice@contosopartners.com",
        **files,
    }


def test_the_admin_center_form_files_with_its_attachments(alice_client, world):
    token = _token(world, workload="m365", subscription_id=None)
    exchange = SupportTopic.objects.get(name="Exchange Online")
    form = alice_client.get(M365_NEW, {"ctx": token, "category": exchange.pk}).content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="file"' in form
    response = alice_client.post(
        M365_NEW,
        _m365(token, exchange, file=[SimpleUploadedFile("ndr.txt", b"550 5.7.1 rejected\n")]),
    )
    request = ServiceRequest.objects.get()
    assert response["Location"] == reverse("portals:request", args=["m365", world.customer.pk, request.pk])
    attachment = Attachment.objects.get(request=request)
    assert (attachment.file_name, attachment.source, attachment.uploaded_by_id) == (
        "ndr.txt",
        "portal",
        world.alice.pk,
    )


def test_a_refused_file_files_nothing_and_says_why(alice_client, world):
    token = _token(world, workload="m365", subscription_id=None)
    exchange = SupportTopic.objects.get(name="Exchange Online")
    response = alice_client.post(
        M365_NEW, _m365(token, exchange, file=[SimpleUploadedFile("tool.exe", b"MZ\x90\x00" + b"\x00" * 40)])
    )
    assert response.status_code == 400
    assert "tool.exe: this type of file can&#x27;t be attached" in response.content.decode()
    assert not ServiceRequest.objects.exists()
    assert not Attachment.objects.exists()


def test_the_azure_review_step_takes_the_files(alice_client, world):
    token = _token(world)
    review = alice_client.post(AZURE_NEW, _azure_data(world, token, step="review")).content.decode()
    assert 'name="file"' in review
    alice_client.post(
        AZURE_NEW,
        {**_azure_data(world, token, step="create"), "file": [SimpleUploadedFile("vm.har", b'{"log": {}}')]},
    )
    request = ServiceRequest.objects.get()
    assert list(Attachment.objects.filter(request=request).values_list("file_name", flat=True)) == ["vm.har"]
