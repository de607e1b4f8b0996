"""HEALTH-BEFORE-ESCALATION: who may view a customer's service health, and why not.

Viewing a customer's service health (before escalating to Microsoft) needs the Partner Center
admin agent role and, through GDAP, an Entra role with the ``service_health`` capability in an
active access assignment in the customer's tenant. The browser explains a refusal in sentences
(``health_access``); the API in its error shape's ``data`` items (``health_view_denial``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from customers.models import Customer, ServiceHealthIssue
from customers.selectors import customer_list
from gdap.models import EntraRole
from gdap.selectors import effective_roles, health_visible_customer_ids
from partners.choices import PartnerCenterRole
from partners.models import User

HEALTH_RULE = "HEALTH-BEFORE-ESCALATION"
# What viewing a customer's service health needs, as data.
HEALTH_VIEW_PC_ROLES = frozenset({PartnerCenterRole.ADMIN_AGENT})
HEALTH_VIEW_CAPABILITY = "service_health"


@dataclass(frozen=True)
class HealthAccess:
    """Whether the user may view a customer's service health (HEALTH-BEFORE-ESCALATION), and why not."""

    allowed: bool
    reasons: tuple[str, ...] = ()
    rule_id: str = HEALTH_RULE


def _health_requirements(*, user: User, customer: Customer) -> tuple[bool, list[EntraRole]]:
    """(whether the user holds a Partner Center role that may view health, the user's effective
    Entra roles in the customer's tenant): one query, the roles having been prefetched by
    ``CurrentUserMiddleware``."""
    has_pc_role = bool(user.role_codes.intersection(HEALTH_VIEW_PC_ROLES))
    return has_pc_role, list(effective_roles(user=user, customer_id=customer.pk))


def _has_capability(roles: list[EntraRole]) -> bool:
    return any(getattr(role, HEALTH_VIEW_CAPABILITY) for role in roles)


def health_access(*, user: User, customer: Customer) -> HealthAccess:
    """The browser's answer: allowed, or the unmet requirements in sentences (one query)."""
    has_pc_role, roles = _health_requirements(user=user, customer=customer)
    reasons = []
    if not has_pc_role:
        reasons.append(_("You need the Partner Center Admin agent role to view a customer's service health."))
    if not _has_capability(roles):
        names = {"roles": ", ".join(role.name for role in roles), "customer": customer.name}
        reasons.append(
            _(
                "Through GDAP you hold %(roles)s in %(customer)s; viewing service health needs a role with "
                "the service_health capability (Global Reader is enough) in an active access assignment."
            )
            % names
            if roles
            else _(
                "Through GDAP you hold no Entra role in %(customer)s; viewing service health needs a role "
                "with the service_health capability (Global Reader is enough) in an active access assignment."
            )
            % names
        )
    return HealthAccess(allowed=not reasons, reasons=tuple(reasons))


def health_view_denial(*, user: User, customer: Customer) -> list[dict]:
    """The API's answer: the unmet requirements as ``{"ruleId", "reason"}`` items (empty: allowed)."""
    has_pc_role, roles = _health_requirements(user=user, customer=customer)
    problems = []
    if not has_pc_role:
        problems.append(
            {
                "ruleId": HEALTH_RULE,
                "reason": _("Viewing a customer's service health needs the Partner Center admin_agent role."),
            }
        )
    if not _has_capability(roles):
        problems.append(
            {
                "ruleId": HEALTH_RULE,
                "reason": _(
                    "Viewing a customer's service health needs a GDAP role with the service_health "
                    "capability (Global Reader is enough) through an active access assignment."
                ),
            }
        )
    return problems


def health_visible_issues(*, user: User) -> QuerySet[ServiceHealthIssue]:
    """Open service health issues the user may view partner-wide: those of every customer where
    HEALTH-BEFORE-ESCALATION lets the user see health, plus the global ones of the clouds those
    customers are in; newest first.

    Callers check the Partner Center role first (``HEALTH_VIEW_PC_ROLES``).
    """
    visible = customer_list(actor=user).filter(pk__in=health_visible_customer_ids(user=user))
    return (
        ServiceHealthIssue.objects.filter(
            Q(customer_id__in=visible.values("pk"))
            | Q(customer__isnull=True, cloud__in=visible.values("cloud")),
            is_resolved=False,
        )
        .select_related("customer")
        .order_by("-start_at", "id")
    )
