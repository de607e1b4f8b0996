"""Validation of a scenario document into a plan the loader can write without further checks.

:func:`scenario_validate` reads the whole document, collects *every* problem as
``path.to.field: reason`` and raises :class:`ScenarioError` with all of them,
or returns a :class:`ScenarioPlan` whose values are already resolved (times,
durations, Entra role ids, Azure role GUIDs) and whose references are known to
exist, either in the document or (unless the load resets) in the database.
It only reads the database.
"""

from __future__ import annotations

import hashlib
import random
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email

from customers.choices import RESOLVED_HEALTH_STATUSES, Channel, Workload
from customers.models import Customer, CustomerDomain, Subscription
from gdap.choices import (
    AUTO_EXTEND_OFF,
    AUTO_EXTEND_ON,
    DISPLAY_NAME_MAX,
    MAX_DURATION,
    MIN_DURATION,
    AssignmentStatus,
)
from gdap.durations import format_iso_duration
from gdap.models import EntraRole, Relationship
from gdap.roles import GLOBAL_ADMINISTRATOR
from partners.choices import PartnerCenterRole, PartnerType
from partners.models import Partner, User
from servicerequests.choices import IssueType, Severity, Status
from servicerequests.sla import SLA_TARGETS

from . import rules
from .times import resolve_duration, resolve_time


class ScenarioError(Exception):
    """A scenario was refused. ``errors`` lists every problem as ``path.to.field: reason``."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


# ---------------------------------------------------------------------------------------------
# The plan: resolved, checked values, field names as on the models.


@dataclass
class UserSpec:
    username: str
    fields: dict[str, Any]
    password: str | None
    roles: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


@dataclass
class PartnerSpec:
    name: str
    id: uuid.UUID | None
    fields: dict[str, Any]
    indirect_provider: str | None
    groups: list[tuple[str, uuid.UUID | None, str]]  # (name, id, description)
    users: list[UserSpec]
    entitlements: list[dict[str, Any]]  # kind, entitlement_id, valid_until


@dataclass
class RbacSpec:
    role_definition_id: str
    partner: str
    user: str | None
    group: str | None


@dataclass
class SubscriptionSpec:
    id: uuid.UUID | None
    fields: dict[str, Any]  # workload, offer, channel, is_trial, status, azure_subscription_id
    provider: str | None
    reseller: str | None
    isv: dict[str, str] | None
    rbac: list[RbacSpec]


@dataclass
class CustomerSpec:
    name: str
    id: uuid.UUID | None
    fields: dict[str, Any]  # cloud, country, default_domain
    domains: list[str]
    links: list[tuple[str, str]]  # (partner name, relationship)
    admins: list[UserSpec]
    subscriptions: list[SubscriptionSpec]


@dataclass
class AssignmentSpec:
    group: str
    roles: list[str]  # template ids
    status: str


@dataclass
class RelationshipSpec:
    id: str | None
    partner: str
    customer: str
    fields: dict[str, Any]
    roles: list[str]  # template ids
    created_for_reseller: str | None
    assignments: list[AssignmentSpec]


@dataclass
class HealthSpec:
    customer: str | None
    issue_id: str
    fields: dict[str, Any]


@dataclass
class ServiceRequestSpec:
    id: str
    partner: str
    customer: str | None
    created_by: str
    assigned_to: str | None
    entitlement: str | None
    fields: dict[str, Any]


@dataclass
class ScenarioPlan:
    """Everything a scenario says, checked and resolved, in writing order."""

    partners: list[PartnerSpec] = field(default_factory=list)
    customers: list[CustomerSpec] = field(default_factory=list)
    relationships: list[RelationshipSpec] = field(default_factory=list)
    health_issues: list[HealthSpec] = field(default_factory=list)
    service_requests: list[ServiceRequestSpec] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many objects of each kind the scenario describes."""
        users = [u for p in self.partners for u in p.users]
        admins = [u for c in self.customers for u in c.admins]
        subscriptions = [s for c in self.customers for s in c.subscriptions]
        return {
            "partners": len(self.partners),
            "security_groups": sum(len(p.groups) for p in self.partners),
            "users": len(users) + len(admins),
            "user_roles": sum(len(u.roles) for u in users),
            "support_entitlements": sum(len(p.entitlements) for p in self.partners),
            "customers": len(self.customers),
            "customer_domains": sum(len(c.domains) for c in self.customers),
            "customer_partner_links": sum(len(c.links) for c in self.customers),
            "subscriptions": len(subscriptions),
            "azure_role_assignments": sum(len(s.rbac) for s in subscriptions),
            "gdap_relationships": len(self.relationships),
            "gdap_access_assignments": sum(len(r.assignments) for r in self.relationships),
            "service_health_issues": len(self.health_issues),
            "service_requests": len(self.service_requests),
        }


# ---------------------------------------------------------------------------------------------
# What references may point at: the document first, then (unless resetting) the database.


@dataclass
class _PartnerInfo:
    name: str
    type: str
    cloud: str
    indirect_provider: str | None
    groups: set[str] = field(default_factory=set)
    users: dict[str, set[str]] = field(default_factory=dict)  # username → Partner Center roles
    entitlements: set[str] = field(default_factory=set)
    in_document: bool = True


class _World:
    """Known partners and customers: those of the document, else those already in the database."""

    def __init__(self, *, use_db: bool):
        self.use_db = use_db
        self.partners: dict[str, _PartnerInfo] = {}
        self.customers: dict[str, str] = {}  # name → cloud
        self._db_partners: dict[str, _PartnerInfo | None] = {}
        self._db_customers: dict[str, str | None] = {}

    def partner(self, name: str) -> _PartnerInfo | None:
        if name in self.partners:
            return self.partners[name]
        if not self.use_db:
            return None
        if name not in self._db_partners:
            self._db_partners[name] = self._load_partner(name)
        return self._db_partners[name]

    @staticmethod
    def _load_partner(name: str) -> _PartnerInfo | None:
        partner = Partner.objects.filter(name=name).select_related("indirect_provider").first()
        if partner is None:
            return None
        users: dict[str, set[str]] = {}
        for username, role in partner.users.values_list("username", "roles__role"):
            users.setdefault(username, set())
            if role:
                users[username].add(role)
        return _PartnerInfo(
            name=partner.name,
            type=partner.type,
            cloud=partner.cloud,
            indirect_provider=partner.indirect_provider.name if partner.indirect_provider else None,
            groups=set(partner.security_groups.values_list("name", flat=True)),
            users=users,
            entitlements=set(partner.support_entitlements.values_list("entitlement_id", flat=True)),
            in_document=False,
        )

    def db_partner_extras(self, name: str) -> _PartnerInfo | None:
        """The database's groups and users of a partner the document also describes."""
        if not self.use_db:
            return None
        if name not in self._db_partners:
            self._db_partners[name] = self._load_partner(name)
        return self._db_partners[name]

    def customer_cloud(self, name: str) -> str | None:
        if name in self.customers:
            return self.customers[name]
        if not self.use_db:
            return None
        if name not in self._db_customers:
            self._db_customers[name] = (
                Customer.objects.filter(name=name).values_list("cloud", flat=True).first()
            )
        return self._db_customers[name]


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _one_of(values) -> str:
    return ", ".join(values)


def stable_service_request_id(*parts: object) -> str:
    """A 15-digit service request id derived from ``parts``, so a reload finds the same request."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return str(int(digest, 16) % (9 * 10**14) + 10**14)


_SR_ID = re.compile(r"^[1-9][0-9]{14}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_url_validator = URLValidator(schemes=["http", "https"])
_username_validator = UnicodeUsernameValidator()
_MISSING = object()


class _Validator:
    """Collects every problem while reading the document; a reader returns None on a problem."""

    def __init__(self, *, now: datetime, use_db: bool):
        self.now = now
        self.errors: list[str] = []
        self.world = _World(use_db=use_db)
        self.use_db = use_db
        self.plan = ScenarioPlan()
        self._entra_by_name: dict[str, str] = {}
        self._entra_ids: set[str] = set()
        self._usernames: dict[str, str] = {}  # username → path where first defined
        self._user_owner: dict[str, tuple[str, str]] = {}  # username → ("partner"|"customer", name)

    # -- primitives ---------------------------------------------------------------------------

    def error(self, path: str, reason: str) -> None:
        self.errors.append(f"{path}: {reason}")

    def mapping(self, value, path: str, allowed: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping, got {_type_name(value)}")
            return None
        for key in value:
            if key not in allowed:
                self.error(_join(path, str(key)), f"unknown field (expected one of: {_one_of(allowed)})")
        return value

    def items(self, data: dict, path: str, key: str) -> list[tuple[str, Any]]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(_join(path, key), f"expected a list, got {_type_name(value)}")
            return []
        return [(_join(_join(path, key), i), item) for i, item in enumerate(value)]

    def text(
        self,
        data: dict,
        path: str,
        key: str,
        *,
        required: bool = False,
        max_length: int | None = None,
        default: str | None = "",
        numbers: bool = False,
    ) -> str | None:
        value = data.get(key, _MISSING)
        here = _join(path, key)
        if value is _MISSING or value is None:
            if required:
                self.error(here, "required")
            return None if required else default
        return self.text_value(value, here, max_length=max_length, numbers=numbers)

    def text_value(self, value, path: str, *, max_length: int | None = None, numbers: bool = False):
        if numbers and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.error(path, f"expected a string, got {_type_name(value)}")
            return None
        value = value.strip()
        if not value:
            self.error(path, "must not be empty")
            return None
        if max_length is not None and len(value) > max_length:
            self.error(path, f"at most {max_length} characters, got {len(value)}")
            return None
        return value

    def choice(self, data: dict, path: str, key: str, choices, what: str, *, required=False, default=None):
        value = data.get(key, _MISSING)
        here = _join(path, key)
        if value is _MISSING or value is None:
            if required:
                self.error(here, "required")
            return default
        return self.choice_value(value, here, choices, what)

    def choice_value(self, value, path: str, choices, what: str):
        if not isinstance(value, str):
            self.error(path, f"expected a string, got {_type_name(value)}")
            return None
        if value not in choices:
            self.error(path, f"unknown {what} {value!r} (expected one of: {_one_of(choices)})")
            return None
        return value

    def boolean(self, data: dict, path: str, key: str, *, default: bool) -> bool | None:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.error(_join(path, key), f"expected true or false, got {_type_name(value)}")
            return None
        return value

    def integer(self, data, path, key, *, required=False, default=None, low=None, high=None):
        value = data.get(key, _MISSING)
        here = _join(path, key)
        if value is _MISSING or value is None:
            if required:
                self.error(here, "required")
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(here, f"expected a whole number, got {_type_name(value)}")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.error(here, f"must be between {low} and {high}, got {value}")
            return None
        return value

    def time(self, data: dict, path: str, key: str, *, required: bool = False) -> datetime | None:
        value = data.get(key, _MISSING)
        here = _join(path, key)
        if value is _MISSING or value is None:
            if required:
                self.error(here, "required")
            return None
        try:
            return resolve_time(value, now=self.now)
        except ValueError as exc:
            self.error(here, str(exc))
            return None

    def duration(self, data: dict, path: str, key: str, *, required: bool = False, default=None):
        value = data.get(key, _MISSING)
        here = _join(path, key)
        if value is _MISSING or value is None:
            if required:
                self.error(here, "required")
            return default
        try:
            return resolve_duration(value)
        except ValueError as exc:
            self.error(here, str(exc))
            return None

    def uuid_value(self, data: dict, path: str, key: str) -> uuid.UUID | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            return uuid.UUID(str(value))
        except ValueError:
            self.error(_join(path, key), f"not a UUID: {value!r}")
            return None

    def email(self, data: dict, path: str, key: str, *, required: bool = False) -> str | None:
        value = self.text(data, path, key, required=required, max_length=254, default=None)
        if value is None:
            return None
        try:
            validate_email(value)
        except ValidationError:
            self.error(_join(path, key), f"not an e-mail address: {value!r}")
            return None
        return value

    def url(self, data: dict, path: str, key: str) -> str | None:
        value = self.text(data, path, key, max_length=200, default=None)
        if value is None:
            return None
        try:
            _url_validator(value)
        except ValidationError:
            self.error(_join(path, key), f"not an http(s) URL: {value!r}")
            return None
        return value

    def name_list(self, data: dict, path: str, key: str, *, required: bool = False) -> list[tuple[str, str]]:
        if required and not data.get(key):
            self.error(_join(path, key), "required (a non-empty list)")
            return []
        out = []
        for item_path, item in self.items(data, path, key):
            value = self.text_value(item, item_path)
            if value is not None:
                out.append((item_path, value))
        return out

    # -- references -----------------------------------------------------------------------------

    def partner_ref(self, data: dict, path: str, key: str, *, required: bool = True) -> _PartnerInfo | None:
        name = self.text(data, path, key, required=required, default=None)
        if name is None:
            return None
        info = self.world.partner(name)
        if info is None:
            self.error(_join(path, key), f"unknown partner {name!r}")
        return info

    def customer_ref(self, data: dict, path: str, key: str, *, required: bool = True) -> str | None:
        name = self.text(data, path, key, required=required, default=None)
        if name is None:
            return None
        if self.world.customer_cloud(name) is None:
            self.error(_join(path, key), f"unknown customer {name!r}")
            return None
        return name

    def user_ref(self, data, path, key, partner: _PartnerInfo | None, *, required=True) -> str | None:
        username = self.text(data, path, key, required=required, default=None)
        if username is None or partner is None:
            return None
        if username not in partner.users:
            self.error(_join(path, key), f"unknown user {username!r} in partner {partner.name!r}")
            return None
        return username

    def group_ref_value(self, value, path: str, partner: _PartnerInfo | None) -> str | None:
        name = self.text_value(value, path)
        if name is None or partner is None:
            return None
        if name not in partner.groups:
            self.error(path, f"unknown security group {name!r} in partner {partner.name!r}")
            return None
        return name

    def entra_roles(self, data: dict, path: str, key: str) -> list[str] | None:
        """Template ids of the listed Entra roles (names or template ids); None on any problem."""
        if not self._entra_by_name:
            for template_id, name in EntraRole.objects.values_list("template_id", "name"):
                self._entra_by_name[name] = str(template_id)
                self._entra_ids.add(str(template_id))
        resolved, ok = [], True
        for item_path, value in self.name_list(data, path, key, required=True):
            template_id = self._entra_by_name.get(value)
            if template_id is None and value.lower() in self._entra_ids:
                template_id = value.lower()
            if template_id is None:
                self.error(item_path, f"unknown Entra role {value!r}")
                ok = False
            elif template_id in resolved:
                self.error(item_path, f"duplicate role {value!r}")
                ok = False
            else:
                resolved.append(template_id)
        if data.get(key) and not isinstance(data.get(key), list):
            ok = False
        return resolved if ok and resolved else None

    # -- users ----------------------------------------------------------------------------------

    def user(self, raw, path: str, *, owner: tuple[str, str], allowed, partner: _PartnerInfo | None):
        data = self.mapping(raw, path, allowed)
        if data is None:
            return None
        username = self.text(data, path, "username", required=True, max_length=150)
        if username is not None:
            try:
                _username_validator(username)
            except ValidationError:
                self.error(_join(path, "username"), f"not a valid username: {username!r}")
                username = None
        if username is not None:
            if username in self._usernames:
                self.error(_join(path, "username"), f"duplicate username {username!r}")
            else:
                self._usernames[username] = path
                self._user_owner[username] = owner
        fields = {
            "email": self.email(data, path, "email") or "",
            "first_name": self.text(data, path, "first_name", max_length=150),
            "last_name": self.text(data, path, "last_name", max_length=150),
            "phone": self.text(data, path, "phone", max_length=64),
        }
        password = data.get("password")
        if password is not None:
            password = self.text(data, path, "password", max_length=128, default=None)
            if password is not None and username is not None:
                try:
                    validate_password(
                        password,
                        user=User(
                            username=username,
                            email=fields["email"] or "",
                            first_name=fields["first_name"] or "",
                            last_name=fields["last_name"] or "",
                        ),
                    )
                except ValidationError as exc:
                    for message in exc.messages:
                        self.error(_join(path, "password"), message)
        roles: list[str] = []
        for role_path, role in self.name_list(data, path, "roles"):
            if self.choice_value(role, role_path, rules.PARTNER_CENTER_ROLES, "Partner Center role"):
                if role in roles:
                    self.error(role_path, f"duplicate role {role!r}")
                else:
                    roles.append(role)
        groups: list[str] = []
        for group_path, group in self.items(data, path, "groups"):
            name = self.group_ref_value(group, group_path, partner)
            if name is not None and name not in groups:
                groups.append(name)
        if username is None or None in fields.values():
            return None
        return UserSpec(username=username, fields=fields, password=password, roles=roles, groups=groups)

    # -- sections -------------------------------------------------------------------------------

    def partners(self, doc: dict) -> None:
        raw_partners = self.items(doc, "", "partners")
        # First pass: names and types, so that later references (in any order) resolve.
        for _path, raw in raw_partners:
            if not isinstance(raw, dict):
                continue
            name = raw.get("name")
            if isinstance(name, str) and name.strip() and name.strip() not in self.world.partners:
                info = _PartnerInfo(
                    name=name.strip(),
                    type=raw.get("type") if raw.get("type") in rules.PARTNER_TYPES else "",
                    cloud=raw.get("cloud", "commercial"),
                    indirect_provider=raw.get("indirect_provider"),
                )
                extras = self.world.db_partner_extras(info.name)
                if extras is not None:
                    info.groups |= extras.groups
                    info.users.update(extras.users)
                    info.entitlements |= extras.entitlements
                self.world.partners[info.name] = info
        seen_names: set[str] = set()
        seen_ids: set[uuid.UUID] = set()
        for path, raw in raw_partners:
            data = self.mapping(raw, path, rules.PARTNER_KEYS)
            if data is None:
                continue
            spec = self.partner(data, path, seen_names, seen_ids)
            if spec is not None:
                self.plan.partners.append(spec)

    def partner(self, data: dict, path: str, seen_names: set, seen_ids: set) -> PartnerSpec | None:
        name = self.text(data, path, "name", required=True, max_length=200)
        if name is not None:
            if name in seen_names:
                self.error(_join(path, "name"), f"duplicate name {name!r}")
                name = None
            else:
                seen_names.add(name)
        partner_id = self.uuid_value(data, path, "id")
        if partner_id is not None:
            if partner_id in seen_ids:
                self.error(_join(path, "id"), f"duplicate id '{partner_id}'")
            seen_ids.add(partner_id)
            if name is not None and self.use_db:
                clash = Partner.objects.filter(name=name).exclude(pk=partner_id).values_list("pk", flat=True)
                for other in clash[:1]:
                    self.error(_join(path, "id"), f"partner {name!r} already exists with id '{other}'")
        partner_type = self.choice(data, path, "type", rules.PARTNER_TYPES, "partner type", required=True)
        cloud = self.choice(data, path, "cloud", rules.CLOUDS, "cloud", default="commercial")
        info = self.world.partners.get(name) if name else None
        if info is not None:
            info.type, info.cloud = partner_type or "", cloud or ""
        fields: dict[str, Any] = {
            "type": partner_type,
            "cloud": cloud,
            "mpn_id": self.text(data, path, "mpn_id", max_length=32, numbers=True),
        }
        domains = []
        for domain_path, domain in self.name_list(data, path, "domains"):
            domains.append(self.domain(domain, domain_path))
        fields["domains"] = [d for d in domains if d]
        fields.update(self.support_contact(data, path))
        indirect_provider = None
        if data.get("indirect_provider") is not None:
            provider = self.partner_ref(data, path, "indirect_provider")
            here = _join(path, "indirect_provider")
            if partner_type is not None and partner_type != PartnerType.INDIRECT_RESELLER:
                self.error(here, f"only for indirect_reseller partners, this one is {partner_type}")
            elif _wrong_type(provider, {PartnerType.INDIRECT_PROVIDER}):
                self.error(here, f"{provider.name!r} has type {provider.type}, not indirect_provider")
            elif provider is not None:
                indirect_provider = provider.name
        groups = self.security_groups(data, path, info)
        entitlements = self.entitlements(data, path, info)
        users = []
        for user_path, raw_user in self.items(data, path, "users"):
            spec = self.user(
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

    def support_contact(self, data: dict, path: str) -> dict[str, Any]:
        empty = {"support_email": "", "support_phone": "", "support_url": ""}
        if data.get("support_contact") is None:
            return empty
        here = _join(path, "support_contact")
        contact = self.mapping(data["support_contact"], here, rules.SUPPORT_CONTACT_KEYS)
        if contact is None:
            return {"support_email": None}
        return {
            "support_email": self.email(contact, here, "email") or "",
            "support_phone": self.text(contact, here, "phone", max_length=64),
            "support_url": self.url(contact, here, "url") or "",
        }

    def security_groups(self, data: dict, path: str, info: _PartnerInfo | None):
        groups, seen_names, ok = [], set(), True
        for group_path, raw in self.items(data, path, "security_groups"):
            if isinstance(raw, str):
                raw = {"name": raw}
            group = self.mapping(raw, group_path, rules.GROUP_KEYS)
            if group is None:
                ok = False
                continue
            name = self.text(group, group_path, "name", required=True, max_length=120)
            group_id = self.uuid_value(group, group_path, "id")
            description = self.text(group, group_path, "description", max_length=300)
            if name is None or description is None or (group.get("id") is not None and group_id is None):
                ok = False
                continue
            if name in seen_names:
                self.error(_join(group_path, "name"), f"duplicate security group {name!r}")
                ok = False
                continue
            seen_names.add(name)
            groups.append((name, group_id, description))
            if info is not None:
                info.groups.add(name)
        return groups if ok else None

    def entitlements(self, data: dict, path: str, info: _PartnerInfo | None):
        out, seen, ok = [], set(), True
        for item_path, raw in self.items(data, path, "support_entitlements"):
            item = self.mapping(raw, item_path, rules.ENTITLEMENT_KEYS)
            if item is None:
                ok = False
                continue
            kind = self.choice(
                item, item_path, "kind", rules.ENTITLEMENT_KINDS, "entitlement kind", required=True
            )
            entitlement_id = self.text(item, item_path, "id", required=True, max_length=64, numbers=True)
            valid_until = self.time(item, item_path, "valid_until")
            if item.get("valid_until") is not None and valid_until is None:
                ok = False
            if entitlement_id in seen:
                self.error(_join(item_path, "id"), f"duplicate entitlement {entitlement_id!r}")
                ok = False
            if kind is None or entitlement_id is None:
                ok = False
                continue
            seen.add(entitlement_id)
            if info is not None:
                info.entitlements.add(entitlement_id)
            out.append({"kind": kind, "entitlement_id": entitlement_id, "valid_until": valid_until})
        return out if ok else None

    def domain(self, value: str, path: str) -> str | None:
        domain = value.lower()
        if not _DOMAIN.match(domain):
            self.error(path, f"not a domain name: {value!r}")
            return None
        return domain

    def customers(self, doc: dict) -> None:
        raw_customers = self.items(doc, "", "customers")
        for _path, raw in raw_customers:
            if isinstance(raw, dict) and isinstance(raw.get("name"), str) and raw["name"].strip():
                cloud = raw.get("cloud", "commercial")
                self.world.customers.setdefault(raw["name"].strip(), cloud if isinstance(cloud, str) else "")
        seen_names: set[str] = set()
        seen_domains: set[str] = set()
        seen_azure_ids: set[uuid.UUID] = set()
        for path, raw in raw_customers:
            data = self.mapping(raw, path, rules.CUSTOMER_KEYS)
            if data is None:
                continue
            spec = self.customer(data, path, seen_names, seen_domains, seen_azure_ids)
            if spec is not None:
                self.plan.customers.append(spec)

    def customer(self, data, path, seen_names, seen_domains, seen_azure_ids) -> CustomerSpec | None:
        name = self.text(data, path, "name", required=True, max_length=200)
        if name is not None:
            if name in seen_names:
                self.error(_join(path, "name"), f"duplicate name {name!r}")
                name = None
            else:
                seen_names.add(name)
        customer_id = self.uuid_value(data, path, "id")
        if customer_id is not None and name is not None and self.use_db:
            for other in (
                Customer.objects.filter(name=name).exclude(pk=customer_id).values_list("pk", flat=True)[:1]
            ):
                self.error(_join(path, "id"), f"customer {name!r} already exists with id '{other}'")
        cloud = self.choice(data, path, "cloud", rules.CLOUDS, "cloud", default="commercial")
        country = self.text(data, path, "country", default="US")
        if country is not None and not _COUNTRY.match(country):
            self.error(
                _join(path, "country"), f"expected a two-letter country code such as US, got {country!r}"
            )
            country = None
        domains, ok = [], True
        for domain_path, value in self.name_list(data, path, "domains"):
            domain = self.domain(value, domain_path)
            if domain is None:
                ok = False
            elif domain in seen_domains:
                self.error(domain_path, f"duplicate domain {domain!r}")
                ok = False
            else:
                seen_domains.add(domain)
                domains.append(domain)
                if self.use_db and name is not None:
                    owner = (
                        CustomerDomain.objects.filter(domain=domain)
                        .exclude(customer__name=name)
                        .values_list("customer__name", flat=True)
                        .first()
                    )
                    if owner is not None:
                        self.error(domain_path, f"domain {domain!r} already belongs to customer {owner!r}")
                        ok = False
        links, linked = [], set()
        for link_path, raw in self.items(data, path, "partners"):
            link = self.mapping(raw, link_path, rules.CUSTOMER_LINK_KEYS)
            if link is None:
                ok = False
                continue
            partner = self.partner_ref(link, link_path, "partner")
            relationship = self.choice(
                link, link_path, "relationship", rules.CUSTOMER_RELATIONSHIPS, "relationship", required=True
            )
            if partner is None or relationship is None:
                ok = False
                continue
            if partner.name in linked:
                self.error(_join(link_path, "partner"), f"duplicate partner {partner.name!r}")
                ok = False
                continue
            allowed_types = rules.LINK_PARTNER_TYPES[relationship]
            if _wrong_type(partner, allowed_types):
                self.error(
                    _join(link_path, "relationship"),
                    f"relationship {relationship!r} needs a partner of type "
                    f"{' or '.join(sorted(allowed_types))}; {partner.name!r} has type {partner.type}",
                )
                ok = False
                continue
            linked.add(partner.name)
            links.append((partner.name, relationship))
        admins = []
        for admin_path, raw in self.items(data, path, "admins"):
            spec = self.user(
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
        for sub_path, raw in self.items(data, path, "subscriptions"):
            spec = self.subscription(raw, sub_path, seen_azure_ids, customer=name)
            if spec is None:
                ok = False
                continue
            key = (spec.fields["workload"], spec.fields["offer"])
            if spec.id is None and key in seen_offers:
                self.error(
                    _join(sub_path, "offer"),
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

    def subscription(
        self, raw, path: str, seen_azure_ids: set, *, customer: str | None
    ) -> SubscriptionSpec | None:
        data = self.mapping(raw, path, rules.SUBSCRIPTION_KEYS)
        if data is None:
            return None
        errors_before = len(self.errors)
        subscription_id = self.uuid_value(data, path, "id")
        workload = self.choice(data, path, "workload", rules.WORKLOADS, "workload", required=True)
        offer = self.text(data, path, "offer", required=True, max_length=200)
        channel = self.choice(data, path, "channel", rules.CHANNELS, "channel", default="csp")
        is_trial = self.boolean(data, path, "is_trial", default=False)
        status = self.choice(
            data, path, "status", rules.SUBSCRIPTION_STATUSES, "subscription status", default="active"
        )
        parties: dict[str, _PartnerInfo | None] = {}
        for role in ("provider", "reseller"):
            parties[role] = None
            if data.get(role) is None:
                continue
            here = _join(path, role)
            if channel == Channel.DIRECT:
                self.error(here, "a direct subscription has no provider or reseller")
                continue
            info = self.partner_ref(data, path, role)
            allowed_types = rules.SUBSCRIPTION_PARTY_TYPES[role]
            if _wrong_type(info, allowed_types):
                self.error(
                    here,
                    f"{info.name!r} has type {info.type}; a {role} has type "
                    f"{' or '.join(sorted(allowed_types))}",
                )
            parties[role] = info
        if channel == Channel.CSP and data.get("provider") is None:
            self.error(_join(path, "provider"), "required for a csp subscription")
        azure_id = self.uuid_value(data, path, "azure_subscription_id")
        if workload is not None and workload != Workload.AZURE:
            for key in ("azure_subscription_id", "azure_rbac"):
                if data.get(key) is not None:
                    self.error(_join(path, key), f"only for azure subscriptions, this one is {workload}")
        if azure_id is not None:
            if azure_id in seen_azure_ids:
                self.error(
                    _join(path, "azure_subscription_id"), f"duplicate Azure subscription id '{azure_id}'"
                )
            seen_azure_ids.add(azure_id)
            if self.use_db:
                clash = Subscription.objects.filter(azure_subscription_id=azure_id)
                if subscription_id is not None:
                    clash = clash.exclude(pk=subscription_id)
                else:
                    clash = clash.exclude(customer__name=customer, workload=workload, offer=offer)
                if clash.exists():
                    self.error(
                        _join(path, "azure_subscription_id"),
                        f"Azure subscription id '{azure_id}' already belongs to another subscription",
                    )
        rbac = self.azure_rbac(data, path, parties) if workload == Workload.AZURE else []
        isv = None
        if workload == Workload.MARKETPLACE:
            isv = self.isv(data, path)
        elif data.get("isv") is not None:
            self.error(_join(path, "isv"), f"only for marketplace subscriptions, this one is {workload}")
        if len(self.errors) > errors_before:
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

    def azure_rbac(self, data: dict, path: str, parties: dict) -> list[RbacSpec]:
        out, seen = [], set()
        default_partner = parties.get("reseller") or parties.get("provider")
        for item_path, raw in self.items(data, path, "azure_rbac"):
            item = self.mapping(raw, item_path, rules.AZURE_RBAC_KEYS)
            if item is None:
                continue
            role_name = self.text(item, item_path, "role", required=True)
            role = None
            if role_name is not None:
                role = rules.AZURE_ROLES_BY_NAME.get(role_name)
                if role is None:
                    self.error(
                        _join(item_path, "role"),
                        f"unknown Azure role {role_name!r} "
                        f"(expected one of: {_one_of(rules.AZURE_ROLES_BY_NAME)})",
                    )
            if item.get("partner") is not None:
                partner = self.partner_ref(item, item_path, "partner")
            else:
                partner = default_partner
                if partner is None:
                    self.error(_join(item_path, "partner"), "required when the subscription has no provider")
            has_user, has_group = item.get("user") is not None, item.get("group") is not None
            if has_user == has_group:
                self.error(item_path, "give exactly one of user or group")
                continue
            user = self.user_ref(item, item_path, "user", partner) if has_user else None
            group = (
                self.group_ref_value(item["group"], _join(item_path, "group"), partner) if has_group else None
            )
            if role is None or partner is None or (user or group) is None:
                continue
            key = (role, partner.name, user, group)
            if key in seen:
                self.error(item_path, "duplicate Azure role assignment")
                continue
            seen.add(key)
            out.append(RbacSpec(role_definition_id=role, partner=partner.name, user=user, group=group))
        return out

    def isv(self, data: dict, path: str) -> dict[str, str] | None:
        here = _join(path, "isv")
        if data.get("isv") is None:
            self.error(here, "required for a marketplace subscription (the ISV's support contacts)")
            return None
        isv = self.mapping(data["isv"], here, rules.ISV_KEYS)
        if isv is None:
            return None
        out = {
            "name": self.text(isv, here, "name", required=True, max_length=200),
            "support_url": self.url(isv, here, "support_url") or "",
            "support_email": self.email(isv, here, "support_email") or "",
            "support_phone": self.text(isv, here, "support_phone", max_length=64),
        }
        if not (isv.get("support_url") or isv.get("support_email") or isv.get("support_phone")):
            self.error(
                here, "SR-MARKETPLACE-ISV: give at least one of support_url, support_email, support_phone"
            )
            return None
        return None if None in out.values() else out

    def relationships(self, doc: dict) -> None:
        seen: set[tuple[str, str]] = set()
        seen_ids: set[str] = set()
        for path, raw in self.items(doc, "", "gdap_relationships"):
            data = self.mapping(raw, path, rules.RELATIONSHIP_KEYS)
            if data is None:
                continue
            spec = self.relationship(data, path, seen, seen_ids)
            if spec is not None:
                self.plan.relationships.append(spec)

    def relationship(self, data, path, seen, seen_ids) -> RelationshipSpec | None:
        errors_before = len(self.errors)
        partner = self.partner_ref(data, path, "partner")
        customer = self.customer_ref(data, path, "customer")
        display_name = self.text(data, path, "display_name", required=True)
        if display_name is not None and len(display_name) > DISPLAY_NAME_MAX:
            self.error(
                _join(path, "display_name"),
                f"GDAP-NAME: at most {DISPLAY_NAME_MAX} characters, got {len(display_name)}",
            )
        relationship_id = self.text(data, path, "id", max_length=73, default=None)
        if relationship_id is not None:
            if relationship_id in seen_ids:
                self.error(_join(path, "id"), f"duplicate id {relationship_id!r}")
            seen_ids.add(relationship_id)
        if partner is not None and display_name is not None:
            key = (partner.name, display_name)
            if key in seen:
                self.error(
                    _join(path, "display_name"),
                    f"GDAP-NAME: duplicate display name {display_name!r} for partner {partner.name!r}",
                )
            seen.add(key)
            if self.use_db and relationship_id is not None:
                clash = Relationship.objects.filter(partner__name=partner.name, display_name=display_name)
                if clash.exclude(pk=relationship_id).exists():
                    self.error(
                        _join(path, "id"),
                        f"GDAP-NAME: partner {partner.name!r} already has a relationship {display_name!r} "
                        "with another id",
                    )
        roles = self.entra_roles(data, path, "roles")
        duration = self.duration(data, path, "duration", required=True)
        if duration is not None and not (MIN_DURATION <= duration <= MAX_DURATION):
            self.error(
                _join(path, "duration"),
                f"GDAP-DURATION: must be between P1D and P730D, got {format_iso_duration(duration)}",
            )
        auto_extend = self.duration(data, path, "auto_extend", default=AUTO_EXTEND_OFF)
        if auto_extend is not None and auto_extend not in (AUTO_EXTEND_OFF, AUTO_EXTEND_ON):
            self.error(
                _join(path, "auto_extend"),
                f"GDAP-AUTO-EXTEND: must be PT0S or P180D, got {format_iso_duration(auto_extend)}",
            )
        if auto_extend == AUTO_EXTEND_ON and roles and GLOBAL_ADMINISTRATOR in roles:
            self.error(
                _join(path, "auto_extend"),
                "GDAP-AUTO-EXTEND-NO-GA: a relationship that includes Global Administrator can't auto-extend",
            )
        status = self.choice(data, path, "status", rules.GDAP_STATUSES, "GDAP status", required=True)
        created = self.time(data, path, "created")
        locked = self.time(data, path, "locked")
        activated = self.time(data, path, "activated")
        if status is not None:
            activation = rules.ACTIVATION_BY_STATUS[status]
            if activation == "required" and data.get("activated") is None:
                self.error(_join(path, "activated"), f"required for status {status!r}")
            if activation == "forbidden" and data.get("activated") is not None:
                self.error(_join(path, "activated"), f"not for status {status!r} (never active yet)")
            if status not in rules.LOCKED_STATUSES and data.get("locked") is not None:
                self.error(_join(path, "locked"), f"not for status {status!r} (not locked for approval yet)")
        # Explicit times must be in lifecycle order; absent ones default to the next known one.
        if created is not None:
            for later_key, later in (("locked", locked), ("activated", activated)):
                if later is not None and later < created:
                    self.error(_join(path, later_key), "must not be before created")
        if locked is not None and activated is not None and activated < locked:
            self.error(_join(path, "activated"), "must not be before locked")
        if status in rules.LOCKED_STATUSES and locked is None:
            locked = activated or created or self.now
        created = created or locked or activated or self.now
        reseller = None
        if data.get("created_for_reseller") is not None:
            reseller = self.partner_ref(data, path, "created_for_reseller")
            here = _join(path, "created_for_reseller")
            if reseller is not None and partner is not None:
                if _wrong_type(partner, {PartnerType.INDIRECT_PROVIDER}):
                    self.error(
                        here,
                        f"GDAP-INDIRECT-RESELLER: only an indirect_provider creates relationships "
                        f"for a reseller; {partner.name!r} has type {partner.type}",
                    )
                elif reseller.type and (
                    reseller.type != PartnerType.INDIRECT_RESELLER
                    or reseller.indirect_provider != partner.name
                ):
                    self.error(
                        here,
                        f"GDAP-INDIRECT-RESELLER: {reseller.name!r} is not an indirect reseller "
                        f"of {partner.name!r}",
                    )
        assignments = self.assignments(data, path, partner, roles or [])
        if len(self.errors) > errors_before:
            return None
        end_at = activated + duration if activated is not None else None
        return RelationshipSpec(
            id=relationship_id,
            partner=partner.name,
            customer=customer,
            fields={
                "display_name": display_name,
                "duration": duration,
                "auto_extend_duration": auto_extend,
                "status": status,
                "created_at": created,
                "last_modified_at": max(t for t in (created, locked, activated) if t is not None),
                "locked_at": locked,
                "activated_at": activated,
                "end_at": end_at,
            },
            roles=roles,
            created_for_reseller=reseller.name if reseller else None,
            assignments=assignments,
        )

    def assignments(self, data, path, partner, relationship_roles: list[str]) -> list[AssignmentSpec]:
        out, live_groups = [], set()
        names = {v: k for k, v in self._entra_by_name.items()}
        for item_path, raw in self.items(data, path, "assignments"):
            item = self.mapping(raw, item_path, rules.ASSIGNMENT_KEYS)
            if item is None:
                continue
            group = None
            if item.get("group") is None:
                self.error(_join(item_path, "group"), "required")
            else:
                group = self.group_ref_value(item["group"], _join(item_path, "group"), partner)
            roles = self.entra_roles(item, item_path, "roles")
            status = self.choice(
                item, item_path, "status", rules.ASSIGNMENT_STATUSES, "assignment status", default="active"
            )
            if roles and relationship_roles:
                for index, template_id in enumerate(roles):
                    if template_id not in relationship_roles:
                        self.error(
                            _join(_join(item_path, "roles"), index),
                            f"GDAP-ASSIGNMENT-SUBSET: {names.get(template_id, template_id)!r} is not one of "
                            "the relationship's roles",
                        )
                        roles = None
                        break
            if group is not None and status is not None and status != AssignmentStatus.DELETED:
                if group in live_groups:
                    self.error(_join(item_path, "group"), f"duplicate live assignment for group {group!r}")
                    continue
                live_groups.add(group)
            if group is not None and roles is not None and status is not None:
                out.append(AssignmentSpec(group=group, roles=roles, status=status))
        return out

    def health(self, doc: dict) -> None:
        seen: set[tuple[str | None, str]] = set()
        for path, raw in self.items(doc, "", "service_health"):
            data = self.mapping(raw, path, rules.HEALTH_KEYS)
            if data is None:
                continue
            errors_before = len(self.errors)
            customer = self.customer_ref(data, path, "customer", required=False)
            issue_id = self.text(data, path, "id", required=True, max_length=32)
            if issue_id is not None:
                if (customer, issue_id) in seen:
                    self.error(_join(path, "id"), f"duplicate service health issue {issue_id!r}")
                seen.add((customer, issue_id))
            status = self.choice(
                data, path, "status", rules.HEALTH_STATUSES, "service health status", required=True
            )
            start = self.time(data, path, "start", required=True)
            end = self.time(data, path, "end")
            if start is not None and end is not None and end < start:
                self.error(_join(path, "end"), "must not be before start")
            resolved_default = status in RESOLVED_HEALTH_STATUSES
            posts = []
            for post_path, raw_post in self.items(data, path, "posts"):
                post = self.mapping(raw_post, post_path, rules.HEALTH_POST_KEYS)
                if post is None:
                    continue
                at = self.time(post, post_path, "at", required=True)
                text = self.text(post, post_path, "text", required=True, max_length=5000)
                post_type = self.choice(
                    post, post_path, "type", rules.HEALTH_POST_TYPES, "post type", default="regular"
                )
                if at is not None and text is not None and post_type is not None:
                    posts.append((at, post_type, text))
            fields = {
                "service": self.text(data, path, "service", required=True, max_length=120),
                "workload": self.choice(data, path, "workload", rules.WORKLOADS, "workload", required=True),
                "feature": self.text(data, path, "feature", max_length=120),
                "feature_group": self.text(data, path, "feature_group", max_length=120),
                "classification": self.choice(
                    data,
                    path,
                    "classification",
                    rules.HEALTH_CLASSIFICATIONS,
                    "classification",
                    required=True,
                ),
                "title": self.text(data, path, "title", required=True, max_length=300),
                "impact_description": self.text(data, path, "impact", max_length=5000),
                "is_resolved": self.boolean(data, path, "resolved", default=resolved_default),
            }
            if len(self.errors) > errors_before:
                continue
            posts.sort(key=lambda p: p[0])
            fields.update(
                status=status,
                start_at=start,
                end_at=end,
                posts=[
                    {"createdDateTime": _iso(at), "postType": post_type, "description": text}
                    for at, post_type, text in posts
                ],
                last_modified_at=max([start, end or start] + [p[0] for p in posts]),
            )
            self.plan.health_issues.append(HealthSpec(customer=customer, issue_id=issue_id, fields=fields))

    def service_requests(self, doc: dict) -> None:
        seen_ids: set[str] = set()
        for path, raw in self.items(doc, "", "service_requests"):
            data = self.mapping(raw, path, rules.SERVICE_REQUEST_KEYS)
            if data is None:
                continue
            spec = self.service_request(data, path)
            if spec is None:
                continue
            if spec.id in seen_ids:
                self.error(
                    path, f"duplicate service request {spec.id} (same partner, customer, title and created)"
                )
                continue
            seen_ids.add(spec.id)
            self.plan.service_requests.append(spec)
        for path, raw in self.items(doc, "", "service_request_history"):
            data = self.mapping(raw, path, rules.HISTORY_KEYS)
            if data is None:
                continue
            for spec in self.history(data, path):
                if spec.id not in seen_ids:
                    seen_ids.add(spec.id)
                    self.plan.service_requests.append(spec)

    def service_request(self, data: dict, path: str) -> ServiceRequestSpec | None:
        errors_before = len(self.errors)
        partner = self.partner_ref(data, path, "partner")
        customer = self.customer_ref(data, path, "customer", required=False)
        created_by = self.user_ref(data, path, "created_by", partner)
        assigned_to = self.user_ref(data, path, "assigned_to", partner, required=False)
        workload = self.choice(data, path, "workload", rules.WORKLOADS, "workload", required=True)
        title = self.text(data, path, "title", required=True, max_length=200)
        description = self.text(data, path, "description", max_length=10000, default=None)
        severity = self.choice(data, path, "severity", rules.SEVERITIES, "severity", default=Severity.MINIMAL)
        status = self.choice(data, path, "status", rules.SR_STATUSES, "status", default=Status.OPEN)
        created = self.time(data, path, "created", required=True)
        first_response = self.time(data, path, "first_response")
        closed = self.time(data, path, "closed")
        issue_type = self.choice(data, path, "issue_type", rules.ISSUE_TYPES, "issue type", default=None)
        if issue_type is not None and workload is not None and workload != Workload.AZURE:
            self.error(_join(path, "issue_type"), f"only for azure requests, this one is {workload}")
        if status is not None and status != Status.CLOSED and data.get("closed") is not None:
            self.error(_join(path, "closed"), f"only for closed requests, this one is {status}")
        for key, value in (("first_response", first_response), ("closed", closed)):
            if value is not None and created is not None and value < created:
                self.error(_join(path, key), "must not be before created")
        entitlement = self.text(data, path, "entitlement", max_length=64, default=None, numbers=True)
        if customer is None and data.get("customer") is None:
            if entitlement is None and data.get("entitlement") is None:
                self.error(
                    _join(path, "entitlement"),
                    "SR-OWN-SUBSCRIPTION-ENTITLEMENT: required for a request without a customer",
                )
            elif entitlement is not None and partner is not None and entitlement not in partner.entitlements:
                self.error(
                    _join(path, "entitlement"),
                    f"unknown support entitlement {entitlement!r} in partner {partner.name!r}",
                )
        elif entitlement is not None:
            self.error(_join(path, "entitlement"), "only for a request without a customer (own subscription)")
        portal = self.choice(data, path, "portal", rules.PORTALS, "portal", default="")
        external_ticket_id = self.text(data, path, "external_ticket_id", max_length=32, numbers=True)
        request_id = self.text(data, path, "id", default=None, numbers=True)
        if request_id is not None and not _SR_ID.match(request_id):
            self.error(_join(path, "id"), f"expected 15 digits, got {request_id!r}")
        if len(self.errors) > errors_before:
            return None
        request_id = request_id or stable_service_request_id(
            "request", partner.name, customer or "", title, _raw_time(data.get("created"))
        )
        fields = _request_fields(
            workload=workload,
            title=title,
            description=description or title,
            severity=severity,
            status=status,
            created=created,
            first_response=first_response,
            closed=closed,
            issue_type=issue_type or (IssueType.TECHNICAL if workload == Workload.AZURE else ""),
            now=self.now,
        )
        fields["portal"] = portal
        fields["external_ticket_id"] = external_ticket_id
        return ServiceRequestSpec(
            id=request_id,
            partner=partner.name,
            customer=customer,
            created_by=created_by,
            assigned_to=assigned_to,
            entitlement=entitlement if customer is None else None,
            fields=fields,
        )

    def history(self, data: dict, path: str) -> list[ServiceRequestSpec]:
        """Expand one ``service_request_history`` entry into reproducible requests (see docs/scenarios.md).

        The checks that depend on other sections (the partner has customers and an admin agent in
        this file) run only when those sections are free of problems, so one mistake elsewhere is
        not reported a second time here.
        """
        errors_before = len(self.errors)
        partner_name = self.text(data, path, "partner", required=True)
        count = self.integer(data, path, "count", required=True, low=1, high=5000)
        seed = self.integer(data, path, "seed", default=0, low=0, high=2**31)
        days = self.integer(data, path, "days", default=90, low=1, high=3650)
        here = _join(path, "partner")
        partner = self.world.partners.get(partner_name) if partner_name else None
        if partner_name is not None and partner is None:
            self.error(
                here, f"unknown partner {partner_name!r} (history needs a partner described in this file)"
            )
        by_name = {c.name: c for c in self.plan.customers}
        candidates = [c for c in self.plan.customers if partner and partner_name in dict(c.links)]
        if data.get("customers") is not None:
            candidates = []
            for item_path, name in self.name_list(data, path, "customers", required=True):
                if name not in self.world.customers:
                    self.error(
                        item_path,
                        f"unknown customer {name!r} (history needs customers described in this file)",
                    )
                elif name in by_name:
                    candidates.append(by_name[name])
        if errors_before or len(self.errors) > errors_before:
            return []
        filers = sorted(u for u, roles in partner.users.items() if PartnerCenterRole.ADMIN_AGENT in roles)
        if not filers:
            self.error(here, f"partner {partner_name!r} has no admin_agent user to file the history")
        if not candidates:
            self.error(here, f"partner {partner_name!r} has no customers in this file")
        if len(self.errors) > errors_before:
            return []
        assignees = sorted(
            u
            for u, roles in partner.users.items()
            if roles
            & {
                PartnerCenterRole.SUPPORT_MANAGER,
                PartnerCenterRole.HELPDESK_AGENT,
                PartnerCenterRole.ADMIN_AGENT,
            }
        )
        rng = random.Random(f"{partner_name}:{seed}")
        out = []
        for index in range(count):
            customer = rng.choice(candidates)
            workloads = sorted(
                {s.fields["workload"] for s in customer.subscriptions} & set(rules.PORTAL_BY_WORKLOAD)
            ) or [Workload.M365]
            workload = rng.choice(workloads)
            title = rng.choice(HISTORY_TITLES[workload])
            severity = rng.choices(rules.SEVERITIES, weights=(1, 4, 5))[0]
            age = timedelta(minutes=rng.randint(20, days * 24 * 60))
            created = self.now - age
            if age > timedelta(days=14):
                status = rng.choices(
                    (Status.CLOSED, Status.OPEN, Status.ATTENTION_NEEDED), weights=(18, 1, 1)
                )[0]
            else:
                status = rng.choices(
                    (Status.CLOSED, Status.OPEN, Status.ATTENTION_NEEDED), weights=(2, 5, 2)
                )[0]
            target = SLA_TARGETS[severity]
            first_response = created + target * rng.uniform(0.2, 1.4)
            if first_response > self.now or (
                status != Status.CLOSED and age < target * 2 and rng.random() < 0.6
            ):
                first_response = None
            closed = None
            if status == Status.CLOSED:
                closed = min(created + timedelta(hours=rng.randint(3, 24 * 10)), self.now)
                if first_response is not None and first_response > closed:
                    first_response = closed
            fields = _request_fields(
                workload=workload,
                title=title,
                description=f"{title}. Reported by {customer.name} to {partner_name}.",
                severity=severity,
                status=status,
                created=created,
                first_response=first_response,
                closed=closed,
                issue_type=IssueType.TECHNICAL if workload == Workload.AZURE else "",
                now=self.now,
            )
            fields.update(portal="", external_ticket_id="")
            out.append(
                ServiceRequestSpec(
                    id=stable_service_request_id("history", partner_name, seed, index),
                    partner=partner_name,
                    customer=customer.name,
                    created_by=rng.choice(filers),
                    assigned_to=rng.choice(assignees) if rng.random() < 0.7 else None,
                    entitlement=None,
                    fields=fields,
                )
            )
        return out

    def usernames_against_database(self) -> None:
        """A username may exist already only as the same partner's or customer's user."""
        if not self._usernames:
            return
        existing = User.objects.filter(username__in=list(self._usernames)).values_list(
            "username", "partner__name", "customer__name"
        )
        for username, partner_name, customer_name in existing:
            owner = self._user_owner[username]
            path = _join(self._usernames[username], "username")
            if partner_name is None and customer_name is None:
                self.error(path, f"username {username!r} belongs to a platform user")
            elif self.use_db and owner != (
                ("partner", partner_name) if partner_name is not None else ("customer", customer_name)
            ):
                self.error(
                    path,
                    f"username {username!r} already belongs to "
                    + (f"partner {partner_name!r}" if partner_name else f"customer {customer_name!r}"),
                )


#: Titles the history generator picks from, per workload.
HISTORY_TITLES: dict[str, tuple[str, ...]] = {
    Workload.AZURE: (
        "Virtual machine fails to start after resize",
        "Azure SQL database connection timeouts",
        "Storage account returns 503 errors",
        "App Service deployment slot swap stuck",
        "AKS node pool scale-out fails",
        "VPN gateway tunnel keeps dropping",
    ),
    Workload.M365: (
        "Mailbox migration stuck at 95%",
        "External mail delayed in Exchange Online",
        "Teams meetings drop after ten minutes",
        "SharePoint site returns access denied",
        "OneDrive sync client stops syncing",
        "Licences not applied to new users",
    ),
    Workload.DYNAMICS: (
        "Dynamics 365 Sales form loads slowly",
        "Power Automate flow fails on Dataverse trigger",
        "Dynamics 365 environment copy failed",
        "Customer Service queue items not routed",
    ),
    Workload.EMS: (
        "Intune devices not receiving compliance policy",
        "Conditional Access blocks compliant devices",
        "Autopilot enrolment fails with error 80180014",
    ),
}


def _request_fields(
    *, workload, title, description, severity, status, created, first_response, closed, issue_type, now
) -> dict[str, Any]:
    """Model fields of a historical request; SR-PRIORITY due time from the severity, breach as of now."""
    sla_due_at = created + SLA_TARGETS[severity] if status in rules.SLA_STARTED_STATUSES else None
    if status == Status.CLOSED and closed is None:
        closed = min(created + timedelta(days=1), now)
    stopped = min((t for t in (first_response, closed) if t is not None), default=None)
    breached = sla_due_at is not None and (stopped > sla_due_at if stopped is not None else now >= sla_due_at)
    return {
        "workload": workload,
        "title": title,
        "description": description,
        "severity": severity,
        "status": status,
        "issue_type": issue_type,
        "created_at": created,
        "updated_at": max(t for t in (created, first_response, closed) if t is not None),
        "first_response_at": first_response,
        "closed_at": closed,
        "sla_due_at": sla_due_at,
        "sla_breached": breached,
    }


def _wrong_type(info: _PartnerInfo | None, allowed) -> bool:
    """Whether a known partner has a type outside ``allowed`` (an invalid type is reported once, at the
    partner itself, not again at every reference)."""
    return info is not None and bool(info.type) and info.type not in allowed


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _raw_time(value) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _type_name(value) -> str:
    names = {
        str: "a string",
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a mapping",
    }
    if value is None:
        return "nothing"
    return names.get(type(value), type(value).__name__)


def scenario_validate(document, *, now: datetime, reset: bool = False) -> ScenarioPlan:
    """Check a whole scenario document and resolve it into a :class:`ScenarioPlan`.

    References resolve against the document and, unless ``reset`` (the
    database is about to be wiped), against what the database already holds.
    Raises :class:`ScenarioError` listing every problem. Reads only.
    """
    checker = _Validator(now=now, use_db=not reset)
    if document is None:
        document = {}
    doc = checker.mapping(document, "(document)", rules.TOP_LEVEL_KEYS)
    if doc is None:
        raise ScenarioError(checker.errors)
    checker.errors = [e.removeprefix("(document).") for e in checker.errors]
    checker.partners(doc)
    checker.customers(doc)
    checker.relationships(doc)
    checker.health(doc)
    checker.service_requests(doc)
    checker.usernames_against_database()
    if checker.errors:
        raise ScenarioError(checker.errors)
    return checker.plan
