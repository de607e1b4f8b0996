"""Personal API tokens (django-rest-knox): create and revoke, with audit events.

A token is shown once, at creation; only its SHA-512 digest and its first 15 characters
(``token_key``, shown in lists) are stored.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from audit.services import audit_event_record
from core.models import ApiToken
from partners.models import User

NAME_MAX = 100
# Expiry choices offered in the browser, as data: value → (label, lifetime or None = never).
EXPIRY_CHOICES: dict[str, tuple[Promise, timedelta | None]] = {
    "7d": (_("7 days"), timedelta(days=7)),
    "30d": (_("30 days"), timedelta(days=30)),
    "90d": (_("90 days"), timedelta(days=90)),
    "365d": (_("1 year"), timedelta(days=365)),
    "never": (pgettext_lazy("token expiry", "Never"), None),
}
DEFAULT_EXPIRY = "30d"
_DURATION_RE = re.compile(r"^(\d+)([mhd])$")
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_expires_in(value: str) -> timedelta | None:
    """``"30d"``, ``"12h"``, ``"90m"`` → a timedelta; ``"never"`` → None. ``ValueError`` otherwise."""
    value = (value or "").strip().lower()
    if value == "never":
        return None
    match = _DURATION_RE.match(value)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{value!r} is not a duration like 30d, 12h, 90m or never")
    return timedelta(**{_DURATION_UNITS[match.group(2)]: int(match.group(1))})


def api_token_create(*, actor: User, name: str, expires_in: timedelta | None) -> tuple[ApiToken, str]:
    """Create a token for ``actor``; returns ``(row, token)`` — the token string exists only here.

    Raises ``ValidationError({"name": [...]})`` for an empty or too long name.
    Side effects: one token row and an audit event ``api_token.created`` (with the request's
    context), in one transaction.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [gettext("is required.")]})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": [gettext("must be at most %(max)s characters.") % {"max": NAME_MAX}]})
    with transaction.atomic():
        token_row, token = ApiToken.objects.create(user=actor, expiry=expires_in, name=name)
        audit_event_record(
            action="api_token.created",
            actor=actor,
            object_type="partnercenter.ApiToken",
            object_id=token_row.token_key,
            after={"name": name, "expiry": token_row.expiry.isoformat() if token_row.expiry else None},
        )
    return token_row, token


def api_token_revoke(*, actor: User, token_key: str) -> bool:
    """Revoke (delete) the actor's token whose prefix is ``token_key``; False if there is none.

    Side effects: the row is deleted and an audit event ``api_token.revoked`` (with the request's
    context) written, in one transaction. Requests with that token get 401 from then on.
    """
    with transaction.atomic():
        tokens = list(ApiToken.objects.select_for_update().filter(user=actor, token_key=token_key))
        if not tokens:
            return False
        for token_row in tokens:
            token_row.delete()
        audit_event_record(
            action="api_token.revoked",
            actor=actor,
            object_type="partnercenter.ApiToken",
            object_id=token_key,
            before={"name": tokens[0].name},
            after={"revokedAt": timezone.now().isoformat()},
        )
    return True
