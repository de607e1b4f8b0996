"""SSRF guard for webhook URLs: checked at registration and again at every delivery attempt.

Only ``http``/``https`` URLs without credentials are accepted, and every address the host resolves
to must be a public unicast address: private, loopback, link-local, multicast, reserved, unspecified,
shared (CGNAT) and other non-global ranges are refused, as are IPv4-mapped IPv6 forms of them, and
every IPv6 address that embeds an IPv4 address through a transition mechanism — 6to4
(``2002::/16``), Teredo (``2001::/32``), NAT64 (``64:ff9b::/96``, ``64:ff9b:1::/48``) and the deprecated
IPv4-compatible form (``::a.b.c.d``) — whatever the embedded address, since the network may route
them to it. Only ports 80 and 443 are accepted (``WEBHOOKS_ALLOWED_PORTS`` adds others). At
delivery the connection goes to the address that was checked (``WebhookTarget.address``), so a DNS
answer that changes between check and connect (rebinding) can't redirect it. With
``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`` on (tests, local demos) the address and port checks are skipped.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

ALLOWED_SCHEMES = ("http", "https")
URL_MAX = 2000
DEFAULT_PORTS = {"http": 80, "https": 443}
# IPv6 ranges that carry an IPv4 address inside (transition mechanisms), with the bits that hold it.
NAT64_NETWORKS = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class WebhookUrlRefused(ValueError):
    """The URL may not receive webhooks; ``reason`` says why (shown to the user)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class WebhookTarget:
    """A checked URL: where to connect (``address``) and what to say (host, port, path)."""

    url: str
    scheme: str
    host: str
    port: int
    address: str
    path: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def connect_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        address = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.scheme}://{address}:{self.port}{self.path}"


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The transition mechanism and the IPv4 address an IPv6 address carries, if any."""
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    if ip.teredo is not None:
        return "Teredo", ip.teredo[1]
    if any(ip in network for network in NAT64_NETWORKS):
        return "NAT64", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in IPV4_COMPATIBLE and int(ip) > 1:
        return "IPv4-compatible", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


#: An address that may not receive webhooks, in words, per kind (whole noun phrases, translated).
_EMBEDDING = {
    "6to4": pgettext_lazy("refused address", "a 6to4 address embedding %(ipv4)s (%(ip)s)"),
    "Teredo": pgettext_lazy("refused address", "a Teredo address embedding %(ipv4)s (%(ip)s)"),
    "NAT64": pgettext_lazy("refused address", "a NAT64 address embedding %(ipv4)s (%(ip)s)"),
    "IPv4-compatible": pgettext_lazy(
        "refused address", "an IPv4-compatible address embedding %(ipv4)s (%(ip)s)"
    ),
}
_KINDS = (
    ("is_unspecified", pgettext_lazy("refused address", "an unspecified address (%(ip)s)")),
    ("is_loopback", pgettext_lazy("refused address", "a loopback address (%(ip)s)")),
    ("is_link_local", pgettext_lazy("refused address", "a link-local address (%(ip)s)")),
    ("is_multicast", pgettext_lazy("refused address", "a multicast address (%(ip)s)")),
    ("is_reserved", pgettext_lazy("refused address", "a reserved address (%(ip)s)")),
    ("is_private", pgettext_lazy("refused address", "a private address (%(ip)s)")),
)


def address_refusal(address: str) -> str | None:
    """Why ``address`` may not receive webhooks (a noun phrase in the active language, e.g. "a
    private address (10.0.0.1)"), or None when it is a public unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address) and (embedded := _embedded_ipv4(ip)) is not None:
        mechanism, ipv4 = embedded
        return str(_EMBEDDING[mechanism]) % {"ipv4": ipv4, "ip": ip}
    for attribute, phrase in _KINDS:
        if getattr(ip, attribute):
            return str(phrase) % {"ip": ip}
    if not ip.is_global:
        return pgettext("refused address", "a non-public address (%(ip)s)") % {"ip": ip}
    return None


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookUrlRefused(
            _("the host name %(host)s does not resolve (%(error)s)") % {"host": repr(host), "error": exc}
        ) from None
    addresses = []
    for info in infos:
        address = info[4][0]
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise WebhookUrlRefused(_("the host name %(host)s does not resolve") % {"host": repr(host)})
    return addresses


def url_check(url: str, *, resolve: bool = True) -> WebhookTarget:
    """Check ``url``; return where to connect. Raises :class:`WebhookUrlRefused` with the reason.

    Every resolved address is checked (a host with one public and one private address is refused),
    unless ``WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`` is on.
    """
    url = (url or "").strip()
    if not url:
        raise WebhookUrlRefused(_("is required"))
    if len(url) > URL_MAX:
        raise WebhookUrlRefused(_("must be at most %(max)s characters") % {"max": URL_MAX})
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookUrlRefused(f"is not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise WebhookUrlRefused(_("must be an http or https URL"))
    if parts.username is not None or parts.password is not None:
        raise WebhookUrlRefused(_("must not contain credentials (user:password@)"))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise WebhookUrlRefused(_("must name a host"))
    if parts.fragment:
        raise WebhookUrlRefused(_("must not contain a fragment (#...)"))
    port = port or DEFAULT_PORTS[scheme]
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    elif resolve:
        addresses = _resolve(host, port)
    else:
        addresses = [host]
    if not allow_private and (literal is not None or resolve):
        for address in addresses:
            reason = address_refusal(address)
            if reason is not None:
                raise WebhookUrlRefused(
                    _("resolves to %(address)s: webhooks are only sent to public addresses")
                    % {"address": reason}
                )
    if not allow_private and port not in settings.WEBHOOKS_ALLOWED_PORTS:
        allowed = ", ".join(str(p) for p in settings.WEBHOOKS_ALLOWED_PORTS)
        raise WebhookUrlRefused(
            _("must use port %(allowed)s (not %(port)s)") % {"allowed": allowed, "port": port}
        )
    return WebhookTarget(url=url, scheme=scheme, host=host, port=port, address=addresses[0], path=path)
