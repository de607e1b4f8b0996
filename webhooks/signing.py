"""Webhook secrets and signatures.

A registration's secret is ``whsec_`` + base64url(HMAC-SHA256(WEBHOOKS_SECRET_KEY, "webhooks:" +
salt)). Only the random salt is stored, so the secret can be re-derived to sign a delivery but is
never shown again after creation, and a copy of the database alone does not reveal it. Rotating
``WEBHOOKS_SECRET_KEY`` (default: ``SECRET_KEY``) changes every secret: registrations must then be
re-created.

Each delivery carries ``X-Signature-SHA256: <hex HMAC-SHA256 of the raw body, keyed with the secret>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

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
