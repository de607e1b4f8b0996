"""What the service request writes share: who may change a request, the limits of its texts, and the
version bump every change makes. Used by the filing, update and dispatch services (and by
``portals.dispatch``); it writes nothing by itself except through ``service_request_bump`` and
``note_add``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.choices import PartnerCenterRole
from partners.models import User

from ..choices import Status
from ..models import Note, ServiceRequest

#: Partner Center roles that may change a request (SR-VIEW: a sales agent only reads); a helpdesk
#: agent only the requests assigned to them (``ASSIGNED_ONLY_ROLES``).
WRITE_ROLES = frozenset(
    {PartnerCenterRole.ADMIN_AGENT, PartnerCenterRole.HELPDESK_AGENT, PartnerCenterRole.SUPPORT_MANAGER}
)
#: Roles that change (status, severity, notes) only the requests assigned to them.
ASSIGNED_ONLY_ROLES = frozenset({PartnerCenterRole.HELPDESK_AGENT})
ASSIGNED_ONLY_REFUSAL = "SR-VIEW: a helpdesk agent changes only the requests assigned to them."
#: Roles that may assign a request to someone.
ASSIGN_ROLES = frozenset({PartnerCenterRole.SUPPORT_MANAGER})
#: Roles a user must hold to be an assignee (they must be able to see it: SR-VIEW).
ASSIGNABLE_ROLES = WRITE_ROLES
#: Statuses a user may set (``none`` belongs to the time before dispatch).
SETTABLE_STATUSES = frozenset({Status.OPEN, Status.ATTENTION_NEEDED, Status.CLOSED})

TITLE_MAX = 200
TEXT_MAX = 10000
UNSET: Any = object()


def service_request_write_refusal(actor: User, service_request: ServiceRequest) -> str:
    """Why ``actor`` may not change ``service_request`` (status, severity, notes), or ``""`` when
    they may: users of the filing partner with a ``WRITE_ROLES`` role; one whose only writing role is
    helpdesk agent, only when the request is assigned to them. The browser's pages and the services
    ask this one function."""
    if actor.partner_id is None or actor.partner_id != service_request.partner_id:
        return "SR-VIEW: only users of the filing partner may act on this request."
    roles = actor.role_codes.intersection(WRITE_ROLES)
    if not roles:
        return "SR-VIEW: your roles let you read this request, not change it."
    if roles <= ASSIGNED_ONLY_ROLES and service_request.assigned_to_id != actor.pk:
        return ASSIGNED_ONLY_REFUSAL
    return ""


def require_write_role(actor: User, service_request: ServiceRequest) -> None:
    """Raise ``PermissionDenied`` with ``service_request_write_refusal``'s reason, if it has one."""
    refusal = service_request_write_refusal(actor, service_request)
    if refusal:
        raise PermissionDenied(refusal)


def add_error(errors: dict[str, list[str]], field: str, message: str) -> None:
    """Collect one message for ``field`` (the shape of ``ValidationError(dict)``)."""
    errors.setdefault(field, []).append(message)


def validated_note_text(text: str, field: str = "text") -> str:
    """The stripped note text; ``ValidationError({field: [...]})`` when empty or too long."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: [_("is required.")]})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: [_("must be at most %(max)s characters.") % {"max": TEXT_MAX}]})
    return text


def note_add(
    service_request: ServiceRequest, *, text: str, author: User | None, author_name: str = ""
) -> Note:
    """Write a note on ``service_request`` by ``author`` (or, from a portal, by ``author_name``)."""
    name = author_name or ((author.get_full_name() or author.username) if author else "")
    return Note.objects.create(
        request=service_request, text=text, created_by=author, created_by_name=name, created_at=timezone.now()
    )


def service_request_bump(service_request: ServiceRequest, *, now: datetime, fields: list[str]) -> None:
    """Save ``fields`` with one more version and ``updated_at`` = ``now`` (every change bumps the ETag)."""
    service_request.version += 1
    service_request.updated_at = now
    service_request.save(update_fields=[*fields, "version", "updated_at"])


def service_request_refresh(stale: ServiceRequest, fresh: ServiceRequest) -> None:
    """Copy the fresh row's field values onto the caller's instance."""
    for field in ServiceRequest._meta.concrete_fields:
        setattr(stale, field.attname, getattr(fresh, field.attname))


def audit_value(value):
    """A value as an audit event's JSON records it (datetimes in ISO 8601)."""
    if isinstance(value, datetime):
        return value.isoformat()
    return value
