"""E-mails Partner Center sends about GDAP relationships, as data: kind → subject, body, recipients.

Services call ``notify_on_commit``; the ``gdap.send_notification`` task renders and sends after the
transaction commits, so a rolled-back change never mails anyone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from core.queueing import enqueue
from partners.choices import PartnerCenterRole
from partners.models import User

from .models import Relationship

PARTNER_ADMIN_AGENTS = "partner_admin_agents"
CUSTOMER_ADMINS = "customer_admins"

# kind → (subject, body, recipients). Placeholders: {name}, {partner}, {reseller}, {customer}, {end},
# {days}.
NOTIFICATIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "approved": (
        "GDAP relationship '{name}' approved",
        "{customer} approved the GDAP relationship '{name}' with {partner}. It is active until {end}.\n"
        "Assign its roles to security groups to let your agents act (GDAP-APPROVE).",
        (PARTNER_ADMIN_AGENTS, CUSTOMER_ADMINS),
    ),
    "reseller_approved": (
        "GDAP relationship '{name}' is waiting for {customer}",
        "{reseller} approved the GDAP relationship '{name}' that {partner} created for it with {customer} "
        "(GDAP-INDIRECT-RESELLER). {customer}'s Global Administrator now approves it; once active it grants "
        "{reseller}'s security groups.",
        (PARTNER_ADMIN_AGENTS, CUSTOMER_ADMINS),
    ),
    "rejected": (
        "GDAP relationship '{name}' rejected",
        "The GDAP relationship request '{name}' from {partner} to {customer} was rejected.",
        (PARTNER_ADMIN_AGENTS,),
    ),
    "termination_requested": (
        "GDAP relationship '{name}' is being terminated",
        "Termination of the GDAP relationship '{name}' between {partner} and {customer} was requested. "
        "Its roles no longer apply (GDAP-TERMINATE).",
        (PARTNER_ADMIN_AGENTS, CUSTOMER_ADMINS),
    ),
    "request_expired": (
        "GDAP relationship request '{name}' expired",
        "{customer} did not approve the GDAP relationship request '{name}' within 90 days; it has expired "
        "(GDAP-REQUEST-EXPIRY). Send a new request if you still need access.",
        (PARTNER_ADMIN_AGENTS,),
    ),
    "expiry_notice": (
        "GDAP relationship '{name}' expires in {days} day(s)",
        "The GDAP relationship '{name}' with {customer} expires on {end} and does not auto-extend "
        "(GDAP-EXPIRY-NOTICE). Request a new relationship before then to keep access.",
        (PARTNER_ADMIN_AGENTS,),
    ),
    "expired": (
        "GDAP relationship '{name}' expired",
        "The GDAP relationship '{name}' with {customer} expired on {end}; "
        "it can't be restored (GDAP-EXPIRY).",
        (PARTNER_ADMIN_AGENTS,),
    ),
}


def notify_on_commit(kind: str, relationship_id: str, **extra) -> None:
    """Enqueue the e-mail of ``kind`` about the relationship once the current transaction commits."""
    if kind not in NOTIFICATIONS:
        raise KeyError(kind)

    # robust: the change is committed; a broker outage must not fail the request after it.
    transaction.on_commit(
        lambda: enqueue("gdap.send_notification", kind, str(relationship_id), extra), robust=True
    )


def recipients(relationship, groups) -> list[str]:
    """E-mail addresses of the recipient groups (partner admin agents include a reseller's, for a
    relationship created for one)."""
    addresses: set[str] = set()
    if PARTNER_ADMIN_AGENTS in groups:
        partner_ids = [p for p in (relationship.partner_id, relationship.created_for_reseller_id) if p]
        addresses.update(
            User.objects.filter(
                partner_id__in=partner_ids, is_active=True, roles__role=PartnerCenterRole.ADMIN_AGENT
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    if CUSTOMER_ADMINS in groups:
        addresses.update(
            User.objects.filter(customer_id=relationship.customer_id, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    return sorted(addresses)


def send(kind: str, relationship_id: str, extra: dict | None = None) -> int:
    """Render and send one notification now. Returns the number of recipients (0: nothing sent)."""
    relationship = (
        Relationship.objects.select_related("partner", "customer", "created_for_reseller")
        .filter(pk=relationship_id)
        .first()
    )
    if relationship is None:
        return 0
    subject, body, groups = NOTIFICATIONS[kind]
    to = recipients(relationship, groups)
    if not to:
        return 0
    values = {
        "name": relationship.display_name,
        "partner": relationship.partner.name,
        "reseller": relationship.created_for_reseller.name if relationship.created_for_reseller else "",
        "customer": relationship.customer.name,
        "end": f"{relationship.end_at:%Y-%m-%d %H:%M} UTC" if relationship.end_at else "-",
        "days": (extra or {}).get("days", ""),
    }
    send_mail(subject.format(**values), body.format(**values), settings.DEFAULT_FROM_EMAIL, to)
    return len(to)
