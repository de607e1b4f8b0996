"""The Azure rules of RULES.md (SR-AZURE-*), one pure function each (see ``rules``)."""

from __future__ import annotations

from . import tables
from .binding import rule_check as _rule
from .facts import Snapshot
from .text import gettext_lazy as _
from .text import joined
from .wording import (
    Words,
    customer_name,
    customer_owner,
    failed,
    names,
    no_partner,
    not_applicable,
    passed,
    workload_name,
    your_groups,
)


def _no_subscription(snapshot: Snapshot) -> tuple[str, Words, Words]:
    remedy = _(
        "Choose one of %(customer_s)s active Azure subscriptions.",
        customer=customer_name(snapshot),
        customer_s=customer_owner(snapshot),
    )
    if snapshot.request.subscription_id in (None, ""):
        return failed(_("No Azure subscription is chosen."), remedy)
    return failed(
        _(
            "Subscription %(subscription)s is not a subscription of %(customer)s.",
            subscription=str(snapshot.request.subscription_id),
            customer=customer_name(snapshot),
        ),
        remedy,
    )


@_rule("SR-AZURE-RBAC")
def sr_azure_rbac(snapshot: Snapshot) -> tuple[str, Words, Words]:
    sub, user = snapshot.subscription, snapshot.user
    if user is None:
        return no_partner(snapshot)
    customer = {"customer": customer_name(snapshot), "customer_s": customer_owner(snapshot)}
    if sub is None:
        return failed(
            _("%(problem)s No Azure role can be checked.", problem=_no_subscription(snapshot)[1]),
            _("Choose one of %(customer_s)s Azure subscriptions (see SR-AZURE-SUBSCRIPTION).", **customer),
        )
    mine = [
        a for a in sub.rbac if a.user_id == user.id or (a.group_id is not None and a.group_id in user.groups)
    ]
    capable = [a for a in mine if a.role_definition_id in tables.TICKET_RBAC_ROLES]
    if capable:
        a = capable[0]
        role = tables.AZURE_ROLE_NAMES[a.role_definition_id]
        if a.group_id is not None:
            return passed(
                _(
                    "You hold %(role)s on %(subscription)s through '%(group)s', which can create support "
                    "tickets.",
                    role=role,
                    subscription=sub.label,
                    group=a.group_name,
                )
            )
        return passed(
            _(
                "You hold %(role)s on %(subscription)s directly, which can create support tickets.",
                role=role,
                subscription=sub.label,
            )
        )
    message = (
        _(
            "You hold %(roles)s on %(subscription)s, which can't create support tickets.",
            roles=names(
                tables.AZURE_ROLE_NAMES.get(a.role_definition_id, a.role_definition_id) for a in mine
            ),
            subscription=sub.label,
        )
        if mine
        else _("You hold no Azure role on %(subscription)s.", subscription=sub.label)
    )
    return failed(
        message,
        _(
            "Ask %(customer_s)s subscription owner to grant %(role)s on %(subscription)s to you or to "
            "%(groups)s (any of %(roles)s works).",
            **customer,
            role=tables.LEAST_PRIVILEGED_RBAC_ROLE,
            subscription=sub.label,
            groups=your_groups(snapshot),
            roles=joined(tables.AZURE_ROLE_NAMES[r] for r in sorted(tables.TICKET_RBAC_ROLES)),
        ),
    )


@_rule("SR-AZURE-SUBSCRIPTION")
def sr_azure_subscription(snapshot: Snapshot) -> tuple[str, Words, Words]:
    sub = snapshot.subscription
    if sub is None:
        return _no_subscription(snapshot)
    words = {
        "subscription": sub.label,
        "customer": customer_name(snapshot),
        "customer_s": customer_owner(snapshot),
    }
    if sub.workload != "azure":
        return failed(
            _(
                "%(subscription)s is a %(workload)s subscription, not an Azure one.",
                workload=workload_name(sub.workload),
                **words,
            ),
            _("Choose one of %(customer_s)s active Azure subscriptions.", **words),
        )
    if sub.status not in tables.ACTIVE_SUBSCRIPTION_STATUSES:
        return failed(
            _("%(subscription)s is %(status)s.", status=sub.status, **words),
            _(
                "Choose an active Azure subscription of %(customer)s, or have %(provider)s reactivate this "
                "one.",
                provider=sub.provider.name if sub.provider else "Microsoft",
                **words,
            ),
        )
    return passed(_("%(subscription)s is an active Azure subscription of %(customer)s.", **words))


@_rule("SR-AZURE-NONTECH-PROVIDER-ONLY")
def sr_azure_nontech_provider_only(snapshot: Snapshot) -> tuple[str, Words, Words]:
    issue_type = snapshot.request.issue_type or tables.DEFAULT_AZURE_ISSUE_TYPE
    if issue_type not in tables.AZURE_ISSUE_TYPES:
        return failed(
            _("'%(issue_type)s' is not an Azure issue type.", issue_type=issue_type),
            _("Choose one of: %(issue_types)s.", issue_types=", ".join(tables.AZURE_ISSUE_TYPES)),
        )
    if issue_type not in tables.NON_TECHNICAL_ISSUE_TYPES:
        return not_applicable(_("Technical issues are not reserved to the subscription's provider."))
    partner = snapshot.partner
    if partner is None:
        return no_partner(snapshot)
    words = {
        "issue": tables.ISSUE_TYPE_NOUNS[issue_type],
        "partner": partner.name,
        "type": tables.PARTNER_TYPE_NAMES.get(partner.type, partner.type),
        "customer": customer_name(snapshot),
    }
    sub = snapshot.subscription
    if sub is None:
        if partner.type in tables.PROVIDER_PARTNER_TYPES:
            return not_applicable(
                _(
                    "The subscription's provider is unknown until a subscription is chosen "
                    "(see SR-AZURE-SUBSCRIPTION)."
                )
            )
        provider = partner.indirect_provider
        return failed(
            _(
                "Only the provider of an Azure subscription may file %(issue)s requests; %(partner)s is an "
                "%(type)s.",
                **words,
            ),
            _(
                "Contact %(provider)s, your indirect provider, and ask them to file it.",
                provider=provider.contact_line,
            )
            if provider
            else _("Contact the provider of the customer's Azure subscription and ask them to file it."),
        )
    words["subscription"] = sub.label
    if sub.provider is None:
        return failed(
            _("%(subscription)s is bought directly from Microsoft: no CSP partner is its provider.", **words),
            _("%(customer)s opens %(issue)s requests with Microsoft directly.", **words),
        )
    if sub.provider.id == partner.id and partner.type in tables.PROVIDER_PARTNER_TYPES:
        return passed(
            _("%(partner)s is the provider of %(subscription)s, so it may file %(issue)s requests.", **words)
        )
    words.update(provider=sub.provider.name, contact=sub.provider.contact_line)
    return failed(
        _(
            "Only the provider of %(subscription)s, %(provider)s, may file %(issue)s requests; %(partner)s "
            "(%(type)s) may not even with a support contract.",
            **words,
        )
        if partner.type not in tables.PROVIDER_PARTNER_TYPES
        else _(
            "Only the provider of %(subscription)s, %(provider)s, may file %(issue)s requests; %(partner)s "
            "(%(type)s) may not.",
            **words,
        ),
        _(
            "Contact %(contact)s, the provider of this subscription, and ask them to file the %(issue)s "
            "request.",
            **words,
        ),
    )


@_rule("SR-AZURE-SUPPORT-PLAN")
def sr_azure_support_plan(snapshot: Snapshot) -> tuple[str, Words, Words]:
    wanted = tables.SUPPORT_PLAN_NAMES[tables.CSP_SUPPORT_PLAN]
    sub = snapshot.subscription
    if sub is not None and sub.channel not in tables.CSP_SUPPORT_PLAN_CHANNELS:
        # A direct subscription follows its own plan: the CSP plan does not exist on it.
        words = {
            "subscription": sub.label,
            "own_plan": tables.OWN_AZURE_SUPPORT_PLAN_NAME,
            "plan": wanted,
            "customer": customer_name(snapshot),
        }
        return failed(
            _(
                "%(subscription)s is bought directly from Microsoft: its support plan is %(own_plan)s, and "
                "the '%(plan)s' plan exists only on CSP subscriptions.",
                **words,
            ),
            _(
                "%(customer)s opens this request with Microsoft under %(own_plan)s; a partner files under "
                "the '%(plan)s' plan only for an Azure subscription bought through CSP.",
                **words,
            ),
        )
    plan = snapshot.request.support_plan or tables.CSP_SUPPORT_PLAN
    if plan == tables.CSP_SUPPORT_PLAN:
        return passed(_("The support plan is %(plan)s.", plan=wanted))
    return failed(
        _(
            "The support plan '%(chosen)s' is not %(plan)s.",
            chosen=tables.SUPPORT_PLAN_NAMES.get(plan, plan),
            plan=wanted,
        ),
        _(
            "Choose the support plan '%(plan)s' in the Azure portal's Basics step: the CSP support "
            "entitlement covers requests on behalf of customers.",
            plan=wanted,
        ),
    )
