"""Reads of the audit trail, always scoped to the acting user's partner.

The audit log is read by the partner's admin agents and support managers (``AUDIT_ROLES``); anyone
else gets nothing (and the pages answer 403). Pages use keyset pagination on
``(-occurred_at, -id)`` with an opaque cursor (no COUNT, no OFFSET), backed by the
``audit_partner_*`` indexes that start with the partner.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from partners.choices import PartnerCenterRole
from partners.models import User

from .models import AuditEvent

#: Partner Center roles that may read the partner's audit log.
AUDIT_ROLES = frozenset({PartnerCenterRole.ADMIN_AGENT, PartnerCenterRole.SUPPORT_MANAGER})
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
EXPORT_CHUNK_SIZE = 2000

#: The actions written by this portal, for the filter's suggestions (docs/audit.md describes each).
KNOWN_ACTIONS = (
    "api_token.created",
    "api_token.revoked",
    "auth.permission_denied",
    "auth.sign_in_failed",
    "auth.signed_in",
    "auth.signed_out",
    "dispatch.failed",
    "dispatch.retried",
    "gdap.assignment.created",
    "gdap.assignment.deleting",
    "gdap.assignment.update_requested",
    "gdap.assignment.updated",
    "gdap.relationship.activated",
    "gdap.relationship.approved",
    "gdap.relationship.created",
    "gdap.relationship.deleted",
    "gdap.relationship.expired",
    "gdap.relationship.locked_for_approval",
    "gdap.relationship.rejected",
    "gdap.relationship.terminated",
    "gdap.relationship.termination_requested",
    "gdap.relationship.updated",
    "gdap.role_template.created",
    "portal.ticket_created",
    "portal.ticket_updated",
    "scenario.loaded",
    "scenario.reset",
    "servicerequest.attachment_added",
    "servicerequest.attachment_deleted",
    "servicerequest.attachment_downloaded",
    "servicerequest.attachments_purged",
    "servicerequest.dispatched",
    "servicerequest.filed",
    "servicerequest.filing_denied",
    "servicerequest.handoff_accepted",
    "servicerequest.handoff_created",
    "servicerequest.handoff_declined",
    "servicerequest.handoff_note_added",
    "servicerequest.note_added",
    "servicerequest.portal_updated",
    "servicerequest.sla_breached",
    "servicerequest.updated",
    "webhook.delivered",
    "webhook.delivery_failed",
    "webhook.redelivered",
    "webhook.registration_created",
    "webhook.registration_deleted",
    "webhook.test_requested",
)


class InvalidCursor(ValueError):
    """The ``cursor`` parameter is not one this portal issued."""


def audit_log_visible(*, actor: User) -> bool:
    """Whether the actor may read the partner's audit log."""
    return actor.partner_id is not None and bool(actor.role_codes.intersection(AUDIT_ROLES))


def audit_event_list(*, actor: User) -> QuerySet[AuditEvent]:
    """The events of the actor's partner, newest first; none for users outside ``AUDIT_ROLES``."""
    if not audit_log_visible(actor=actor):
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(partner_id=actor.partner_id).order_by("-occurred_at", "-id")


def audit_events_for_object(*, actor: User, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """The history of one object (oldest first) as far as the actor's partner recorded it.

    Meant for an object's own page (a service request's history): the caller has already checked
    that the actor may see the object (``servicerequests.selectors``), so any role of the partner
    gets its history; users without a partner get nothing. Index ``audit_object_idx``.
    """
    if actor.partner_id is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(
        partner_id=actor.partner_id, object_type=object_type, object_id=str(object_id)
    ).order_by("occurred_at", "id")


@dataclass
class AuditFilters:
    """The filters of the audit log page, the CSV export and ``/v1/auditrecords``."""

    actor_id: int | None = None
    customer_id: object = None
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive
    extra: dict = field(default_factory=dict)

    def apply(self, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if self.actor_id is not None:
            queryset = queryset.filter(actor_id=self.actor_id)
        if self.customer_id:
            queryset = queryset.filter(customer_id=self.customer_id)
        if self.action:
            queryset = queryset.filter(action=self.action)
        if self.object_type:
            queryset = queryset.filter(object_type=self.object_type)
        if self.object_id:
            queryset = queryset.filter(object_id=self.object_id)
        if self.start is not None:
            queryset = queryset.filter(occurred_at__gte=self.start)
        if self.end is not None:
            queryset = queryset.filter(occurred_at__lt=self.end)
        return queryset


def day_start(value: date) -> datetime:
    """Midnight UTC at the start of ``value``."""
    return datetime.combine(value, time.min, tzinfo=UTC)


def day_after(value: date) -> datetime:
    """Midnight UTC at the end of ``value`` (the exclusive bound of an inclusive date range)."""
    return day_start(value + timedelta(days=1))


def parse_instant(raw: str, *, end: bool = False) -> datetime:
    """A ``/v1`` date parameter: an ISO date (a whole UTC day; as an end date, inclusive) or an
    ISO date-time (UTC when it has no offset). ``ValueError`` otherwise."""
    raw = (raw or "").strip()
    if len(raw) == 10:
        value = date.fromisoformat(raw)
        return day_after(value) if end else day_start(value)
    parsed = parse_datetime(raw.replace("Z", "+00:00"))
    if parsed is None:
        raise ValueError(f"{raw!r} is not an ISO 8601 date or date-time")
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


# Keyset pagination -------------------------------------------------------------------------------


def cursor_encode(event: AuditEvent) -> str:
    """The opaque cursor that continues after ``event``."""
    raw = json.dumps([event.occurred_at.isoformat(), event.pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[datetime, int]:
    """``(occurred_at, id)`` of a cursor; :class:`InvalidCursor` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        occurred_at, pk = json.loads(raw)
        instant = datetime.fromisoformat(occurred_at)
        if not isinstance(pk, int) or timezone.is_naive(instant):
            raise ValueError("bad cursor")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidCursor(_("cursor: not a cursor of this list; start again from the first page")) from exc
    return instant, pk


@dataclass
class AuditPage:
    """One page of the log: its events and the cursor of the next page (None on the last)."""

    events: list[AuditEvent]
    next_cursor: str | None


def audit_event_page(
    queryset: QuerySet[AuditEvent], *, cursor: str = "", size: int = DEFAULT_PAGE_SIZE
) -> AuditPage:
    """The page of ``queryset`` (ordered ``-occurred_at, -id``) after ``cursor``: one query, reading
    ``size + 1`` rows to know whether another page follows."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    if cursor:
        occurred_at, pk = cursor_decode(cursor)
        queryset = queryset.filter(Q(occurred_at__lt=occurred_at) | Q(occurred_at=occurred_at, id__lt=pk))
    rows = list(queryset.order_by("-occurred_at", "-id")[: size + 1])
    events = rows[:size]
    return AuditPage(events=events, next_cursor=cursor_encode(events[-1]) if len(rows) > size else None)


def audit_event_export_rows(queryset: QuerySet[AuditEvent]):
    """Every event of ``queryset`` (newest first), streamed from the database in chunks."""
    return queryset.order_by("-occurred_at", "-id").iterator(chunk_size=EXPORT_CHUNK_SIZE)
