"""Client addresses behind proxies: X-Forwarded-For is believed only from TRUSTED_PROXIES, and the
audit trail, sign-in lockout (django-axes) and API throttling all see the same address."""

import pytest
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.test import RequestFactory

from audit.models import AuditEvent
from core.api.throttling import ApiRateThrottle
from core.context import request_ip
from tests.factories import UserFactory

PROXY = "10.0.0.2"
CLIENT = "203.0.113.7"
OTHER_CLIENT = "198.51.100.23"
PASSWORD = "pass-word-123"


def request_from(peer: str | None, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": peer} if peer is not None else {}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    if peer is None:
        del request.META["REMOTE_ADDR"]
    return request


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "expected"),
    [
        # Default: no proxy trusted, the header is ignored.
        ([], PROXY, CLIENT, PROXY),
        ([], CLIENT, None, CLIENT),
        # Through a trusted proxy: the address it forwarded.
        ([PROXY], PROXY, CLIENT, CLIENT),
        (["10.0.0.0/8"], PROXY, CLIENT, CLIENT),
        # What the client wrote itself stays to the left of what the proxy appended.
        ([PROXY], PROXY, f"6.6.6.6, {CLIENT}", CLIENT),
        # A chain of trusted proxies (load balancer, then nginx): skipped from the right.
        (["10.0.0.0/8"], PROXY, f"6.6.6.6, {CLIENT}, 10.1.2.3", CLIENT),
        # From an untrusted peer the header is a claim, not an address.
        ([PROXY], OTHER_CLIENT, CLIENT, OTHER_CLIENT),
        (["10.0.0.0/8"], "10.0.0.2", "", PROXY),
        # A malformed entry ends the walk at the last trusted hop.
        ([PROXY], PROXY, "not-an-address", PROXY),
        (["10.0.0.0/8"], PROXY, f"{CLIENT}, garbage, 10.9.9.9", "10.9.9.9"),
        # Ports, brackets and IPv6.
        ([PROXY], PROXY, f"{CLIENT}:4711", CLIENT),
        (["2001:db8::/32"], "2001:db8::1", "[2a00:1450::9]:443, 2001:db8::5", "2a00:1450::9"),
        (["2001:db8::/32"], "2001:db8::1", "2a00:1450::7", "2a00:1450::7"),
        ([PROXY], None, CLIENT, None),
    ],
)
def test_request_ip(settings, trusted, peer, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    assert request_ip(request_from(peer, forwarded)) == expected


def test_no_request_has_no_address():
    assert request_ip(None) is None


@pytest.mark.parametrize(
    ("trusted", "expected"), [([], PROXY), ([PROXY], CLIENT)], ids=["untrusted-proxy", "trusted-proxy"]
)
def test_axes_and_throttling_read_the_same_address(settings, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    request = request_from(PROXY, CLIENT)
    assert get_client_ip_address(request) == expected
    assert ApiRateThrottle().get_ident(request) == expected


@pytest.fixture
def alice(db):
    axes_reset()
    yield UserFactory(username="alice", roles=["admin_agent"])
    axes_reset()


def fail_sign_in(client, *, peer: str, forwarded: str):
    return client.post(
        "/signin/",
        {"username": "alice", "password": "wrong"},
        REMOTE_ADDR=peer,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.parametrize(
    ("trusted", "expected"), [([], PROXY), ([PROXY], CLIENT)], ids=["untrusted-proxy", "trusted-proxy"]
)
def test_a_failed_sign_in_is_recorded_with_the_client_address(client, settings, alice, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    fail_sign_in(client, peer=PROXY, forwarded=CLIENT)

    [event] = AuditEvent.objects.filter(action="auth.sign_in_failed")
    assert event.ip_address == expected
    [attempt] = AccessAttempt.objects.all()
    assert attempt.ip_address == expected


def test_behind_a_trusted_proxy_lockout_is_per_client(client, settings, alice):
    settings.TRUSTED_PROXIES = [PROXY]
    statuses = [fail_sign_in(client, peer=PROXY, forwarded=CLIENT).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]

    # Another client behind the same proxy is not locked out of the same user name.
    assert fail_sign_in(client, peer=PROXY, forwarded=OTHER_CLIENT).status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT, OTHER_CLIENT}


def test_behind_an_untrusted_proxy_everyone_shares_its_address(client, settings, alice):
    settings.TRUSTED_PROXIES = []
    for _ in range(5):
        fail_sign_in(client, peer=PROXY, forwarded=CLIENT)

    # The header is not believed: a client can't dodge the lock by writing another address in it.
    assert fail_sign_in(client, peer=PROXY, forwarded=OTHER_CLIENT).status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]
