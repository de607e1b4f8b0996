"""E-mails Partner Center sends about GDAP relationships, as data: kind → subject, body, recipients.
Each recipient gets it in their stored language (``User.language``), one e-mail per language.

Services call ``notify_on_commit``; the ``gdap.send_notification`` task renders and sends after the
transaction commits, so a rolled-back change never mails anyone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.queueing import enqueue
from partners.choices import PartnerCenterRole
from partners.models import User

from .models import Relationship

PARTNER_ADMIN_AGENTS = "partner_admin_agents"
CUSTOMER_ADMINS = "customer_admins"

# kind → (subject, body, recipients). Placeholders: %(name)s, %(partner)s, %(reseller)s, %(customer)s,
# %(end)s, %(days)s. Translated into each recipient's language when sent.
NOTIFICATIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "approved": (
        _("GDAP relationship '%(name)s' approved"),
        _(
            "%(customer)s approved the GDAP relationship '%(name)s' with %(partner)s. It is active until "
            "%(end)s.\nAssign its roles to security groups to let your agents act (GDAP-APPROVE)."
        ),
        (PARTNER_ADMIN_AGENTS, CUSTOMER_ADMINS),
    ),
    "reseller_approved": (
        _("GDAP relationship '%(name)s' is waiting for %(customer)s"),
        _(
            "%(reseller)s approved the GDAP relationship '%(name)s' that %(partner)s created for it with "
            "%(customer)s (GDAP-INDIRECT-RESELLER). The Global Administrator of %(customer)s now approves "
            "it; once active it grants the security groups of %(reseller)s."
        ),
        (PARTNER_ADMIN_AGENTS, CUSTOMER_ADMINS),
    ),
    "rejected": (
        _("GDAP relationship '%(name)s' rejected"),
        _("The GDAP relationship request '%(name)s' from %(partner)s to %(customer)s was rejected."),
        (PARTNER_ADMIN_AGENTS,),
    ),
    "termination_requested": (
        _("GDAP relationship '%(name)s' is being terminated"),
        _(
            "Termination of the GDAP relationship '%(name)s' between %(partner)s and %(customer)s was "
            "requested. Its roles no longer apply (GDAP-TERMINATE)."
        ),
        (PARTNER_ADMIN_AGENTS, CUSTOMER_ADMINS),
    ),
    "request_expired": (
        _("GDAP relationship request '%(name)s' expired"),
        _(
            "%(customer)s did not approve the GDAP relationship request '%(name)s' within 90 days; it has "
            "expired (GDAP-REQUEST-EXPIRY). Send a new request if you still need access."
        ),
        (PARTNER_ADMIN_AGENTS,),
    ),
    "expiry_notice": (
        _("GDAP relationship '%(name)s' expires in %(days)s day(s)"),
        _(
            "The GDAP relationship '%(name)s' with %(customer)s expires on %(end)s and does not "
            "auto-extend (GDAP-EXPIRY-NOTICE). Request a new relationship before then to keep access."
        ),
        (PARTNER_ADMIN_AGENTS,),
    ),
    "expired": (
        _("GDAP relationship '%(name)s' expired"),
        _(
            "The GDAP relationship '%(name)s' with %(customer)s expired on %(end)s; it can't be restored "
            "(GDAP-EXPIRY)."
        ),
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


def recipients(relationship, groups) -> dict[str, list[str]]:
    """E-mail addresses of the recipient groups by language (``language`` code → sorted addresses;
    a user without a stored language gets ``settings.LANGUAGE_CODE``). Partner admin agents include a
    reseller's, for a relationship created for one."""
    users = User.objects.none()
    if PARTNER_ADMIN_AGENTS in groups:
        partner_ids = [p for p in (relationship.partner_id, relationship.created_for_reseller_id) if p]
        users = users | User.objects.filter(
            partner_id__in=partner_ids, is_active=True, roles__role=PartnerCenterRole.ADMIN_AGENT
        )
    if CUSTOMER_ADMINS in groups:
        users = users | User.objects.filter(customer_id=relationship.customer_id, is_active=True)
    by_language: dict[str, set[str]] = {}
    for email, language in users.exclude(email="").values_list("email", "language").distinct():
        by_language.setdefault(user_language_code(language), set()).add(email)
    return {language: sorted(addresses) for language, addresses in sorted(by_language.items())}


def user_language_code(language: str) -> str:
    """A stored language that is still offered, else the default language."""
    offered = {code for code, _name in settings.LANGUAGES}
    return language if language in offered else settings.LANGUAGE_CODE


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
    values = {
        "name": relationship.display_name,
        "partner": relationship.partner.name,
        "reseller": relationship.created_for_reseller.name if relationship.created_for_reseller else "",
        "customer": relationship.customer.name,
        "end": f"{relationship.end_at:%Y-%m-%d %H:%M} UTC" if relationship.end_at else "-",
        "days": (extra or {}).get("days", ""),
    }
    sent = 0
    for language, to in recipients(relationship, groups).items():
        with translation.override(language):
            send_mail(str(subject) % values, str(body) % values, settings.DEFAULT_FROM_EMAIL, to)
        sent += len(to)
    return sent
