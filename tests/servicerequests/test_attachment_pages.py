"""Attachments on the request page and the portal ticket page: the section, uploading without
JavaScript (redirect back) and with it (JSON for the progress bar), refusals naming the file with
nothing stored, downloads and removal."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from servicerequests.files.rules import MAX_FILE_BYTES
from servicerequests.models import Attachment
from tests.factories import ServiceRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sr(world, local_roots):
    return ServiceRequestFactory(
        partner=world.partner, customer=world.customer, portal="m365", created_by=world.alice
    )


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def add_url(sr):
    return reverse("servicerequests:attachment_add", args=[sr.pk])


def test_the_request_page_offers_the_upload_form(alice, sr):
    page = alice.get(reverse("servicerequests:detail", args=[sr.pk])).content.decode()
    assert 'id="attachments"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "No files attached yet." in page
    assert "js/attachments.js" in page


def test_a_reader_sees_no_upload_form(client, world, sr):
    client.force_login(UserFactory(partner=world.partner, roles=["sales_agent"]))
    page = client.get(reverse("servicerequests:detail", args=[sr.pk])).content.decode()
    assert 'id="attachments"' in page
    assert "multipart/form-data" not in page


def test_upload_without_javascript_then_download_and_remove(alice, sr, django_capture_on_commit_callbacks):
    response = alice.post(add_url(sr), {"file": [SimpleUploadedFile("../../etc/smtp.log", b"421 busy\n")]})
    assert response.status_code == 302
    assert response["Location"] == reverse("servicerequests:detail", args=[sr.pk]) + "#attachments"
    attachment = Attachment.objects.get(request=sr)
    assert (attachment.file_name, attachment.source) == ("smtp.log", "browser")
    page = alice.get(response["Location"]).content.decode()
    assert "Attached smtp.log." in page
    download_url = reverse("servicerequests:attachment_download", args=[sr.pk, attachment.pk])
    assert download_url in page
    download = alice.get(download_url)
    assert b"".join(download.streaming_content) == b"421 busy\n"
    assert download["Content-Disposition"] == 'attachment; filename="smtp.log"'
    assert download["X-Content-Type-Options"] == "nosniff"
    delete_url = reverse("servicerequests:attachment_delete", args=[sr.pk, attachment.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert alice.post(delete_url).status_code == 302
    assert not Attachment.objects.exists()
    assert alice.get(download_url).status_code == 404


def test_upload_with_javascript_answers_json(alice, sr):
    response = alice.post(
        add_url(sr), {"file": [SimpleUploadedFile("a.txt", b"hi\n")]}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 201
    assert response.json() == {
        "attached": ["a.txt"],
        "next": reverse("servicerequests:detail", args=[sr.pk]) + "#attachments",
    }
    refused = alice.post(
        add_url(sr),
        {"file": [SimpleUploadedFile("big.log", b"a" * (MAX_FILE_BYTES + 1))]},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 413
    assert refused.json()["error"].startswith(
        "big.log: is 5242881 bytes; a file may be at most 5242880 bytes"
    )
    assert Attachment.objects.count() == 1


def test_a_refused_file_is_named_on_a_400_page_and_nothing_is_stored(alice, sr, local_roots):
    response = alice.post(
        add_url(sr),
        {
            "file": [
                SimpleUploadedFile("ok.txt", b"fine\n"),
                SimpleUploadedFile("run.ps1", b"Write-Host hi\n"),
            ]
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "run.ps1: this type of file can&#x27;t be attached" in page
    assert "Nothing was attached." in page
    assert not Attachment.objects.exists()
    assert not any(p.is_file() for p in local_roots.rglob("*"))


def test_another_partner_and_readers_without_sr_view(client, world, sr):
    attachment_pk = None
    client.force_login(world.alice)
    client.post(add_url(sr), {"file": [SimpleUploadedFile("a.txt", b"hi\n")]})
    attachment_pk = Attachment.objects.get().pk
    url = reverse("servicerequests:attachment_download", args=[sr.pk, attachment_pk])
    client.force_login(UserFactory(roles=["admin_agent"]))  # another partner
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(partner=world.partner, roles=["billing_admin"]))  # no SR-VIEW role
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(partner=world.partner, roles=["sales_agent"]))  # reads only
    assert client.get(url).status_code == 200
    assert client.post(add_url(sr), {"file": [SimpleUploadedFile("b.txt", b"x\n")]}).status_code == 403


def test_the_portal_ticket_page_uploads_and_comes_back(alice, world, sr):
    page_url = reverse("portals:request", args=["m365", world.customer.pk, sr.pk])
    page = alice.get(page_url).content.decode()
    assert 'name="surface" value="portal"' in page
    response = alice.post(
        add_url(sr),
        {
            "file": [SimpleUploadedFile("capture.har", b'{"log": {"entries": []}}')],
            "next": page_url,
            "surface": "portal",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == page_url
    assert Attachment.objects.get().source == "portal"
    assert "capture.har" in alice.get(page_url).content.decode()


def test_next_must_stay_on_this_site(alice, sr):
    response = alice.post(
        add_url(sr), {"file": [SimpleUploadedFile("a.txt", b"hi\n")], "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("servicerequests:detail", args=[sr.pk]) + "#attachments"
