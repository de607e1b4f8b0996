"""The rules of RULES.md's "Eligibility rules" table, one pure function each.

Every function takes a :class:`~.snapshot.Snapshot` and returns one
:class:`~.types.Outcome`: passed, failed (with a concrete remedy) or
not_applicable. Applicability comes from ``tables.RULE_SCOPES``; the data the
rules compare against comes from ``tables``. ``RULES`` maps each rule id to
its function, in the order of the RULES.md table.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from . import tables
from .facts import Snapshot
from .gdap_remedies import (
    best_inactive_hint,
    for_resellers,
    grant_role_remedy,
    new_relationship_remedy,
    role_source,
)
from .types import FAILED, NOT_APPLICABLE, Outcome
from .wording import (
    customer_name,
    failed,
    names,
    no_partner,
    not_applicable,
    passed,
    possessive,
    quoted,
    workload_name,
    your_groups,
)

Rule = Callable[[Snapshot], Outcome]


def _rule(rule_id: str) -> Callable[[Callable[[Snapshot], tuple[str, str, str]]], Rule]:
    """Bind a check to its rule id and scope: out of scope → not_applicable, otherwise the check runs.

    The check returns ``(outcome, message, remedy)``.
    """
    scope = tables.RULE_SCOPES[rule_id]

    def wrap(check: Callable[[Snapshot], tuple[str, str, str]]) -> Rule:
        @functools.wraps(check)
        def rule(snapshot: Snapshot) -> Outcome:
            request = snapshot.request
            reason = scope.not_applicable_reason(
                on_behalf_of_customer=request.on_behalf_of_customer, workload=request.workload
            )
            if reason:
                return Outcome(rule_id, NOT_APPLICABLE, reason)
            outcome, message, remedy = check(snapshot)
            return Outcome(rule_id, outcome, message, remedy if outcome == FAILED else "")

        rule.rule_id = rule_id  # type: ignore[attr-defined]
        return rule

    return wrap


@_rule("SR-WORKLOAD-SUPPORTED")
def sr_workload_supported(snapshot: Snapshot) -> tuple[str, str, str]:
    workload = snapshot.request.workload
    if workload in tables.SUPPORTED_WORKLOADS:
        return passed(f"{workload_name(workload)} is supported by Microsoft through the CSP entitlement.")
    if workload in tables.WORKLOAD_NAMES:
        isv = snapshot.subscription.isv if snapshot.subscription else None
        publisher = isv["name"] if isv else "the product's publisher"
        return failed(
            f"{workload_name(workload)} products are not supported by Microsoft: no Microsoft ticket is "
            "created.",
            f"Contact {publisher} for support (see SR-MARKETPLACE-ISV).",
        )
    supported = ", ".join(sorted(tables.SUPPORTED_WORKLOADS))
    return failed(
        f"'{workload}' is not a workload Microsoft supports through CSP.",
        f"Choose one of the supported workloads: {supported}.",
    )


@_rule("SR-PARTNER-TYPE")
def sr_partner_type(snapshot: Snapshot) -> tuple[str, str, str]:
    partner = snapshot.partner
    if partner is None:
        return no_partner(snapshot)
    type_name = tables.PARTNER_TYPE_NAMES.get(partner.type, partner.type)
    if partner.type in tables.FILING_PARTNER_TYPES:
        return passed(f"{partner.name} is a {type_name}, a partner type that may file service requests.")
    allowed = ", ".join(tables.PARTNER_TYPE_NAMES[t] for t in sorted(tables.FILING_PARTNER_TYPES))
    return failed(
        f"{partner.name} is of type '{type_name}', which may not file service requests.",
        f"Only these partner types may file: {allowed}. Ask a partner of one of them to file.",
    )


@_rule("SR-PC-ROLE-ADMIN-AGENT")
def sr_pc_role_admin_agent(snapshot: Snapshot) -> tuple[str, str, str]:
    user = snapshot.user
    if user is None:
        return no_partner(snapshot)
    wanted = tables.PC_ROLE_NAMES[tables.FILING_PC_ROLE]
    if tables.FILING_PC_ROLE in user.roles:
        return passed(f"{user.username} holds the Partner Center {wanted} role.")
    held = sorted(user.roles)
    if held:
        limits = "; ".join(tables.PC_ROLE_LIMITS[r] for r in held if r in tables.PC_ROLE_LIMITS)
        message = (
            f"{user.username} holds {names(tables.PC_ROLE_NAMES.get(r, r) for r in held)}, not {wanted}"
            + (f": {limits}." if limits else ".")
        )
    else:
        message = f"{user.username} holds no Partner Center role; filing for a customer needs {wanted}."
    partner = snapshot.partner.name if snapshot.partner else "your partner"
    return failed(
        message,
        f"Ask a global admin of {partner} to give {user.username} the {wanted} role "
        "(Partner Center → User management), or have an admin agent file the request.",
    )


@_rule("SR-CLOUD-MATCH")
def sr_cloud_match(snapshot: Snapshot) -> tuple[str, str, str]:
    partner, customer = snapshot.partner, snapshot.customer
    if partner is None or customer is None:
        return no_partner(snapshot)
    partner_cloud = tables.CLOUD_NAMES.get(partner.cloud, partner.cloud)
    customer_cloud = tables.CUSTOMER_CLOUD_NAMES.get(customer.cloud, customer.cloud)
    if customer.cloud in tables.CLOUDS_SERVED.get(partner.cloud, frozenset()):
        if partner.cloud == customer.cloud:
            return passed(f"{partner.name} and {customer.name} are both in the {partner_cloud} cloud.")
        return passed(
            f"{customer.name} is a {customer_cloud} customer; a {partner_cloud} partner such as "
            f"{partner.name} serves it through the {partner_cloud} Partner Center and admin centers."
        )
    home = tables.PARTNER_CLOUD_SERVING.get(customer.cloud, customer.cloud)
    home_name = tables.CLOUD_NAMES.get(home, home)
    return failed(
        f"{partner.name} is a {partner_cloud} partner; {customer.name} is a {customer_cloud} customer, "
        f"which only a {home_name} partner serves.",
        f"A {customer_cloud} customer is served from a {home_name} Partner Center account: have "
        f"{possessive(customer.name)} partner in that cloud file the request.",
    )


@_rule("SR-GDAP-ACTIVE")
def sr_gdap_active(snapshot: Snapshot) -> tuple[str, str, str]:
    if snapshot.partner is None or snapshot.customer is None:
        return no_partner(snapshot)
    customer = snapshot.customer.name
    active = snapshot.active_relationships
    if active:
        soonest = min(active, key=lambda r: r.end_at)
        return passed(
            f"GDAP relationship {quoted(r.display_name for r in active)} with {customer} is active "
            f"(until {soonest.end_at:%Y-%m-%d} for '{soonest.display_name}')."
        )
    if not snapshot.held_relationships:
        return failed(
            f"{snapshot.partner.name} has no GDAP relationship with {customer}." + for_resellers(snapshot),
            new_relationship_remedy(snapshot),
        )
    states = names(
        f"'{r.display_name}' is {r.status}"
        + (f" (ended {r.end_at:%Y-%m-%d})" if r.end_at and r.end_at <= snapshot.now else "")
        for r in snapshot.held_relationships
    )
    return failed(
        f"No GDAP relationship with {customer} is active: {states}." + for_resellers(snapshot),
        best_inactive_hint(snapshot) or new_relationship_remedy(snapshot),
    )


@_rule("SR-GDAP-ASSIGNMENT")
def sr_gdap_assignment(snapshot: Snapshot) -> tuple[str, str, str]:
    if snapshot.partner is None or snapshot.customer is None:
        return no_partner(snapshot)
    customer = snapshot.customer.name
    active = snapshot.active_relationships
    if not active:
        return failed(
            f"There is no active GDAP relationship with {customer}, so no access assignment applies.",
            "First get an active relationship (see SR-GDAP-ACTIVE), then create an access assignment for "
            f"{your_groups(snapshot)} in it.",
        )
    granted = snapshot.active_user_assignments
    if granted:
        pairs = names(
            f"'{a.group_name}' in '{snapshot.relationship_name(a.relationship_id)}'" for a in granted
        )
        return passed(f"Your group has an active access assignment: {pairs}.")
    relationship = active[0].display_name
    waiting = snapshot.user_assignments
    if waiting:
        a = waiting[0]
        return failed(
            f"The access assignment of '{a.group_name}' in '{snapshot.relationship_name(a.relationship_id)}' "
            f"is {a.status}, not active.",
            "Wait until it becomes active" + (" or delete and recreate it." if a.status == "error" else "."),
        )
    others = [
        a
        for a in snapshot.assignments
        if a.status == tables.ACTIVE_ASSIGNMENT_STATUS and a.relationship_id in {r.id for r in active}
    ]
    message = (
        f"None of your security groups ({names(snapshot.user.group_names)}) has an active access "
        f"assignment in an active relationship with {customer}."
        if snapshot.user and snapshot.user.groups
        else f"You are not a member of any security group of {snapshot.partner.name}, so no access "
        f"assignment in a relationship with {customer} reaches you."
    )
    if others:
        a = others[0]
        remedy = (
            f"Ask an admin to add you to '{a.group_name}' (it has an active access assignment in "
            f"'{snapshot.relationship_name(a.relationship_id)}'), or create an access assignment for "
            f"{your_groups(snapshot)} in '{snapshot.relationship_name(a.relationship_id)}'."
        )
    else:
        remedy = (
            f"Create an access assignment for {your_groups(snapshot)} in the relationship '{relationship}'."
        )
    return failed(message, remedy)


@_rule("SR-GDAP-ROLE-TICKETS")
def sr_gdap_role_tickets(snapshot: Snapshot) -> tuple[str, str, str]:
    if snapshot.partner is None or snapshot.customer is None:
        return no_partner(snapshot)
    capability = tables.REQUIRED_CAPABILITY[snapshot.request.workload]
    roles = snapshot.effective_roles
    capable = [r for r in roles.values() if getattr(r, capability)]
    if capable:
        role = sorted(capable, key=lambda r: r.name)[0]
        return passed(
            f"You get {role.name} {role_source(snapshot, role.template_id)}, which can open support tickets."
        )
    held = sorted(r.name for r in roles.values())
    customer = snapshot.customer.name
    message = (
        f"None of the roles you get in {customer} ({names(held)}) can open support tickets."
        if held
        else f"You get no Entra role in {customer} through an active access assignment."
    )
    return failed(
        message,
        grant_role_remedy(
            snapshot, tables.LEAST_PRIVILEGED_TICKET_ROLE, has_role=lambda r: getattr(r, capability)
        ),
    )


@_rule("SR-GDAP-ANY-ROLE")
def sr_gdap_any_role(snapshot: Snapshot) -> tuple[str, str, str]:
    if snapshot.partner is None or snapshot.customer is None:
        return no_partner(snapshot)
    roles = snapshot.effective_roles
    if roles:
        role = sorted(roles.values(), key=lambda r: r.name)[0]
        return passed(
            f"You get {names(sorted(r.name for r in roles.values()))} in {snapshot.customer.name} "
            f"({role_source(snapshot, role.template_id)} for {role.name})."
        )
    return failed(
        f"You get no Entra role in {snapshot.customer.name} through an active access assignment.",
        grant_role_remedy(snapshot, tables.LEAST_PRIVILEGED_ANY_ROLE, has_role=lambda r: True),
    )


def _no_subscription(snapshot: Snapshot) -> tuple[str, str, str]:
    customer = customer_name(snapshot)
    if snapshot.request.subscription_id in (None, ""):
        return failed(
            "No Azure subscription is chosen.",
            f"Choose one of {possessive(customer)} active Azure subscriptions.",
        )
    return failed(
        f"Subscription {snapshot.request.subscription_id} is not a subscription of {customer}.",
        f"Choose one of {possessive(customer)} active Azure subscriptions.",
    )


@_rule("SR-AZURE-RBAC")
def sr_azure_rbac(snapshot: Snapshot) -> tuple[str, str, str]:
    sub, user = snapshot.subscription, snapshot.user
    if user is None:
        return no_partner(snapshot)
    if sub is None:
        message = _no_subscription(snapshot)[1]
        return failed(
            message + " No Azure role can be checked.",
            f"Choose one of {possessive(customer_name(snapshot))} Azure subscriptions "
            "(see SR-AZURE-SUBSCRIPTION).",
        )
    mine = [
        a for a in sub.rbac if a.user_id == user.id or (a.group_id is not None and a.group_id in user.groups)
    ]
    capable = [a for a in mine if a.role_definition_id in tables.TICKET_RBAC_ROLES]
    if capable:
        a = capable[0]
        via = f"through '{a.group_name}'" if a.group_id is not None else "directly"
        role = tables.AZURE_ROLE_NAMES[a.role_definition_id]
        return passed(f"You hold {role} on {sub.label} {via}, which can create support tickets.")
    held = names(tables.AZURE_ROLE_NAMES.get(a.role_definition_id, a.role_definition_id) for a in mine)
    message = (
        f"You hold {held} on {sub.label}, which can't create support tickets."
        if mine
        else f"You hold no Azure role on {sub.label}."
    )
    ticket_roles = ", ".join(tables.AZURE_ROLE_NAMES[r] for r in sorted(tables.TICKET_RBAC_ROLES))
    return failed(
        message,
        f"Ask {possessive(customer_name(snapshot))} subscription owner to grant "
        f"{tables.LEAST_PRIVILEGED_RBAC_ROLE} on {sub.label} to you or to {your_groups(snapshot)} "
        f"(any of {ticket_roles} works).",
    )


@_rule("SR-AZURE-SUBSCRIPTION")
def sr_azure_subscription(snapshot: Snapshot) -> tuple[str, str, str]:
    sub = snapshot.subscription
    customer = customer_name(snapshot)
    if sub is None:
        return _no_subscription(snapshot)
    if sub.workload != "azure":
        return failed(
            f"{sub.label} is a {workload_name(sub.workload)} subscription, not an Azure one.",
            f"Choose one of {possessive(customer)} active Azure subscriptions.",
        )
    if sub.status not in tables.ACTIVE_SUBSCRIPTION_STATUSES:
        who = sub.provider.name if sub.provider else "Microsoft"
        return failed(
            f"{sub.label} is {sub.status}.",
            f"Choose an active Azure subscription of {customer}, or have {who} reactivate this one.",
        )
    return passed(f"{sub.label} is an active Azure subscription of {customer}.")


@_rule("SR-AZURE-NONTECH-PROVIDER-ONLY")
def sr_azure_nontech_provider_only(snapshot: Snapshot) -> tuple[str, str, str]:
    issue_type = snapshot.request.issue_type or tables.DEFAULT_AZURE_ISSUE_TYPE
    if issue_type not in tables.AZURE_ISSUE_TYPES:
        return failed(
            f"'{issue_type}' is not an Azure issue type.",
            f"Choose one of: {', '.join(tables.AZURE_ISSUE_TYPES)}.",
        )
    if issue_type not in tables.NON_TECHNICAL_ISSUE_TYPES:
        return not_applicable("Technical issues are not reserved to the subscription's provider.")
    partner = snapshot.partner
    if partner is None:
        return no_partner(snapshot)
    issue = tables.AZURE_ISSUE_TYPES[issue_type].lower()
    type_name = tables.PARTNER_TYPE_NAMES.get(partner.type, partner.type)
    sub = snapshot.subscription
    if sub is None:
        if partner.type in tables.PROVIDER_PARTNER_TYPES:
            return not_applicable(
                "The subscription's provider is unknown until a subscription is chosen "
                "(see SR-AZURE-SUBSCRIPTION)."
            )
        provider = partner.indirect_provider
        return failed(
            f"Only the provider of an Azure subscription may file {issue} requests; {partner.name} is an "
            f"{type_name}.",
            f"Contact {provider.contact_line}, your indirect provider, and ask them to file it."
            if provider
            else "Contact the provider of the customer's Azure subscription and ask them to file it.",
        )
    if sub.provider is None:
        return failed(
            f"{sub.label} is bought directly from Microsoft: no CSP partner is its provider.",
            f"{customer_name(snapshot)} opens {issue} requests with Microsoft directly.",
        )
    if sub.provider.id == partner.id and partner.type in tables.PROVIDER_PARTNER_TYPES:
        return passed(f"{partner.name} is the provider of {sub.label}, so it may file {issue} requests.")
    support_contract = (
        " even with a support contract" if partner.type not in tables.PROVIDER_PARTNER_TYPES else ""
    )
    return failed(
        f"Only the provider of {sub.label}, {sub.provider.name}, may file {issue} requests; {partner.name} "
        f"({type_name}) may not{support_contract}.",
        f"Contact {sub.provider.contact_line}, the provider of this subscription, and ask them to file the "
        f"{issue} request.",
    )


@_rule("SR-AZURE-SUPPORT-PLAN")
def sr_azure_support_plan(snapshot: Snapshot) -> tuple[str, str, str]:
    wanted = tables.SUPPORT_PLAN_NAMES[tables.CSP_SUPPORT_PLAN]
    sub = snapshot.subscription
    if sub is not None and sub.channel not in tables.CSP_SUPPORT_PLAN_CHANNELS:
        # A direct subscription follows its own plan: the CSP plan does not exist on it.
        return failed(
            f"{sub.label} is bought directly from Microsoft: its support plan is "
            f"{tables.OWN_AZURE_SUPPORT_PLAN_NAME}, and the '{wanted}' plan exists only on CSP "
            "subscriptions.",
            f"{customer_name(snapshot)} opens this request with Microsoft under "
            f"{tables.OWN_AZURE_SUPPORT_PLAN_NAME}; a partner files under the '{wanted}' plan only for "
            "an Azure subscription bought through CSP.",
        )
    plan = snapshot.request.support_plan or tables.CSP_SUPPORT_PLAN
    if plan == tables.CSP_SUPPORT_PLAN:
        return passed(f"The support plan is {wanted}.")
    return failed(
        f"The support plan '{tables.SUPPORT_PLAN_NAMES.get(plan, plan)}' is not {wanted}.",
        f"Choose the support plan '{wanted}' in the Azure portal's Basics step: the CSP support "
        "entitlement covers requests on behalf of customers.",
    )


def _domain_of(email: str) -> str:
    local, sep, domain = email.rpartition("@")
    if not sep or not local or "." not in domain:
        return ""
    return domain.lower().strip(".")


@_rule("SR-CONTACT-IS-PARTNER")
def sr_contact_is_partner(snapshot: Snapshot) -> tuple[str, str, str]:
    own_email = snapshot.user.email if snapshot.user else ""
    email = (snapshot.request.contact_email or "").strip() or own_email
    example = f" (for example {own_email})" if own_email else ""
    if not email:
        return failed(
            "The request has no contact e-mail.", f"Enter your own e-mail address as contact{example}."
        )
    domain = _domain_of(email)
    if not domain:
        return failed(f"'{email}' is not an e-mail address.", f"Enter your own e-mail address{example}.")
    customer = snapshot.customer
    if customer is None:
        return passed(f"The contact {email} is the partner's own: there is no customer on this request.")
    match = next((d for d in customer.domains if domain == d or domain.endswith("." + d)), None)
    if match:
        return failed(
            f"The contact {email} is the customer's person: {match} is a domain of {customer.name}.",
            f"Enter your own contact details{example}, not your customer's: Microsoft contacts the partner.",
        )
    return passed(f"The contact {email} is not at a domain of {customer.name}.")


@_rule("SR-CRITICAL-NEEDS-PHONE")
def sr_critical_needs_phone(snapshot: Snapshot) -> tuple[str, str, str]:
    severity = snapshot.request.severity
    name = tables.SEVERITY_NAMES.get(severity, severity)
    if severity not in tables.SEVERITIES_NEEDING_PHONE:
        return passed(f"A {name} request needs no phone number.")
    phone = (snapshot.request.contact_phone or "").strip()
    if phone:
        return passed(f"The {name} request carries the contact phone {phone}.")
    own_phone = snapshot.user.phone if snapshot.user else ""
    example = f" (for example yours: {own_phone})" if own_phone else ""
    return failed(
        f"A {name} request must carry a contact phone number.",
        f"Add a phone number where you can be reached{example}, or choose a lower severity.",
    )


@_rule("SR-OWN-SUBSCRIPTION-ENTITLEMENT")
def sr_own_subscription_entitlement(snapshot: Snapshot) -> tuple[str, str, str]:
    partner = snapshot.partner
    if partner is None:
        return no_partner(snapshot)
    valid = [e for e in snapshot.entitlements if e.is_valid_at(snapshot.now)]
    valid_hint = (
        f"one of {possessive(partner.name)} valid support entitlements: {names(e.label for e in valid)}"
    )
    use_valid = (
        f"Enter {valid_hint}."
        if valid
        else f"{partner.name} has no valid support entitlement: add its partner program ID, Premier/Unified "
        "contract ID or Azure support plan ID, then enter it here."
    )
    wanted = (snapshot.request.support_entitlement_id or "").strip()
    not_covered = (
        f"A request about {possessive(partner.name)} own subscription is not covered by the CSP entitlement"
    )
    if not wanted:
        return failed(f"{not_covered} and names no support entitlement.", use_valid)
    found = next((e for e in snapshot.entitlements if e.entitlement_id.lower() == wanted.lower()), None)
    if found is None:
        return failed(f"'{wanted}' is not a support entitlement of {partner.name}.", use_valid)
    if not found.is_valid_at(snapshot.now):
        return failed(
            f"{found.label} expired on {found.valid_until:%Y-%m-%d}.",
            f"Renew {found.entitlement_id}, or enter {valid_hint}."
            if valid
            else f"Renew {found.entitlement_id}: {partner.name} has no other valid support entitlement.",
        )
    until = f" until {found.valid_until:%Y-%m-%d}" if found.valid_until else ""
    return passed(
        f"{found.label} is valid{until}; the request is filed in {possessive(partner.name)} own "
        "context, not a customer's."
    )


@_rule("SR-MARKETPLACE-ISV")
def sr_marketplace_isv(snapshot: Snapshot) -> tuple[str, str, str]:
    sub = snapshot.subscription
    isv = sub.isv if sub is not None and sub.workload == "marketplace" else None
    if isv is None:
        return failed(
            "Marketplace products are supported by their publisher, not Microsoft: no ticket is created.",
            "Choose the product to see its publisher's support contact, then contact the publisher.",
        )
    contacts = [
        f"{label} {isv[key]}"
        for label, key in (("site", "supportUrl"), ("e-mail", "supportEmail"), ("phone", "supportPhone"))
        if isv.get(key)
    ]
    return failed(
        f"'{sub.offer}' is a product of {isv['name']}: Microsoft doesn't support it and no ticket is "
        "created.",
        f"Contact {isv['name']} support: {', '.join(contacts)}.",
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
