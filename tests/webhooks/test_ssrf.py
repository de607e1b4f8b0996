"""The SSRF guard: only http/https to public addresses, checked on every resolved address."""

from __future__ import annotations

import socket

import pytest

from audit.models import AuditEvent
from webhooks.models import WebhookRegistration
from webhooks.services import webhook_registration_create
from webhooks.ssrf import WebhookUrlRefused, url_check


@pytest.fixture(autouse=True)
def private_addresses_refused(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False


def fake_dns(monkeypatch, answers: dict[str, list[str]]):
    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in answers[host]]

    monkeypatch.setattr("webhooks.ssrf.socket.getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "resolves to a loopback address (127.0.0.1)"),
        ("http://10.0.0.1/", "resolves to a private address (10.0.0.1)"),
        ("http://192.168.1.20:8080/hook", "resolves to a private address (192.168.1.20)"),
        ("http://169.254.169.254/latest/meta-data/", "resolves to a link-local address (169.254.169.254)"),
        ("http://[::1]/", "resolves to a loopback address (::1)"),
        ("http://[::ffff:127.0.0.1]/", "resolves to a loopback address (127.0.0.1)"),
        ("http://0.0.0.0/", "resolves to an unspecified address (0.0.0.0)"),
        ("http://224.0.0.1/", "resolves to a multicast address (224.0.0.1)"),
        ("http://100.64.0.1/", "resolves to a non-public address (100.64.0.1)"),
        ("http://localhost:8000/hook", "resolves to a loopback address"),
        ("http://[2002:7f00:1::]/", "resolves to a 6to4 address embedding 127.0.0.1 (2002:7f00:1::)"),
        ("http://[2002:808:808::1]/", "resolves to a 6to4 address embedding 8.8.8.8"),
        (
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
            "resolves to a Teredo address embedding 127.0.0.1",
        ),
        ("http://[64:ff9b::7f00:1]/", "resolves to a NAT64 address embedding 127.0.0.1 (64:ff9b::7f00:1)"),
        ("http://[64:ff9b:1::a00:1]/", "resolves to a NAT64 address embedding 10.0.0.1"),
        ("http://[::7f00:1]/", "resolves to an IPv4-compatible address embedding 127.0.0.1"),
    ],
)
def test_non_public_addresses_are_refused(url, reason):
    with pytest.raises(WebhookUrlRefused) as caught:
        url_check(url)
    assert caught.value.reason.startswith(reason)
    assert caught.value.reason.endswith("webhooks are only sent to public addresses")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "is required"),
        ("ftp://hooks.example.com/", "must be an http or https URL"),
        ("file:///etc/passwd", "must be an http or https URL"),
        ("javascript:alert(1)", "must be an http or https URL"),
        ("https://user:secret@hooks.example.com/", "must not contain credentials (user:password@)"),
        ("https:///nohost", "must name a host"),
        ("https://hooks.example.com/#frag", "must not contain a fragment (#...)"),
        ("https://hooks.example.com:99999/", "is not a valid URL"),
        ("https://" + "a" * 2000 + ".example.com/", "must be at most 2000 characters"),
    ],
)
def test_malformed_urls_are_refused(url, reason):
    with pytest.raises(WebhookUrlRefused) as caught:
        url_check(url)
    assert caught.value.reason.startswith(reason)


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    fake_dns(monkeypatch, {"hooks.example.com": ["93.184.216.34", "10.1.2.3"]})
    with pytest.raises(WebhookUrlRefused) as caught:
        url_check("https://hooks.example.com/pc")
    assert caught.value.reason.startswith("resolves to a private address (10.1.2.3)")


def test_an_unresolvable_name_is_refused(monkeypatch):
    fake_dns(monkeypatch, {})
    with pytest.raises(WebhookUrlRefused) as caught:
        url_check("https://nowhere.example.com/")
    assert caught.value.reason.startswith("the host name 'nowhere.example.com' does not resolve")


def test_a_public_name_connects_to_the_checked_address(monkeypatch):
    fake_dns(monkeypatch, {"hooks.example.com": ["93.184.216.34"]})
    target = url_check("https://hooks.example.com/pc?x=1")
    assert (target.address, target.port, target.host_header) == ("93.184.216.34", 443, "hooks.example.com")
    assert target.connect_url == "https://93.184.216.34:443/pc?x=1"


def test_a_public_ip_literal_needs_no_resolution(monkeypatch, settings):
    fake_dns(monkeypatch, {})
    settings.WEBHOOKS_ALLOWED_PORTS = [80, 443, 8080]
    target = url_check("http://93.184.216.34:8080/hook")
    assert (target.connect_url, target.host_header) == (
        "http://93.184.216.34:8080/hook",
        "93.184.216.34:8080",
    )


def test_the_setting_allows_private_addresses(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    assert url_check("http://127.0.0.1:9/x").address == "127.0.0.1"


def test_registration_refuses_a_private_url_and_writes_nothing(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        webhook_registration_create(
            actor=world.admin, url="http://169.254.169.254/", events=["servicerequest-created"]
        )
    assert caught.value.message_dict == {
        "url": [
            "resolves to a link-local address (169.254.169.254): webhooks are only sent to public addresses"
        ]
    }
    assert WebhookRegistration.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize("url", ["https://hooks.example.com:6379/", "http://hooks.example.com:8080/x"])
def test_ports_other_than_80_and_443_are_refused(monkeypatch, url):
    fake_dns(monkeypatch, {"hooks.example.com": ["93.184.216.34"]})
    with pytest.raises(WebhookUrlRefused) as caught:
        url_check(url)
    assert caught.value.reason == f"must use port 80, 443 (not {url.split(':')[2].split('/')[0]})"


def test_allowed_ports_are_configurable(monkeypatch, settings):
    fake_dns(monkeypatch, {"hooks.example.com": ["93.184.216.34"]})
    settings.WEBHOOKS_ALLOWED_PORTS = [443, 8443]
    assert url_check("https://hooks.example.com:8443/in").port == 8443
    assert url_check("https://hooks.example.com/in").port == 443
    with pytest.raises(WebhookUrlRefused, match="must use port 443, 8443"):
        url_check("http://hooks.example.com/in")
