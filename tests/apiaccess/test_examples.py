"""The integration recipes run against a live server: examples/client.py as an app, and
examples/psa_sync.py keeping a JSON "PSA" in step, converging after a missed webhook."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

from apiaccess.applications import application_create
from servicerequests.models import ServiceRequest
from tests.api.conftest import make_partner_world

EXAMPLES = Path(settings.BASE_DIR) / "examples"
SYNC_SCOPES = ["customers.read", "servicerequests.read", "servicerequests.write", "webhooks.manage"]
FILING = {
    "title": "Mail stuck in the outbox",
    "description": "Since this morning mail to external recipients stays in the outbox.",
    "severity": "moderate",
    "workload": "m365",
    "supportTopicId": 32444611,
}


def _app(world, scopes):
    registration, _row, secret = application_create(
        actor=world.admin, display_name="Integration", scopes=scopes, security_group_ids=[world.group.pk]
    )
    return registration, secret


def _env(live_server, registration, secret) -> dict:
    return {
        **os.environ,
        "PC_API_BASE_URL": live_server.url,
        "PC_API_CLIENT_ID": registration.client_id,
        "PC_API_CLIENT_SECRET": secret,
    }


@pytest.mark.django_db(transaction=True)
def test_client_example_runs_as_an_app(live_server):
    world = make_partner_world("Live")
    registration, secret = _app(world, ["customers.read", "servicerequests.read", "servicerequests.write"])
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "client.py"), "--wait", "20"],
        env=_env(live_server, registration, secret),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: every step succeeded" in result.stdout
    filed = ServiceRequest.objects.get()
    assert filed.created_by_id == registration.service_user_id


@pytest.mark.django_db(transaction=True)
def test_client_example_fails_with_a_bad_secret(live_server):
    world = make_partner_world("Live")
    registration, secret = _app(world, ["customers.read"])
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "client.py")],
        env=_env(live_server, registration, secret + "x"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "POST /oauth2/token: expected 200, got 401" in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(predicate, timeout: float = 30.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _tickets(store: Path) -> dict:
    try:
        return json.loads(store.read_text())["tickets"]
    except (FileNotFoundError, json.JSONDecodeError, KeyError):
        return {}


def _api(live_server, registration, secret) -> requests.Session:
    token = requests.post(
        f"{live_server.url}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(registration.client_id, secret),
        timeout=15,
    ).json()["access_token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


@pytest.mark.django_db(transaction=True)
def test_psa_sync_follows_webhooks_and_converges_after_a_missed_one(live_server, settings, tmp_path):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    world = make_partner_world("Sync")
    registration, secret = _app(world, SYNC_SCOPES)
    env = _env(live_server, registration, secret)
    store = tmp_path / "psa.json"
    port = _free_port()
    sync = [sys.executable, str(EXAMPLES / "psa_sync.py"), "--store", str(store)]
    api = _api(live_server, registration, secret)
    files_url = f"{live_server.url}/v1/customers/{world.customer.pk}/servicerequests"

    connector = subprocess.Popen(
        [*sync, "serve", "--listen", f"127.0.0.1:{port}", "--register-webhook", "--interval", "3600"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert "listening on" in connector.stdout.readline()
        _wait_for(
            lambda: "watermark" in json.loads(store.read_text() or "{}"), what="the first reconciliation"
        )
        # An unsigned (or forged) delivery is refused.
        assert (
            requests.post(f"http://127.0.0.1:{port}/", json={"eventName": "x"}, timeout=5).status_code == 401
        )

        # 1. Filed → created and dispatched (open): the webhooks bring the ticket, status open.
        first = api.post(files_url, json=FILING, timeout=30)
        assert first.status_code == 201, first.text
        first_id = first.json()["id"]
        ticket = _wait_for(
            lambda: _tickets(store).get(first_id, {}).get("status") == "open" and _tickets(store)[first_id],
            what="the webhook's ticket",
        )
        assert ticket["syncedBy"] == "webhook"
    finally:
        connector.terminate()
        connector.wait(timeout=10)

    # 2. The connector is down: the close of the first request and a second request are missed.
    current = api.get(f"{files_url}/{first_id}", timeout=15)
    closed = api.patch(
        f"{files_url}/{first_id}",
        json={"status": "closed"},
        headers={"If-Match": current.headers["ETag"]},
        timeout=30,
    )
    assert closed.status_code == 200, closed.text
    second = api.post(files_url, json={**FILING, "title": "Teams calls drop"}, timeout=30)
    assert second.status_code == 201
    assert _tickets(store)[first_id]["status"] == "open"  # the PSA missed it
    assert second.json()["id"] not in _tickets(store)

    # 3. The next reconciliation (filter on LastModifiedDate, orderBy, links.next) converges.
    result = subprocess.run([*sync, "reconcile"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = api.get(f"{live_server.url}/v1/servicerequests", params={"size": 500}, timeout=15).json()[
        "items"
    ]
    expected = {r["id"]: (r["status"], r["lastModifiedDate"]) for r in listed}
    tickets = _tickets(store)
    assert {i: (t["status"], t["lastModifiedDate"]) for i, t in tickets.items()} == expected
    assert tickets[first_id]["status"] == "closed"
    assert tickets[second.json()["id"]]["syncedBy"] == "reconciliation"


def _load_sync_module():
    spec = importlib.util.spec_from_file_location("psa_sync", EXAMPLES / "psa_sync.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_signature_check_refuses_forgeries_and_stale_timestamps():
    sync = _load_sync_module()
    import base64
    import hashlib
    import hmac

    key = b"k" * 32
    body = b'{"eventName":"servicerequest-updated"}'
    headers = {"webhook-id": "d1", "webhook-timestamp": "1000"}
    signature = base64.b64encode(hmac.new(key, b"d1.1000." + body, hashlib.sha256).digest()).decode()
    assert sync.verify(key, {**headers, "webhook-signature": f"v1,{signature}"}, body, now=1100)["eventName"]
    for bad in (
        {"webhook-signature": "v1,AAAA"},
        {"webhook-signature": f"v1,{signature}", "webhook-id": "d2"},
    ):
        with pytest.raises(sync.SyncError):
            sync.verify(key, {**headers, **bad}, body, now=1100)
    with pytest.raises(sync.SyncError, match="timestamp"):
        sync.verify(key, {**headers, "webhook-signature": f"v1,{signature}"}, body, now=2000)
    assert sync.webhook_key("whsec_" + base64.urlsafe_b64encode(key).decode().rstrip("=")) == key
