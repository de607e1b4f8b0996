"""Fixtures of the webhook tests: a partner world (tests/api), a receiver on 127.0.0.1, settings.

``receiver`` is a real HTTP server in a thread: it records every POST (headers and raw body) and
answers with ``receiver.status`` (200 unless a test changes it). The autouse ``webhook_settings``
allow private addresses (the receiver is on loopback), 3 attempts and no backoff, so that a failing
delivery is retried and failed at once in eager mode.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from servicerequests.models import SupportTopic
from servicerequests.services import service_request_file
from tests.api.conftest import make_partner_world
from webhooks.signing import DELIVERY_ID_HEADER, SIGNATURE_HEADER


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict:
        return json.loads(self.body)

    @property
    def delivery_id(self) -> str:
        return self.headers[DELIVERY_ID_HEADER]

    @property
    def signature(self) -> str:
        return self.headers[SIGNATURE_HEADER]


@dataclass
class Receiver:
    url: str
    status: int = 200
    extra_headers: dict[str, str] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)


@pytest.fixture
def receiver():
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            state.requests.append(Received(headers=dict(self.headers.items()), body=body))
            self.send_response(state.status)
            for name, value in state.extra_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/partnercenter"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    settings.WEBHOOKS_RETRY_BACKOFF = 0.0
    settings.WEBHOOKS_CONNECT_TIMEOUT = 2.0
    settings.WEBHOOKS_READ_TIMEOUT = 2.0
    settings.SITE_URL = "https://portal.example"
    return settings


@pytest.fixture
def world(db):
    return make_partner_world()


def m365_topic_id() -> int:
    return SupportTopic.objects.filter(workload="m365").order_by("pk").values_list("pk", flat=True).first()


def file_m365(world, **overrides):
    values = {
        "actor": world.admin,
        "customer_id": world.customer.pk,
        "workload": "m365",
        "title": "Mailbox migration stuck",
        "description": "The batch has been at 95% since yesterday.",
        "severity": "moderate",
        "support_topic_id": m365_topic_id(),
    }
    values.update(overrides)
    return service_request_file(**values)
