"""Attachments in a real browser, on both storage backends: alice picks a file on the request page
(the upload shows its progress and the page lists the file), drops another onto the form, downloads
it back; a refused file is named on the page and nothing is stored; the portal ticket page uploads
and comes back to itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicerequests.models import Attachment
from tests.e2e.conftest import sign_in
from tests.factories import ServiceRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LOG = b"2026-03-01T10:00:00Z ERROR MailboxMove stalled at 95%\n"


def _drop(page, name: str, content: str) -> None:
    transfer = page.evaluate_handle(
        "([name, content]) => { const t = new DataTransfer();"
        " t.items.add(new File([content], name, {type: 'text/plain'})); return t; }",
        [name, content],
    )
    page.dispatch_event("[data-dropzone]", "drop", {"dataTransfer": transfer})


def test_upload_drop_and_download_round_trip(page, world, storage_backend, tmp_path):
    sr = ServiceRequestFactory(
        partner=world.partner, customer=world.customer, portal="m365", created_by=world.alice
    )
    log = tmp_path / "mailbox move.log"
    log.write_bytes(LOG)
    sign_in(page, "alice")
    page.goto(f"/service-requests/{sr.pk}/")
    assert page.get_by_test_id("no-attachments").is_visible()

    page.get_by_label("Drop logs, screenshots or archives here, or choose files").set_input_files(str(log))
    with page.expect_navigation():
        page.get_by_role("button", name="Attach files").click()
    links = page.get_by_test_id("attachment-link")
    links.first.wait_for()
    assert links.all_inner_texts() == ["mailbox move.log"]

    with page.expect_navigation():
        _drop(page, "dropped notes.txt", "dropped from the desktop\n")
    page.get_by_test_id("attachment-link").nth(1).wait_for()
    assert page.get_by_test_id("attachment-link").all_inner_texts() == [
        "mailbox move.log",
        "dropped notes.txt",
    ]

    with page.expect_download() as download_info:
        page.get_by_test_id("attachment-link").first.click()
    download = download_info.value
    assert download.suggested_filename == "mailbox move.log"
    assert Path(download.path()).read_bytes() == LOG
    assert len(storage_backend()) == 2


def test_a_refused_file_is_named_and_nothing_is_stored(page, world, storage_backend, tmp_path):
    sr = ServiceRequestFactory(partner=world.partner, customer=world.customer, created_by=world.alice)
    fake = tmp_path / "screenshot.png"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 64)
    sign_in(page, "alice")
    page.goto(f"/service-requests/{sr.pk}/")
    page.get_by_label("Drop logs, screenshots or archives here, or choose files").set_input_files(str(fake))
    page.get_by_role("button", name="Attach files").click()
    error = page.locator("[data-upload-error]")
    error.wait_for()
    assert error.inner_text() == (
        "screenshot.png: the content is not a PNG image (its signature does not match). Nothing was attached."
    )
    assert not Attachment.objects.exists()
    assert storage_backend() == []


def test_the_portal_ticket_page_attaches_and_stays(page, world, local_roots, tmp_path):
    sr = ServiceRequestFactory(
        partner=world.partner, customer=world.customer, portal="m365", created_by=world.alice
    )
    har = tmp_path / "sign-in.har"
    har.write_text('{"log": {"version": "1.2", "entries": []}}')
    sign_in(page, "alice")
    url = f"/portals/m365/{world.customer.pk}/requests/{sr.pk}/"
    page.goto(url)
    page.get_by_label("Drop logs, screenshots or archives here, or choose files").set_input_files(str(har))
    with page.expect_navigation():
        page.get_by_role("button", name="Attach files").click()
    page.get_by_test_id("attachment-link").first.wait_for()
    assert page.url.split("#")[0].endswith(url)
    assert page.get_by_test_id("attachment-link").all_inner_texts() == ["sign-in.har"]
    assert Attachment.objects.get().source == "portal"
