"""Webhook secrets and signatures.

A registration's secret is ``whsec_`` + base64url(HMAC-SHA256(WEBHOOKS_SECRET_KEY, "webhooks:" +
salt)). Only the random salt is stored, so the secret can be re-derived to sign a delivery but is
never shown again after creation, and a copy of the database alone does not reveal it. Rotating
``WEBHOOKS_SECRET_KEY`` (default: ``SECRET_KEY``) changes every secret: registrations must then be
re-created.

Each delivery is signed the Standard Webhooks way (https://www.standardwebhooks.com, through the
``standardwebhooks`` library): ``webhook-id`` (the delivery id, the same on every retry),
``webhook-timestamp`` (seconds since the epoch, of this attempt) and ``webhook-signature``
(``v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">``), so a receiver can refuse a replayed
delivery by its timestamp. The key is the secret's 32 bytes: the part after ``whsec_`` is URL-safe
base64; the Standard Webhooks libraries expect standard base64, which ``standard_secret`` gives.

Deprecated, kept for one release: ``X-Signature-SHA256: <hex HMAC-SHA256 of the raw body, keyed with
the secret's text>`` (no timestamp, so a captured delivery can be replayed).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from django.conf import settings
from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
SIGNATURE_HEADER = "X-Signature-SHA256"
DELIVERY_ID_HEADER = "X-Delivery-Id"
EVENT_NAME_HEADER = "X-Event-Name"


def secret_salt_new() -> str:
    """A fresh random salt for a registration (32 bytes, URL-safe text)."""
    return secrets.token_urlsafe(32)


def secret_for(salt: str) -> str:
    """The signing secret of the registration whose salt is ``salt``."""
    key = settings.WEBHOOKS_SECRET_KEY.encode()
    digest = hmac.new(key, f"webhooks:{salt}".encode(), hashlib.sha256).digest()
    return SECRET_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def signature(secret: str, body: bytes) -> str:
    """The ``X-Signature-SHA256`` value of ``body``: lower-case hex HMAC-SHA256 keyed with ``secret``."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, received: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(signature(secret, body), (received or "").strip().lower())


def secret_key_bytes(secret: str) -> bytes:
    """The 32 key bytes of a ``whsec_`` secret (URL-safe base64 after the prefix)."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))


def standard_secret(secret: str) -> str:
    """The same secret in the form Standard Webhooks libraries take (``whsec_`` + standard base64)."""
    return SECRET_PREFIX + base64.b64encode(secret_key_bytes(secret)).decode()


def standard_headers(secret: str, *, message_id: str, timestamp: datetime, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers of one attempt at a delivery."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(timestamp.timestamp())),
        "webhook-signature": Webhook(secret_key_bytes(secret)).sign(message_id, timestamp, body),
    }
