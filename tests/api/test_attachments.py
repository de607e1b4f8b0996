"""Attachments over the API on both storage backends (filesystem and S3 via a local moto server):
the round trip, the limits and the allow-list (nothing stored when refused), who may download,
the audit and webhook events, the purge policy."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from servicerequests.files.rules import MAX_FILE_BYTES, MAX_FILES_PER_REQUEST
from servicerequests.models import Attachment
from servicerequests.services.attachments import IncomingFile, attachment_purge, attachments_add
from tests.api.conftest import client_for
from tests.factories import ServiceRequestFactory, UserFactory
from tests.files import s3_client, s3_keys
from webhooks.models import WebhookEvent, WebhookRegistration

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("trace.log", "line 1\n")
    return buffer.getvalue()


@pytest.fixture
def sr(world):
    return ServiceRequestFactory(partner=world.partner, customer=world.customer, created_by=world.admin)


def url(sr, suffix: str = "") -> str:
    return f"/v1/servicerequests/{sr.pk}/attachments{suffix}"


def upload(api, sr, *files):
    return api.post(url(sr), {"file": [SimpleUploadedFile(n, c) for n, c in files]}, format="multipart")


def test_round_trip_on_both_backends(api, world, sr, storage_backend, django_capture_on_commit_callbacks):
    log = b"2026-03-01 10:00:00 ERROR mailbox move stalled\n"
    response = upload(api, sr, ("diag/../mail flow.log", log), ("screen.png", PNG))
    assert response.status_code == 201, response.content
    items = response.json()["items"]
    assert [(i["fileName"], i["fileSize"], i["contentType"]) for i in items] == [
        ("mail flow.log", len(log), "text/plain; charset=utf-8"),
        ("screen.png", len(PNG), "image/png"),
    ]
    first = items[0]
    assert first["uri"] == f"/v1/servicerequests/{sr.pk}/attachments/{first['id']}"
    assert (first["fileNameWithoutExtension"], first["fileExtension"], first["uploadedBy"]) == (
        "mail flow",
        "log",
        "Alice Admin",
    )
    assert len(storage_backend()) == 2

    detail = api.get(f"/v1/servicerequests/{sr.pk}").json()
    assert [link["fileName"] for link in detail["fileLinks"]] == ["mail flow.log", "screen.png"]
    assert api.get(url(sr)).json()["totalCount"] == 2

    download = api.get(first["uri"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == log
    assert download["Content-Disposition"] == 'attachment; filename="mail flow.log"'
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"

    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(first["uri"]).status_code == 204
    assert len(storage_backend()) == 1
    assert api.get(first["uri"]).status_code == 404


def test_a_file_gone_from_the_bucket_is_a_404(api, sr, s3_server, s3_bucket):
    item = upload(api, sr, ("a.txt", b"hello\n")).json()["items"][0]
    (key,) = s3_keys(s3_server, s3_bucket)
    s3_client(s3_server).delete_object(Bucket=s3_bucket, Key=key)
    response = api.get(item["uri"])
    assert response.status_code == 404
    assert response.json()["code"] == 1000


def test_a_signed_url_redirect_where_the_bucket_serves_files(api, sr, settings, s3_bucket):
    settings.FILE_DOWNLOAD_REDIRECT = True
    item = upload(api, sr, ("capture.har", b'{"log": {"version": "1.2", "entries": []}}')).json()["items"][0]
    response = api.get(item["uri"])
    assert response.status_code == 302
    signed = response["Location"]
    assert "X-Amz-Expires=300" in signed and "X-Amz-Signature=" in signed
    fetched = requests.get(signed, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == b'{"log": {"version": "1.2", "entries": []}}'
    assert fetched.headers["Content-Disposition"] == 'attachment; filename="capture.har"'
    assert fetched.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("name", "content", "status", "reason"),
    [
        (
            "big.log",
            b"a" * (MAX_FILE_BYTES + 1),
            413,
            "is 5242881 bytes; a file may be at most 5242880 bytes",
        ),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 64, 400, "this type of file can't be attached"),
        ("photo.png", b"MZ\x90\x00" + b"\x00" * 64, 400, "the content is not a PNG image"),
        ("notes.txt", b"\x00\x01\x02binary", 400, "the content is not text"),
        ("capture.har", b'{"entries": []}', 400, 'no HAR "log" object'),
        ("trace.etl", b"#!/bin/sh\nrm -rf /\n", 400, "is not a Windows event trace (ETL) file"),
        ("empty.txt", b"", 400, "is empty"),
    ],
)
def test_refused_files_are_named_and_nothing_is_stored(
    api, sr, storage_backend, name, content, status, reason
):
    response = upload(api, sr, ("fine.txt", b"all good\n"), (name, content))
    assert response.status_code == status
    body = response.json()
    assert body["data"][0]["fileName"] == name
    assert reason in body["data"][0]["reason"]
    assert name in body["description"]
    assert storage_backend() == []
    assert not Attachment.objects.exists()
    assert not AuditEvent.objects.filter(action="servicerequest.attachment_added").exists()


def test_the_count_limit_per_request(api, sr, local_roots):
    for i in range(MAX_FILES_PER_REQUEST):
        assert upload(api, sr, (f"log{i}.txt", b"x\n")).status_code == 201
    response = upload(api, sr, ("one-more.txt", b"x\n"))
    assert response.status_code == 400
    assert f"at most {MAX_FILES_PER_REQUEST} files" in response.json()["data"][0]["reason"]
    assert Attachment.objects.filter(request=sr).count() == MAX_FILES_PER_REQUEST


def test_accepted_types_by_content(api, sr, local_roots):
    response = upload(
        api,
        sr,
        ("logs.zip", _zip()),
        ("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        ("events.evtx", b"ElfFile\x00" + b"\x00" * 120),
        ("trace.etl", b"\x00\x00\x01\x00\x00\x00\x00\x00" + bytes(range(256)) * 4),
        ("utf16.log", "héllo\r\n".encode("utf-16")),
    )
    assert response.status_code == 201, response.content
    assert [i["contentType"] for i in response.json()["items"]] == [
        "application/zip",
        "application/pdf",
        "application/octet-stream",
        "application/octet-stream",
        "text/plain; charset=utf-8",
    ]


def test_who_may_download_and_attach(world, sr, local_roots):
    item = upload(client_for(world.admin), sr, ("a.txt", b"hello\n")).json()["items"][0]
    other_partner_user = UserFactory(partner=world.other_partner, roles=["admin_agent"])
    billing = UserFactory(partner=world.partner, roles=["billing_admin"])  # no SR-VIEW role
    sales = UserFactory(partner=world.partner, roles=["sales_agent"])  # SR-VIEW reads only
    assert client_for(other_partner_user).get(item["uri"]).status_code == 404
    assert client_for(billing).get(item["uri"]).status_code == 404
    assert client_for(sales).get(item["uri"]).status_code == 200
    assert upload(client_for(sales), sr, ("b.txt", b"x\n")).status_code == 403
    assert client_for(sales).delete(item["uri"]).status_code == 403
    assert upload(client_for(other_partner_user), sr, ("b.txt", b"x\n")).status_code == 404
    assert Attachment.objects.count() == 1


def test_attach_download_delete_are_audited_and_emit_webhook_events(api, world, sr, local_roots):
    WebhookRegistration.objects.create(
        partner=world.partner,
        url="https://hooks.example/pc",
        events=["servicerequest-updated"],
        secret_salt="s",
        secret_hint="abcd",
        created_by=world.admin,
    )
    version = sr.version
    item = upload(api, sr, ("a.txt", b"hello\n")).json()["items"][0]
    b"".join(api.get(item["uri"]).streaming_content)
    api.delete(item["uri"])
    events = list(AuditEvent.objects.filter(action__startswith="servicerequest.attachment").order_by("id"))
    assert [e.action for e in events] == [
        "servicerequest.attachment_added",
        "servicerequest.attachment_downloaded",
        "servicerequest.attachment_deleted",
    ]
    summary = {
        "id": item["id"],
        "fileName": "a.txt",
        "fileSize": 6,
        "contentType": "text/plain; charset=utf-8",
    }
    assert events[0].after == {"attachments": [summary], "by": "Alice Admin"}
    assert events[2].before == {"attachments": [summary]}
    assert all(e.actor_id == world.admin.pk and e.object_id == sr.pk for e in events)
    hooks = list(WebhookEvent.objects.filter(event_name="servicerequest-updated").order_by("id"))
    payloads = [json.loads(h.body) for h in hooks]
    assert [p["data"]["action"] for p in payloads] == [
        "servicerequest.attachment_added",
        "servicerequest.attachment_deleted",
    ]
    assert payloads[0]["data"]["after"]["attachments"] == [summary]
    sr.refresh_from_db()
    assert sr.version == version + 2


def test_a_failed_transaction_leaves_no_file(world, sr, storage_backend, monkeypatch):
    import servicerequests.services.attachments as service

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(service, "audit_event_record", broken)
    with pytest.raises(RuntimeError):
        attachments_add(
            actor=world.admin,
            service_request=sr,
            files=[IncomingFile("a.txt", b"hello\n", 6)],
            source="api",
        )
    assert storage_backend() == []
    assert not Attachment.objects.exists()


def test_the_purge_policy(world, settings, storage_backend, django_capture_on_commit_callbacks):
    now = timezone.now()
    old = ServiceRequestFactory(
        partner=world.partner, customer=world.customer, status="closed", closed_at=now - timedelta(days=31)
    )
    recent = ServiceRequestFactory(
        partner=world.partner, customer=world.customer, status="closed", closed_at=now - timedelta(days=5)
    )
    still_open = ServiceRequestFactory(partner=world.partner, customer=world.customer, status="open")
    for request in (old, recent, still_open):
        attachments_add(
            actor=None,
            service_request=request,
            files=[IncomingFile("diagnostic results.txt", b"ok\n", 3)],
            source="portal",
            author_name="Portal engineer",
        )
    assert attachment_purge(now=now) == 0  # off by default
    settings.ATTACHMENT_RETENTION_DAYS = 30
    from servicerequests.tasks import purge_attachments

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_attachments() == 1
    assert sorted(Attachment.objects.values_list("request_id", flat=True)) == sorted(
        [recent.pk, still_open.pk]
    )
    assert len(storage_backend()) == 2
    event = AuditEvent.objects.get(action="servicerequest.attachments_purged")
    assert (event.object_id, event.after["retentionDays"]) == (old.pk, 30)
    assert attachment_purge(now=now) == 0
