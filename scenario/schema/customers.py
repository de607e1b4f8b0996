"""The ``customers`` section: customers with their domains, partner links, admins and
subscriptions."""

from __future__ import annotations

import re
import uuid

from customers.models import Customer, CustomerDomain

from .. import rules
from .fields import join
from .plan import CustomerSpec
from .references import Checker, wrong_type
from .subscriptions import subscription_validate
from .users import user_validate

COUNTRY = re.compile(r"^[A-Z]{2}$")


def customers_validate(checker: Checker, doc: dict) -> list[CustomerSpec]:
    """The ``customers`` section. Every customer named in it is known to references first."""
    raw_customers = checker.items(doc, "", "customers")
    for _path, raw in raw_customers:
        if isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw["name"].strip():
            cloud = raw.get("cloud", "commercial")
            checker.world.customers.setdefault(raw["name"].strip(), cloud if isinstance(cloud, str) else "")
    seen_names: set[str] = set()
    seen_domains: set[str] = set()
    seen_azure_ids: set[uuid.UUID] = set()
    out = []
    for path, raw in raw_customers:
        data = checker.mapping(raw, path, rules.CUSTOMER_KEYS)
        if data is None:
            continue
        spec = customer_validate(checker, data, path, seen_names, seen_domains, seen_azure_ids)
        if spec is not None:
            out.append(spec)
    return out


def customer_validate(
    checker: Checker, data, path, seen_names, seen_domains, seen_azure_ids
) -> CustomerSpec | None:
    """One customer with its domains, partner links, admins and subscriptions; None on any problem.
    A domain or id the database gives another customer is a problem (unless resetting)."""
    name = checker.text(data, path, "name", required=True, max_length=200)
    if name is not None:
        if name in seen_names:
            checker.error(join(path, "name"), f"duplicate name {name!r}")
            name = None
        else:
            seen_names.add(name)
    customer_id = checker.uuid_value(data, path, "id")
    if customer_id is not None and name is not None and checker.use_db:
        for other in (
            Customer.objects.filter(name=name).exclude(pk=customer_id).values_list("pk", flat=True)[:1]
        ):
            checker.error(join(path, "id"), f"customer {name!r} already exists with id '{other}'")
    cloud = checker.choice(data, path, "cloud", rules.CUSTOMER_CLOUDS, "customer cloud", default="commercial")
    country = checker.text(data, path, "country", default="US")
    if country is not None and not COUNTRY.match(country):
        checker.error(
            join(path, "country"), f"expected a two-letter country code such as US, got {country!r}"
        )
        country = None
    domains, ok = [], True
    for domain_path, value in checker.name_list(data, path, "domains"):
        domain = checker.domain_value(value, domain_path)
        if domain is None:
            ok = False
        elif domain in seen_domains:
            checker.error(domain_path, f"duplicate domain {domain!r}")
            ok = False
        else:
            seen_domains.add(domain)
            domains.append(domain)
            if checker.use_db and name is not None:
                owner = (
                    CustomerDomain.objects.filter(domain=domain)
                    .exclude(customer__name=name)
                    .values_list("customer__name", flat=True)
                    .first()
                )
                if owner is not None:
                    checker.error(domain_path, f"domain {domain!r} already belongs to customer {owner!r}")
                    ok = False
    links, linked = [], set()
    for link_path, raw in checker.items(data, path, "partners"):
        link = checker.mapping(raw, link_path, rules.CUSTOMER_LINK_KEYS)
        if link is None:
            ok = False
            continue
        partner = checker.partner_ref(link, link_path, "partner")
        relationship = checker.choice(
            link, link_path, "relationship", rules.CUSTOMER_RELATIONSHIPS, "relationship", required=True
        )
        if partner is None or relationship is None:
            ok = False
            continue
        if partner.name in linked:
            checker.error(join(link_path, "partner"), f"duplicate partner {partner.name!r}")
            ok = False
            continue
        allowed_types = rules.LINK_PARTNER_TYPES[relationship]
        if wrong_type(partner, allowed_types):
            checker.error(
                join(link_path, "relationship"),
                f"relationship {relationship!r} needs a partner of type "
                f"{' or '.join(sorted(allowed_types))}; {partner.name!r} has type {partner.type}",
            )
            ok = False
            continue
        linked.add(partner.name)
        links.append((partner.name, relationship))
    admins = []
    for admin_path, raw in checker.items(data, path, "admins"):
        spec = user_validate(
            checker,
            raw,
            admin_path,
            owner=("customer", name or ""),
            allowed=rules.CUSTOMER_ADMIN_KEYS,
            partner=None,
        )
        if spec is None:
            ok = False
        else:
            admins.append(spec)
    subscriptions, seen_offers = [], set()
    for sub_path, raw in checker.items(data, path, "subscriptions"):
        spec = subscription_validate(checker, raw, sub_path, seen_azure_ids, customer=name)
        if spec is None:
            ok = False
            continue
        key = (spec.fields["workload"], spec.fields["offer"])
        if spec.id is None and key in seen_offers:
            checker.error(
                join(sub_path, "offer"),
                f"duplicate {key[0]} offer {key[1]!r} for this customer (give each an id)",
            )
            ok = False
            continue
        seen_offers.add(key)
        subscriptions.append(spec)
    if name is None or cloud is None or country is None or not ok:
        return None
    return CustomerSpec(
        name=name,
        id=customer_id,
        fields={"cloud": cloud, "country": country, "default_domain": domains[0] if domains else ""},
        domains=domains,
        links=links,
        admins=admins,
        subscriptions=subscriptions,
    )
