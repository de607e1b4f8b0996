"""The rules on the contact, the severity, the partner's own subscription and marketplace products
(see ``rules``), one pure function each."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from . import tables
from .binding import rule_check as _rule
from .facts import Snapshot
from .text import gettext_lazy as _
from .text import joined
from .wording import (
    Words,
    failed,
    names,
    no_partner,
    passed,
    possessive,
)


def _domain_of(email: str) -> str:
    local, sep, domain = email.rpartition("@")
    if not sep or not local or "." not in domain:
        return ""
    return domain.lower().strip(".")


@_rule("SR-CONTACT-IS-PARTNER")
def sr_contact_is_partner(snapshot: Snapshot) -> tuple[str, Words, Words]:
    own_email = snapshot.user.email if snapshot.user else ""
    email = (snapshot.request.contact_email or "").strip() or own_email
    example = _(" (for example %(email)s)", email=own_email) if own_email else ""
    if not email:
        return failed(
            _("The request has no contact e-mail."),
            _("Enter your own e-mail address as contact%(example)s.", example=example),
        )
    domain = _domain_of(email)
    if not domain:
        return failed(
            _("'%(email)s' is not an e-mail address.", email=email),
            _("Enter your own e-mail address%(example)s.", example=example),
        )
    customer = snapshot.customer
    if customer is None:
        return passed(
            _(
                "The contact %(email)s is the partner's own: there is no customer on this request.",
                email=email,
            )
        )
    match = next((d for d in customer.domains if domain == d or domain.endswith("." + d)), None)
    if match:
        return failed(
            _(
                "The contact %(email)s is the customer's person: %(domain)s is a domain of %(customer)s.",
                email=email,
                domain=match,
                customer=customer.name,
            ),
            _(
                "Enter your own contact details%(example)s, not your customer's: Microsoft contacts the "
                "partner.",
                example=example,
            ),
        )
    return passed(
        _("The contact %(email)s is not at a domain of %(customer)s.", email=email, customer=customer.name)
    )


@_rule("SR-CRITICAL-NEEDS-PHONE")
def sr_critical_needs_phone(snapshot: Snapshot) -> tuple[str, Words, Words]:
    severity = snapshot.request.severity
    name = tables.SEVERITY_NAMES.get(severity, severity)
    if severity not in tables.SEVERITIES_NEEDING_PHONE:
        return passed(_("A %(severity)s request needs no phone number.", severity=name))
    phone = (snapshot.request.contact_phone or "").strip()
    if phone:
        return passed(
            _("The %(severity)s request carries the contact phone %(phone)s.", severity=name, phone=phone)
        )
    own_phone = snapshot.user.phone if snapshot.user else ""
    return failed(
        _("A %(severity)s request must carry a contact phone number.", severity=name),
        _(
            "Add a phone number where you can be reached (for example yours: %(phone)s), or choose a lower "
            "severity.",
            phone=own_phone,
        )
        if own_phone
        else _("Add a phone number where you can be reached, or choose a lower severity."),
    )


@_rule("SR-OWN-SUBSCRIPTION-ENTITLEMENT")
def sr_own_subscription_entitlement(snapshot: Snapshot) -> tuple[str, Words, Words]:
    partner = snapshot.partner
    if partner is None:
        return no_partner(snapshot)
    valid = [e for e in snapshot.entitlements if e.is_valid_at(snapshot.now)]
    words = {
        "partner": partner.name,
        "partner_s": possessive(partner.name),
        "valid": names(e.label for e in valid),
    }
    use_valid = (
        _("Enter one of %(partner_s)s valid support entitlements: %(valid)s.", **words)
        if valid
        else _(
            "%(partner)s has no valid support entitlement: add its partner program ID, Premier/Unified "
            "contract ID or Azure support plan ID, then enter it here.",
            **words,
        )
    )
    wanted = (snapshot.request.support_entitlement_id or "").strip()
    if not wanted:
        return failed(
            _(
                "A request about %(partner_s)s own subscription is not covered by the CSP entitlement and "
                "names no support entitlement.",
                **words,
            ),
            use_valid,
        )
    found = next((e for e in snapshot.entitlements if e.entitlement_id.lower() == wanted.lower()), None)
    if found is None:
        return failed(
            _("'%(wanted)s' is not a support entitlement of %(partner)s.", wanted=wanted, **words), use_valid
        )
    words.update(entitlement=found.label, entitlement_id=found.entitlement_id)
    if not found.is_valid_at(snapshot.now):
        return failed(
            _("%(entitlement)s expired on %(date)s.", date=f"{found.valid_until:%Y-%m-%d}", **words),
            _(
                "Renew %(entitlement_id)s, or enter one of %(partner_s)s valid support entitlements: "
                "%(valid)s.",
                **words,
            )
            if valid
            else _("Renew %(entitlement_id)s: %(partner)s has no other valid support entitlement.", **words),
        )
    if found.valid_until:
        return passed(
            _(
                "%(entitlement)s is valid until %(date)s; the request is filed in %(partner_s)s own context, "
                "not a customer's.",
                date=f"{found.valid_until:%Y-%m-%d}",
                **words,
            )
        )
    return passed(
        _(
            "%(entitlement)s is valid; the request is filed in %(partner_s)s own context, not a customer's.",
            **words,
        )
    )


@_rule("SR-MARKETPLACE-ISV")
def sr_marketplace_isv(snapshot: Snapshot) -> tuple[str, Words, Words]:
    sub = snapshot.subscription
    isv = sub.isv if sub is not None and sub.workload == "marketplace" else None
    if isv is None:
        return failed(
            _("Marketplace products are supported by their publisher, not Microsoft: no ticket is created."),
            _("Choose the product to see its publisher's support contact, then contact the publisher."),
        )
    contacts = [
        _(label, value=isv[key])
        for label, key in (
            (gettext_noop("site %(value)s"), "supportUrl"),
            (gettext_noop("e-mail %(value)s"), "supportEmail"),
            (gettext_noop("phone %(value)s"), "supportPhone"),
        )
        if isv.get(key)
    ]
    return failed(
        _(
            "'%(product)s' is a product of %(publisher)s: Microsoft doesn't support it and no ticket is "
            "created.",
            product=sub.offer,
            publisher=isv["name"],
        ),
        _("Contact %(publisher)s support: %(contacts)s.", publisher=isv["name"], contacts=joined(contacts)),
    )
