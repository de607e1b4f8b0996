"""Subscriptions (``customers[].subscriptions``): their parties, Azure role assignments and
marketplace ISV."""

from __future__ import annotations

from customers.choices import Channel, Workload
from customers.models import Subscription

from .. import rules
from .fields import join, one_of
from .plan import RbacSpec, SubscriptionSpec
from .references import Checker, PartnerInfo, wrong_type


def subscription_validate(
    checker: Checker, raw, path: str, seen_azure_ids: set, *, customer: str | None
) -> SubscriptionSpec | None:
    """One subscription of ``customer``: workload, offer, channel, provider and reseller, Azure id
    and role assignments, marketplace ISV; None on any problem."""
    data = checker.mapping(raw, path, rules.SUBSCRIPTION_KEYS)
    if data is None:
        return None
    errors_before = len(checker.errors)
    subscription_id = checker.uuid_value(data, path, "id")
    workload = checker.choice(data, path, "workload", rules.WORKLOADS, "workload", required=True)
    offer = checker.text(data, path, "offer", required=True, max_length=200)
    channel = checker.choice(data, path, "channel", rules.CHANNELS, "channel", default="csp")
    is_trial = checker.boolean(data, path, "is_trial", default=False)
    status = checker.choice(
        data, path, "status", rules.SUBSCRIPTION_STATUSES, "subscription status", default="active"
    )
    parties: dict[str, PartnerInfo | None] = {}
    for role in ("provider", "reseller"):
        parties[role] = None
        if data.get(role) is None:
            continue
        here = join(path, role)
        if channel == Channel.DIRECT:
            checker.error(here, "a direct subscription has no provider or reseller")
            continue
        info = checker.partner_ref(data, path, role)
        allowed_types = rules.SUBSCRIPTION_PARTY_TYPES[role]
        if wrong_type(info, allowed_types):
            checker.error(
                here,
                f"{info.name!r} has type {info.type}; a {role} has type {' or '.join(sorted(allowed_types))}",
            )
        parties[role] = info
    if channel == Channel.CSP and data.get("provider") is None:
        checker.error(join(path, "provider"), "required for a csp subscription")
    azure_id = checker.uuid_value(data, path, "azure_subscription_id")
    if workload is not None and workload != Workload.AZURE:
        for key in ("azure_subscription_id", "azure_rbac"):
            if data.get(key) is not None:
                checker.error(join(path, key), f"only for azure subscriptions, this one is {workload}")
    if azure_id is not None:
        if azure_id in seen_azure_ids:
            checker.error(
                join(path, "azure_subscription_id"), f"duplicate Azure subscription id '{azure_id}'"
            )
        seen_azure_ids.add(azure_id)
        if checker.use_db:
            clash = Subscription.objects.filter(azure_subscription_id=azure_id)
            if subscription_id is not None:
                clash = clash.exclude(pk=subscription_id)
            else:
                clash = clash.exclude(customer__name=customer, workload=workload, offer=offer)
            if clash.exists():
                checker.error(
                    join(path, "azure_subscription_id"),
                    f"Azure subscription id '{azure_id}' already belongs to another subscription",
                )
    rbac = azure_rbac_validate(checker, data, path, parties) if workload == Workload.AZURE else []
    isv = None
    if workload == Workload.MARKETPLACE:
        isv = isv_validate(checker, data, path)
    elif data.get("isv") is not None:
        checker.error(join(path, "isv"), f"only for marketplace subscriptions, this one is {workload}")
    if len(checker.errors) > errors_before:
        return None
    return SubscriptionSpec(
        id=subscription_id,
        fields={
            "workload": workload,
            "offer": offer,
            "channel": channel,
            "is_trial": is_trial,
            "status": status,
            "azure_subscription_id": azure_id,
        },
        provider=parties["provider"].name if parties["provider"] else None,
        reseller=parties["reseller"].name if parties["reseller"] else None,
        isv=isv,
        rbac=rbac or [],
    )


def azure_rbac_validate(checker: Checker, data: dict, path: str, parties: dict) -> list[RbacSpec]:
    """The Azure role assignments of an azure subscription (a user or a group of a partner)."""
    out, seen = [], set()
    default_partner = parties.get("reseller") or parties.get("provider")
    for item_path, raw in checker.items(data, path, "azure_rbac"):
        item = checker.mapping(raw, item_path, rules.AZURE_RBAC_KEYS)
        if item is None:
            continue
        role_name = checker.text(item, item_path, "role", required=True)
        role = None
        if role_name is not None:
            role = rules.AZURE_ROLES_BY_NAME.get(role_name)
            if role is None:
                checker.error(
                    join(item_path, "role"),
                    f"unknown Azure role {role_name!r} "
                    f"(expected one of: {one_of(rules.AZURE_ROLES_BY_NAME)})",
                )
        if item.get("partner") is not None:
            partner = checker.partner_ref(item, item_path, "partner")
        else:
            partner = default_partner
            if partner is None:
                checker.error(join(item_path, "partner"), "required when the subscription has no provider")
        has_user, has_group = item.get("user") is not None, item.get("group") is not None
        if has_user == has_group:
            checker.error(item_path, "give exactly one of user or group")
            continue
        user = checker.user_ref(item, item_path, "user", partner) if has_user else None
        group = (
            checker.group_ref_value(item["group"], join(item_path, "group"), partner) if has_group else None
        )
        if role is None or partner is None or (user or group) is None:
            continue
        key = (role, partner.name, user, group)
        if key in seen:
            checker.error(item_path, "duplicate Azure role assignment")
            continue
        seen.add(key)
        out.append(RbacSpec(role_definition_id=role, partner=partner.name, user=user, group=group))
    return out


def isv_validate(checker: Checker, data: dict, path: str) -> dict[str, str] | None:
    """The ISV of a marketplace subscription (SR-MARKETPLACE-ISV: at least one support contact)."""
    here = join(path, "isv")
    if data.get("isv") is None:
        checker.error(here, "required for a marketplace subscription (the ISV's support contacts)")
        return None
    isv = checker.mapping(data["isv"], here, rules.ISV_KEYS)
    if isv is None:
        return None
    out = {
        "name": checker.text(isv, here, "name", required=True, max_length=200),
        "support_url": checker.url(isv, here, "support_url") or "",
        "support_email": checker.email(isv, here, "support_email") or "",
        "support_phone": checker.text(isv, here, "support_phone", max_length=64),
    }
    if not (isv.get("support_url") or isv.get("support_email") or isv.get("support_phone")):
        checker.error(
            here, "SR-MARKETPLACE-ISV: give at least one of support_url, support_email, support_phone"
        )
        return None
    return None if None in out.values() else out
