"""Reads about service requests, always scoped to the acting user's partner (SR-VIEW)."""

import time

from django.db.models import Exists, QuerySet

from partners.choices import PartnerCenterRole
from partners.models import User, UserRole

from .models import ServiceRequest, SupportTopic

VIEW_ROLES = frozenset(
    {
        PartnerCenterRole.ADMIN_AGENT,
        PartnerCenterRole.HELPDESK_AGENT,
        PartnerCenterRole.SALES_AGENT,
        PartnerCenterRole.SUPPORT_MANAGER,
    }
)


def service_request_list(*, actor: User) -> QuerySet[ServiceRequest]:
    """The requests of the actor's partner, if the actor holds a role of SR-VIEW; else none.

    The role is checked by the query itself (an ``EXISTS`` over the actor's roles, which the
    database evaluates once per query), so that reading a list costs no query of its own for the
    actor's roles (an API call's user comes without them)."""
    if actor.partner_id is None:
        return ServiceRequest.objects.none()
    may_view = Exists(UserRole.objects.filter(user_id=actor.pk, role__in=VIEW_ROLES))
    return ServiceRequest.objects.filter(may_view, partner_id=actor.partner_id)


def service_requests_filed_for_customer(*, actor: User) -> QuerySet[ServiceRequest]:
    """For a customer's admin: the requests partners filed on the customer's behalf, every partner's,
    newest first, partner loaded (none for anyone else). The caller shows only what a customer may
    read: no notes, assignees or eligibility details."""
    if actor.customer_id is None:
        return ServiceRequest.objects.none()
    return (
        ServiceRequest.objects.filter(customer_id=actor.customer_id)
        .select_related("partner")
        .order_by("-created_at", "-id")
    )


#: How long a process keeps its copy of the support topic table before reading it again. Topics are
#: reference data (loaded by migrations from ``support_topics.SUPPORT_TOPICS``); an edit in this
#: process clears the copy at once, one in another process (the admin site) is seen within this
#: (a topic deleted there and named by a filing here within it fails that filing's foreign key).
SUPPORT_TOPICS_CACHE_SECONDS = 60.0

_TOPIC_FIELDS = ("id", "workload", "name", "description")
_support_topics: tuple[float, dict[int, tuple[str, str, str]]] | None = None


def support_topics_forget(**_kwargs) -> None:
    """Drop this process's copy of the support topic table (a signal receiver: a topic was saved or
    deleted)."""
    global _support_topics
    _support_topics = None


def support_topic_get(topic_id: int) -> SupportTopic | None:
    """The support topic with this id (a fresh instance of the stored row, as a query gives), or None.

    Reads the whole topic table once per process and keeps it ``SUPPORT_TOPICS_CACHE_SECONDS``
    (one query, a few dozen rows), so that filing validates its topic without a query of its own.
    """
    global _support_topics
    now = time.monotonic()
    if _support_topics is None or now - _support_topics[0] > SUPPORT_TOPICS_CACHE_SECONDS:
        rows = SupportTopic.objects.values_list(*_TOPIC_FIELDS)
        _support_topics = (now, {pk: tuple(rest) for pk, *rest in rows})
    found = _support_topics[1].get(topic_id)
    if found is None:
        return None
    return SupportTopic.from_db(SupportTopic.objects.db, _TOPIC_FIELDS, (topic_id, *found))
