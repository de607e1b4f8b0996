"""The rules of RULES.md's "Eligibility rules" table, one pure function each.

Every function takes a :class:`~.snapshot.Snapshot` and returns one
:class:`~.types.Outcome`: passed, failed (with a concrete remedy) or
not_applicable. Applicability comes from ``tables.RULE_SCOPES``; the data the
rules compare against comes from ``tables``. ``RULES`` maps each rule id to
its function, in the order of the RULES.md table. Messages and remedies are
:class:`~.text.Text` (``_`` here builds one): translated when rendered, never
when built; a possessive ("Fabrikam's") is passed beside the plain name
(``customer_s`` beside ``customer``) for the languages that do not use it.
"""

from __future__ import annotations

from . import tables
from .azure_rules import (
    sr_azure_nontech_provider_only,
    sr_azure_rbac,
    sr_azure_subscription,
    sr_azure_support_plan,
)
from .binding import Rule
from .binding import rule_check as _rule
from .contact_rules import (
    sr_contact_is_partner,
    sr_critical_needs_phone,
    sr_marketplace_isv,
    sr_own_subscription_entitlement,
)
from .facts import Snapshot
from .gdap_remedies import (
    best_inactive_hint,
    for_resellers,
    grant_role_remedy,
    new_relationship_remedy,
    role_source,
)
from .text import gettext_lazy as _
from .text import joined
from .wording import (
    Words,
    failed,
    names,
    no_partner,
    passed,
    possessive,
    quoted,
    workload_name,
    your_groups,
)


@_rule("SR-WORKLOAD-SUPPORTED")
def sr_workload_supported(snapshot: Snapshot) -> tuple[str, Words, Words]:
    workload = snapshot.request.workload
    if workload in tables.SUPPORTED_WORKLOADS:
        return passed(
            _(
                "%(workload)s is supported by Microsoft through the CSP entitlement.",
                workload=workload_name(workload),
            )
        )
    if workload in tables.WORKLOAD_NAMES:
        isv = snapshot.subscription.isv if snapshot.subscription else None
        publisher = isv["name"] if isv else _("the product's publisher")
        return failed(
            _(
                "%(workload)s products are not supported by Microsoft: no Microsoft ticket is created.",
                workload=workload_name(workload),
            ),
            _("Contact %(publisher)s for support (see SR-MARKETPLACE-ISV).", publisher=publisher),
        )
    return failed(
        _("'%(workload)s' is not a workload Microsoft supports through CSP.", workload=workload),
        _(
            "Choose one of the supported workloads: %(workloads)s.",
            workloads=", ".join(sorted(tables.SUPPORTED_WORKLOADS)),
        ),
    )


@_rule("SR-PARTNER-TYPE")
def sr_partner_type(snapshot: Snapshot) -> tuple[str, Words, Words]:
    partner = snapshot.partner
    if partner is None:
        return no_partner(snapshot)
    type_name = tables.PARTNER_TYPE_NAMES.get(partner.type, partner.type)
    if partner.type in tables.FILING_PARTNER_TYPES:
        return passed(
            _(
                "%(partner)s is a %(type)s, a partner type that may file service requests.",
                partner=partner.name,
                type=type_name,
            )
        )
    return failed(
        _(
            "%(partner)s is of type '%(type)s', which may not file service requests.",
            partner=partner.name,
            type=type_name,
        ),
        _(
            "Only these partner types may file: %(types)s. Ask a partner of one of them to file.",
            types=joined(tables.PARTNER_TYPE_NAMES[t] for t in sorted(tables.FILING_PARTNER_TYPES)),
        ),
    )


@_rule("SR-PC-ROLE-ADMIN-AGENT")
def sr_pc_role_admin_agent(snapshot: Snapshot) -> tuple[str, Words, Words]:
    user = snapshot.user
    if user is None:
        return no_partner(snapshot)
    wanted = tables.PC_ROLE_NAMES[tables.FILING_PC_ROLE]
    if tables.FILING_PC_ROLE in user.roles:
        return passed(_("%(user)s holds the Partner Center %(role)s role.", user=user.username, role=wanted))
    held = sorted(user.roles)
    if held:
        limits = [tables.PC_ROLE_LIMITS[r] for r in held if r in tables.PC_ROLE_LIMITS]
        roles = names(tables.PC_ROLE_NAMES.get(r, r) for r in held)
        message = (
            _(
                "%(user)s holds %(roles)s, not %(role)s: %(limits)s.",
                user=user.username,
                roles=roles,
                role=wanted,
                limits=joined(limits, "; "),
            )
            if limits
            else _("%(user)s holds %(roles)s, not %(role)s.", user=user.username, roles=roles, role=wanted)
        )
    else:
        message = _(
            "%(user)s holds no Partner Center role; filing for a customer needs %(role)s.",
            user=user.username,
            role=wanted,
        )
    return failed(
        message,
        _(
            "Ask a global admin of %(partner)s to give %(user)s the %(role)s role (Partner Center → User "
            "management), or have an admin agent file the request.",
            partner=snapshot.partner.name if snapshot.partner else _("your partner"),
            user=user.username,
            role=wanted,
        ),
    )


@_rule("SR-CLOUD-MATCH")
def sr_cloud_match(snapshot: Snapshot) -> tuple[str, Words, Words]:
    partner, customer = snapshot.partner, snapshot.customer
    if partner is None or customer is None:
        return no_partner(snapshot)
    words = {
        "partner": partner.name,
        "customer": customer.name,
        "customer_s": possessive(customer.name),
        "partner_cloud": tables.CLOUD_NAMES.get(partner.cloud, partner.cloud),
        "customer_cloud": tables.CUSTOMER_CLOUD_NAMES.get(customer.cloud, customer.cloud),
    }
    if customer.cloud in tables.CLOUDS_SERVED.get(partner.cloud, frozenset()):
        if partner.cloud == customer.cloud:
            return passed(_("%(partner)s and %(customer)s are both in the %(partner_cloud)s cloud.", **words))
        return passed(
            _(
                "%(customer)s is a %(customer_cloud)s customer; a %(partner_cloud)s partner such as "
                "%(partner)s serves it through the %(partner_cloud)s Partner Center and admin centers.",
                **words,
            )
        )
    home = tables.PARTNER_CLOUD_SERVING.get(customer.cloud, customer.cloud)
    words["home_cloud"] = tables.CLOUD_NAMES.get(home, home)
    return failed(
        _(
            "%(partner)s is a %(partner_cloud)s partner; %(customer)s is a %(customer_cloud)s customer, "
            "which only a %(home_cloud)s partner serves.",
            **words,
        ),
        _(
            "A %(customer_cloud)s customer is served from a %(home_cloud)s Partner Center account: have "
            "%(customer_s)s partner in that cloud file the request.",
            **words,
        ),
    )


@_rule("SR-GDAP-ACTIVE")
def sr_gdap_active(snapshot: Snapshot) -> tuple[str, Words, Words]:
    if snapshot.partner is None or snapshot.customer is None:
        return no_partner(snapshot)
    customer = snapshot.customer.name
    active = snapshot.active_relationships
    if active:
        soonest = min(active, key=lambda r: r.end_at)
        return passed(
            _(
                "GDAP relationship %(relationships)s with %(customer)s is active (until %(end)s for "
                "'%(relationship)s').",
                relationships=quoted(r.display_name for r in active),
                customer=customer,
                end=f"{soonest.end_at:%Y-%m-%d}",
                relationship=soonest.display_name,
            )
        )
    resellers = for_resellers(snapshot)
    if not snapshot.held_relationships:
        return failed(
            _(
                "%(partner)s has no GDAP relationship with %(customer)s.%(resellers)s",
                partner=snapshot.partner.name,
                customer=customer,
                resellers=resellers,
            ),
            new_relationship_remedy(snapshot),
        )
    states = names(
        _(
            "'%(relationship)s' is %(status)s (ended %(end)s)",
            relationship=r.display_name,
            status=r.status,
            end=f"{r.end_at:%Y-%m-%d}",
        )
        if r.end_at and r.end_at <= snapshot.now
        else _("'%(relationship)s' is %(status)s", relationship=r.display_name, status=r.status)
        for r in snapshot.held_relationships
    )
    return failed(
        _(
            "No GDAP relationship with %(customer)s is active: %(states)s.%(resellers)s",
            customer=customer,
            states=states,
            resellers=resellers,
        ),
        best_inactive_hint(snapshot) or new_relationship_remedy(snapshot),
    )


@_rule("SR-GDAP-ASSIGNMENT")
def sr_gdap_assignment(snapshot: Snapshot) -> tuple[str, Words, Words]:
    if snapshot.partner is None or snapshot.customer is None:
        return no_partner(snapshot)
    customer = snapshot.customer.name
    active = snapshot.active_relationships
    if not active:
        return failed(
            _(
                "There is no active GDAP relationship with %(customer)s, so no access assignment applies.",
                customer=customer,
            ),
            _(
                "First get an active relationship (see SR-GDAP-ACTIVE), then create an access assignment "
                "for %(groups)s in it.",
                groups=your_groups(snapshot),
            ),
        )
    granted = snapshot.active_user_assignments
    if granted:
        pairs = names(
            _(
                "'%(group)s' in '%(relationship)s'",
                group=a.group_name,
                relationship=snapshot.relationship_name(a.relationship_id),
            )
            for a in granted
        )
        return passed(_("Your group has an active access assignment: %(assignments)s.", assignments=pairs))
    waiting = snapshot.user_assignments
    if waiting:
        a = waiting[0]
        return failed(
            _(
                "The access assignment of '%(group)s' in '%(relationship)s' is %(status)s, not active.",
                group=a.group_name,
                relationship=snapshot.relationship_name(a.relationship_id),
                status=a.status,
            ),
            _("Wait until it becomes active or delete and recreate it.")
            if a.status == "error"
            else _("Wait until it becomes active."),
        )
    others = [
        a
        for a in snapshot.assignments
        if a.status == tables.ACTIVE_ASSIGNMENT_STATUS and a.relationship_id in {r.id for r in active}
    ]
    message = (
        _(
            "None of your security groups (%(groups)s) has an active access assignment in an active "
            "relationship with %(customer)s.",
            groups=names(snapshot.user.group_names),
            customer=customer,
        )
        if snapshot.user and snapshot.user.groups
        else _(
            "You are not a member of any security group of %(partner)s, so no access assignment in a "
            "relationship with %(customer)s reaches you.",
            partner=snapshot.partner.name,
            customer=customer,
        )
    )
    if others:
        a = others[0]
        remedy = _(
            "Ask an admin to add you to '%(group)s' (it has an active access assignment in "
            "'%(relationship)s'), or create an access assignment for %(groups)s in '%(relationship)s'.",
            group=a.group_name,
            relationship=snapshot.relationship_name(a.relationship_id),
            groups=your_groups(snapshot),
        )
    else:
        remedy = _(
            "Create an access assignment for %(groups)s in the relationship '%(relationship)s'.",
            groups=your_groups(snapshot),
            relationship=active[0].display_name,
        )
    return failed(message, remedy)


@_rule("SR-GDAP-ROLE-TICKETS")
def sr_gdap_role_tickets(snapshot: Snapshot) -> tuple[str, Words, Words]:
    if snapshot.partner is None or snapshot.customer is None:
        return no_partner(snapshot)
    capability = tables.REQUIRED_CAPABILITY[snapshot.request.workload]
    roles = snapshot.effective_roles
    capable = [r for r in roles.values() if getattr(r, capability)]
    if capable:
        role = sorted(capable, key=lambda r: r.name)[0]
        return passed(
            _(
                "You get %(role)s %(source)s, which can open support tickets.",
                role=role.name,
                source=role_source(snapshot, role.template_id),
            )
        )
    held = sorted(r.name for r in roles.values())
    customer = snapshot.customer.name
    message = (
        _(
            "None of the roles you get in %(customer)s (%(roles)s) can open support tickets.",
            customer=customer,
            roles=names(held),
        )
        if held
        else _(
            "You get no Entra role in %(customer)s through an active access assignment.", customer=customer
        )
    )
    return failed(
        message,
        grant_role_remedy(
            snapshot, tables.LEAST_PRIVILEGED_TICKET_ROLE, has_role=lambda r: getattr(r, capability)
        ),
    )


@_rule("SR-GDAP-ANY-ROLE")
def sr_gdap_any_role(snapshot: Snapshot) -> tuple[str, Words, Words]:
    if snapshot.partner is None or snapshot.customer is None:
        return no_partner(snapshot)
    roles = snapshot.effective_roles
    if roles:
        role = sorted(roles.values(), key=lambda r: r.name)[0]
        return passed(
            _(
                "You get %(roles)s in %(customer)s (%(source)s for %(role)s).",
                roles=names(sorted(r.name for r in roles.values())),
                customer=snapshot.customer.name,
                source=role_source(snapshot, role.template_id),
                role=role.name,
            )
        )
    return failed(
        _(
            "You get no Entra role in %(customer)s through an active access assignment.",
            customer=snapshot.customer.name,
        ),
        grant_role_remedy(snapshot, tables.LEAST_PRIVILEGED_ANY_ROLE, has_role=lambda r: True),
    )


RULES: dict[str, Rule] = {
    "SR-WORKLOAD-SUPPORTED": sr_workload_supported,
    "SR-PARTNER-TYPE": sr_partner_type,
    "SR-PC-ROLE-ADMIN-AGENT": sr_pc_role_admin_agent,
    "SR-CLOUD-MATCH": sr_cloud_match,
    "SR-GDAP-ACTIVE": sr_gdap_active,
    "SR-GDAP-ASSIGNMENT": sr_gdap_assignment,
    "SR-GDAP-ROLE-TICKETS": sr_gdap_role_tickets,
    "SR-GDAP-ANY-ROLE": sr_gdap_any_role,
    "SR-AZURE-RBAC": sr_azure_rbac,
    "SR-AZURE-SUBSCRIPTION": sr_azure_subscription,
    "SR-AZURE-NONTECH-PROVIDER-ONLY": sr_azure_nontech_provider_only,
    "SR-AZURE-SUPPORT-PLAN": sr_azure_support_plan,
    "SR-CONTACT-IS-PARTNER": sr_contact_is_partner,
    "SR-CRITICAL-NEEDS-PHONE": sr_critical_needs_phone,
    "SR-OWN-SUBSCRIPTION-ENTITLEMENT": sr_own_subscription_entitlement,
    "SR-MARKETPLACE-ISV": sr_marketplace_isv,
}
