#!/usr/bin/env python3
"""Keep a PSA's ticket list in step with the partner's service requests, the way PSA connectors do.

The "PSA" is a JSON file (``--store``): one ticket per service request, keyed by its id, with the
fields a PSA mirrors (title, status, severity, customer, external ticket id, last change). Two
paths feed it, and either alone converges:

- **Webhooks** (fast path): ``serve`` listens for the portal's signed events
  (``servicerequest-created`` / ``-updated``), verifies each signature (Standard Webhooks: HMAC of
  ``<webhook-id>.<webhook-timestamp>.<body>``, timestamps within 5 minutes), drops duplicates
  (``webhook-id``) and stale events (``sequenceNumber`` per ``resourceUri``), answers 204 at once
  and reads the request at ``resourceUri`` in the background.
- **Reconciliation** (safety net): ``reconcile`` (and ``serve`` every ``--interval`` seconds) lists
  the requests changed since the last run — ``filter`` on ``LastModifiedDate``, ``orderBy=
  lastModifiedDate``, following ``links.next`` page by page — with a little overlap, so an event
  missed while the connector was down, or lost, is picked up on the next pass.

It authenticates as an app registration with client credentials (``POST /oauth2/token``), renews
the token before it expires, and can register the partner's webhook itself (scope
``webhooks.manage``); the signing secret is kept in the store file.

Usage:
    python examples/psa_sync.py --base-url URL --client-id ID --client-secret SECRET \\
        --store psa.json reconcile
    python examples/psa_sync.py ... serve --listen 127.0.0.1:8765 [--register-webhook] \\
        [--interval 60] [--duration 0]
    (or PC_API_BASE_URL, PC_API_CLIENT_ID, PC_API_CLIENT_SECRET in the environment)

Scopes: servicerequests.read (and webhooks.manage for --register-webhook). Needs only `requests`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import queue
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import requests

TOLERANCE = 300  # seconds a webhook timestamp may be off, as the Standard Webhooks libraries allow
OVERLAP = timedelta(minutes=2)  # reconciliation re-reads this much before its watermark
EVENTS = ["servicerequest-created", "servicerequest-updated"]


class SyncError(Exception):
    pass


class Api:
    """The partner's API as an app: client-credentials tokens, renewed a minute before expiry."""

    def __init__(self, base_url: str, client_id: str, client_secret: str, scope: str, timeout: float = 15):
        self.base_url = base_url.rstrip("/")
        self.client_id, self.client_secret, self.scope = client_id, client_secret, scope
        self.timeout = timeout
        self.session = requests.Session()
        self._token, self._expires = "", 0.0
        self._lock = threading.Lock()

    def token(self) -> str:
        with self._lock:
            if time.monotonic() < self._expires - 60:
                return self._token
            response = requests.post(
                f"{self.base_url}/oauth2/token",
                data={"grant_type": "client_credentials", "scope": self.scope},
                auth=(self.client_id, self.client_secret),
                timeout=self.timeout,
            )
            if response.status_code != 200:
                raise SyncError(f"token request refused: {response.status_code} {response.text[:300]}")
            body = response.json()
            self._token, self._expires = body["access_token"], time.monotonic() + body["expires_in"]
            return self._token

    def call(self, method: str, path: str, expect=(200,), **kwargs) -> requests.Response:
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        for attempt in range(4):
            headers = {"Authorization": f"Bearer {self.token()}", "Accept": "application/json"}
            response = self.session.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
            if response.status_code == 429 and attempt < 3:  # throttled: wait as told, then retry
                time.sleep(min(int(response.headers.get("Retry-After", "1")), 30))
                continue
            if response.status_code not in expect:
                raise SyncError(f"{method} {path}: {response.status_code} {response.text[:300]}")
            return response
        raise SyncError(f"{method} {path}: still throttled")


class Store:
    """The PSA: a JSON file written whole (to a temporary file, then renamed) after each change."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self.data = json.loads(path.read_text()) if path.exists() else {}
        self.data.setdefault("tickets", {})
        self.data.setdefault("sequence", {})  # resourceUri → last sequenceNumber applied
        self.data.setdefault("seenDeliveries", [])  # recent webhook ids (dedupe)

    def save(self) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.data, indent=2, sort_keys=True))
        temporary.replace(self.path)

    def upsert(self, request: dict, source: str) -> bool:
        """Write the ticket of one service request; False when the store already has this version."""
        ticket = {
            "serviceRequestId": request["id"],
            "title": request["title"],
            "status": request["status"],
            "severity": request["severity"],
            "customerId": request.get("customerId"),
            "externalTicketId": request.get("externalTicketId", ""),
            "lastModifiedDate": request["lastModifiedDate"],
        }
        with self._lock:
            current = self.data["tickets"].get(request["id"])
            if current and current["lastModifiedDate"] >= ticket["lastModifiedDate"]:
                return False
            self.data["tickets"][request["id"]] = {**ticket, "syncedBy": source}
            self.save()
            return True

    def first_sight(self, delivery_id: str, resource: str, sequence: int | None) -> bool:
        """True for a delivery not seen before and newer than the last one about the resource."""
        with self._lock:
            if delivery_id in self.data["seenDeliveries"]:
                return False
            self.data["seenDeliveries"] = [*self.data["seenDeliveries"][-999:], delivery_id]
            if sequence is not None:
                if sequence <= self.data["sequence"].get(resource, -1):
                    self.save()
                    return False
                self.data["sequence"][resource] = sequence
            self.save()
            return True


def reconcile(api: Api, store: Store) -> int:
    """Read every request changed since the watermark (minus OVERLAP), oldest change first,
    following ``links.next``; returns how many tickets changed."""
    since = store.data.get("watermark")
    params = {"orderBy": "lastModifiedDate", "size": 100}
    if since:
        start = datetime.fromisoformat(since.replace("Z", "+00:00")) - OVERLAP
        params["filter"] = json.dumps(
            {"Field": "LastModifiedDate", "Value": start.isoformat(), "Operator": "greater_than_or_equals"}
        )
    started = datetime.now(UTC)
    changed, path = 0, "/v1/servicerequests"
    while path:
        page = api.call("GET", path, params=params).json()
        for request in page["items"]:
            changed += store.upsert(request, "reconciliation")
        following = page.get("links", {}).get("next")
        path, params = (following["uri"], None) if following else (None, None)
    with store._lock:
        store.data["watermark"] = started.isoformat()
        store.save()
    return changed


def webhook_key(secret: str) -> bytes:
    encoded = secret.removeprefix("whsec_")
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))


def verify(key: bytes, headers, body: bytes, now: float | None = None) -> dict:
    """The event of a correctly signed delivery; ``SyncError`` for anything else."""
    delivery_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (delivery_id and timestamp.isascii() and timestamp.isdigit() and signatures):
        raise SyncError("unsigned delivery")
    if abs((now or time.time()) - int(timestamp)) > TOLERANCE:
        raise SyncError("timestamp too far from now")
    signed = f"{delivery_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    presented = [part.split(",", 1)[1] for part in signatures.split() if part.startswith("v1,")]
    if not any(hmac.compare_digest(expected, candidate) for candidate in presented):
        raise SyncError("bad signature")
    return json.loads(body)


def register_webhook(api: Api, store: Store, url: str) -> None:
    """(Re-)register the partner's webhook to ``url`` and keep its signing secret in the store."""
    api.call("DELETE", "/v1/webhooks/registration", expect=(204, 404))
    created = api.call(
        "POST", "/v1/webhooks/registration", expect=(201,), json={"webhookUrl": url, "webhookEvents": EVENTS}
    ).json()
    with store._lock:
        store.data["webhookSecret"] = created["webhookSecret"]
        store.save()


def serve(api: Api, store: Store, listen: str, interval: float, duration: float) -> None:
    if not store.data.get("webhookSecret"):
        raise SyncError("no webhook secret in the store: run with --register-webhook once")
    key = webhook_key(store.data["webhookSecret"])
    work: queue.Queue = queue.Queue()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                event = verify(key, {k.lower(): v for k, v in self.headers.items()}, body)
            except (SyncError, ValueError) as exc:
                print(f"    refused a delivery: {exc}", flush=True)
                self.send_response(401)
                self.end_headers()
                return
            work.put((self.headers["webhook-id"], event))
            self.send_response(204)  # acknowledge at once; the work happens in the background
            self.end_headers()

        def log_message(self, *args):
            return

    def worker():
        while True:
            delivery_id, event = work.get()
            try:
                resource = event.get("resourceUri", "")
                if not event.get("eventName", "").startswith("servicerequest-"):
                    continue
                if not store.first_sight(delivery_id, resource, event.get("sequenceNumber")):
                    continue
                request = api.call("GET", urlparse(resource).path).json()
                if store.upsert(request, "webhook"):
                    print(f"    webhook: ticket {request['id']} is {request['status']}", flush=True)
            except (SyncError, requests.RequestException, KeyError, ValueError) as exc:
                print(f"    webhook work failed (reconciliation will catch up): {exc}", flush=True)

    host, port = listen.rsplit(":", 1)
    server = ThreadingHTTPServer((host, int(port)), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=worker, daemon=True).start()
    print(f"listening on http://{listen}/ ; reconciling every {interval:g} s", flush=True)
    deadline = time.monotonic() + duration if duration else None
    try:
        while deadline is None or time.monotonic() < deadline:
            try:
                print(f"reconciled: {reconcile(api, store)} ticket(s) changed", flush=True)
            except (SyncError, requests.RequestException) as exc:
                print(f"reconciliation failed, next pass retries: {exc}", flush=True)
            time.sleep(interval if deadline is None else max(0.0, min(interval, deadline - time.monotonic())))
    finally:
        server.shutdown()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base-url", default=os.environ.get("PC_API_BASE_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--client-id", default=os.environ.get("PC_API_CLIENT_ID", ""))
    parser.add_argument("--client-secret", default=os.environ.get("PC_API_CLIENT_SECRET", ""))
    parser.add_argument("--store", type=Path, default=Path("psa-tickets.json"))
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("reconcile", help="one reconciliation pass, then exit")
    serving = commands.add_parser("serve", help="receive webhooks and reconcile periodically")
    serving.add_argument("--listen", default="127.0.0.1:8765", help="host:port of the webhook receiver")
    serving.add_argument("--public-url", help="URL the portal posts to (default: http://<listen>/)")
    serving.add_argument("--register-webhook", action="store_true", help="(re-)register the webhook first")
    serving.add_argument("--interval", type=float, default=60.0, help="seconds between reconciliations")
    serving.add_argument(
        "--duration", type=float, default=0.0, help="stop after this many seconds (0: never)"
    )
    args = parser.parse_args(argv)
    if not (args.client_id and args.client_secret):
        parser.error("app credentials are needed: --client-id/--client-secret or PC_API_CLIENT_ID/_SECRET")
    scope = "servicerequests.read"
    if args.command == "serve" and args.register_webhook:
        scope += " webhooks.manage"
    api = Api(args.base_url, args.client_id, args.client_secret, scope)
    store = Store(args.store)
    try:
        if args.command == "reconcile":
            changed = reconcile(api, store)
            print(f"reconciled: {changed} ticket(s) changed; {len(store.data['tickets'])} in the PSA")
            return 0
        if args.register_webhook:
            register_webhook(api, store, args.public_url or f"http://{args.listen}/")
        serve(api, store, args.listen, args.interval, args.duration)
    except (SyncError, requests.RequestException, KeyError, ValueError) as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
