"""The ``partners`` section: partners with their support contact, security groups, support
entitlements and users."""

from __future__ import annotations

import uuid
from typing import Any

from partners.choices import PartnerType
from partners.models import Partner

from .. import rules
from .fields import join
from .plan import PartnerSpec
from .references import Checker, PartnerInfo, wrong_type
from .users import user_validate


def partners_validate(checker: Checker, doc: dict) -> list[PartnerSpec]:
    """The ``partners`` section. Every partner named in it is known to references first (in any
    order), with the groups, users and entitlements the database already holds for it."""
    raw_partners = checker.items(doc, "", "partners")
    # First pass: names and types, so that later references (in any order) resolve.
    for _path, raw in raw_partners:
        if not isinstance(raw, dict):
            continue
        name = raw.get("name")
        if isinstance(name, str) and name.strip() and name.strip() not in checker.world.partners:
            info = PartnerInfo(
                name=name.strip(),
                type=raw.get("type") if raw.get("type") in rules.PARTNER_TYPES else "",
                cloud=raw.get("cloud", "commercial"),
                indirect_provider=raw.get("indirect_provider"),
            )
            extras = checker.world.db_partner_extras(info.name)
            if extras is not None:
                info.groups |= extras.groups
                info.users.update(extras.users)
                info.entitlements |= extras.entitlements
            checker.world.partners[info.name] = info
    seen_names: set[str] = set()
    seen_ids: set[uuid.UUID] = set()
    out = []
    for path, raw in raw_partners:
        data = checker.mapping(raw, path, rules.PARTNER_KEYS)
        if data is None:
            continue
        spec = partner_validate(checker, data, path, seen_names, seen_ids)
        if spec is not None:
            out.append(spec)
    return out


def partner_validate(
    checker: Checker, data: dict, path: str, seen_names: set, seen_ids: set
) -> PartnerSpec | None:
    """One partner with its security groups, support entitlements and users; None on any problem."""
    name = checker.text(data, path, "name", required=True, max_length=200)
    if name is not None:
        if name in seen_names:
            checker.error(join(path, "name"), f"duplicate name {name!r}")
            name = None
        else:
            seen_names.add(name)
    partner_id = checker.uuid_value(data, path, "id")
    if partner_id is not None:
        if partner_id in seen_ids:
            checker.error(join(path, "id"), f"duplicate id '{partner_id}'")
        seen_ids.add(partner_id)
        if name is not None and checker.use_db:
            clash = Partner.objects.filter(name=name).exclude(pk=partner_id).values_list("pk", flat=True)
            for other in clash[:1]:
                checker.error(join(path, "id"), f"partner {name!r} already exists with id '{other}'")
    partner_type = checker.choice(data, path, "type", rules.PARTNER_TYPES, "partner type", required=True)
    cloud = checker.choice(data, path, "cloud", rules.PARTNER_CLOUDS, "partner cloud", default="commercial")
    info = checker.world.partners.get(name) if name else None
    if info is not None:
        info.type, info.cloud = partner_type or "", cloud or ""
    fields: dict[str, Any] = {
        "type": partner_type,
        "cloud": cloud,
        "mpn_id": checker.text(data, path, "mpn_id", max_length=32, numbers=True),
    }
    domains = []
    for domain_path, domain in checker.name_list(data, path, "domains"):
        domains.append(checker.domain_value(domain, domain_path))
    fields["domains"] = [d for d in domains if d]
    fields.update(support_contact_validate(checker, data, path))
    indirect_provider = None
    if data.get("indirect_provider") is not None:
        provider = checker.partner_ref(data, path, "indirect_provider")
        here = join(path, "indirect_provider")
        if partner_type is not None and partner_type != PartnerType.INDIRECT_RESELLER:
            checker.error(here, f"only for indirect_reseller partners, this one is {partner_type}")
        elif wrong_type(provider, {PartnerType.INDIRECT_PROVIDER}):
            checker.error(here, f"{provider.name!r} has type {provider.type}, not indirect_provider")
        elif provider is not None:
            indirect_provider = provider.name
    groups = security_groups_validate(checker, data, path, info)
    entitlements = entitlements_validate(checker, data, path, info)
    users = []
    for user_path, raw_user in checker.items(data, path, "users"):
        spec = user_validate(
            checker,
            raw_user,
            user_path,
            owner=("partner", name or ""),
            allowed=rules.PARTNER_USER_KEYS,
            partner=info,
        )
        if spec is not None:
            users.append(spec)
            if info is not None:
                info.users[spec.username] = set(spec.roles)
    if name is None or None in fields.values() or groups is None or entitlements is None:
        return None
    return PartnerSpec(
        name=name,
        id=partner_id,
        fields=fields,
        indirect_provider=indirect_provider,
        groups=groups,
        users=users,
        entitlements=entitlements,
    )


def support_contact_validate(checker: Checker, data: dict, path: str) -> dict[str, Any]:
    """The partner's support contact as model fields (``support_email`` None on a problem)."""
    empty = {"support_email": "", "support_phone": "", "support_url": ""}
    if data.get("support_contact") is None:
        return empty
    here = join(path, "support_contact")
    contact = checker.mapping(data["support_contact"], here, rules.SUPPORT_CONTACT_KEYS)
    if contact is None:
        return {"support_email": None}
    return {
        "support_email": checker.email(contact, here, "email") or "",
        "support_phone": checker.text(contact, here, "phone", max_length=64),
        "support_url": checker.url(contact, here, "url") or "",
    }


def security_groups_validate(checker: Checker, data: dict, path: str, info: PartnerInfo | None):
    """The partner's security groups as ``(name, id, description)``, each known to references from
    here on; None on any problem."""
    groups, seen_names, ok = [], set(), True
    for group_path, raw in checker.items(data, path, "security_groups"):
        if isinstance(raw, str):
            raw = {"name": raw}
        group = checker.mapping(raw, group_path, rules.GROUP_KEYS)
        if group is None:
            ok = False
            continue
        name = checker.text(group, group_path, "name", required=True, max_length=120)
        group_id = checker.uuid_value(group, group_path, "id")
        description = checker.text(group, group_path, "description", max_length=300)
        if name is None or description is None or (group.get("id") is not None and group_id is None):
            ok = False
            continue
        if name in seen_names:
            checker.error(join(group_path, "name"), f"duplicate security group {name!r}")
            ok = False
            continue
        seen_names.add(name)
        groups.append((name, group_id, description))
        if info is not None:
            info.groups.add(name)
    return groups if ok else None


def entitlements_validate(checker: Checker, data: dict, path: str, info: PartnerInfo | None):
    """The partner's support entitlements as model fields; None on any problem."""
    out, seen, ok = [], set(), True
    for item_path, raw in checker.items(data, path, "support_entitlements"):
        item = checker.mapping(raw, item_path, rules.ENTITLEMENT_KEYS)
        if item is None:
            ok = False
            continue
        kind = checker.choice(
            item, item_path, "kind", rules.ENTITLEMENT_KINDS, "entitlement kind", required=True
        )
        entitlement_id = checker.text(item, item_path, "id", required=True, max_length=64, numbers=True)
        valid_until = checker.time(item, item_path, "valid_until")
        if item.get("valid_until") is not None and valid_until is None:
            ok = False
        if entitlement_id in seen:
            checker.error(join(item_path, "id"), f"duplicate entitlement {entitlement_id!r}")
            ok = False
        if kind is None or entitlement_id is None:
            ok = False
            continue
        seen.add(entitlement_id)
        if info is not None:
            info.entitlements.add(entitlement_id)
        out.append({"kind": kind, "entitlement_id": entitlement_id, "valid_until": valid_until})
    return out if ok else None
