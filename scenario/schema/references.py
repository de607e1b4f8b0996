"""The cross-reference pass: what a reference may point at, and the readers that resolve one.

A reference resolves against what the document describes and, unless the load resets, against what
the database already holds (:class:`World`). :class:`Checker` adds the reference readers to the
field readers; the section validators read through one ``Checker``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from customers.models import Customer
from gdap.models import EntraRole
from partners.models import Partner, User

from .fields import FieldReader, join


@dataclass
class PartnerInfo:
    """What the validator knows of a partner a reference may name."""

    name: str
    type: str
    cloud: str
    indirect_provider: str | None
    groups: set[str] = field(default_factory=set)
    users: dict[str, set[str]] = field(default_factory=dict)  # username → Partner Center roles
    entitlements: set[str] = field(default_factory=set)
    in_document: bool = True


class World:
    """Known partners and customers: those of the document, else those already in the database."""

    def __init__(self, *, use_db: bool):
        self.use_db = use_db
        self.partners: dict[str, PartnerInfo] = {}
        self.customers: dict[str, str] = {}  # name → cloud
        self._db_partners: dict[str, PartnerInfo | None] = {}
        self._db_customers: dict[str, str | None] = {}

    def partner(self, name: str) -> PartnerInfo | None:
        if name in self.partners:
            return self.partners[name]
        if not self.use_db:
            return None
        if name not in self._db_partners:
            self._db_partners[name] = self._load_partner(name)
        return self._db_partners[name]

    @staticmethod
    def _load_partner(name: str) -> PartnerInfo | None:
        partner = Partner.objects.filter(name=name).select_related("indirect_provider").first()
        if partner is None:
            return None
        users: dict[str, set[str]] = {}
        for username, role in partner.users.values_list("username", "roles__role"):
            users.setdefault(username, set())
            if role:
                users[username].add(role)
        return PartnerInfo(
            name=partner.name,
            type=partner.type,
            cloud=partner.cloud,
            indirect_provider=partner.indirect_provider.name if partner.indirect_provider else None,
            groups=set(partner.security_groups.values_list("name", flat=True)),
            users=users,
            entitlements=set(partner.support_entitlements.values_list("entitlement_id", flat=True)),
            in_document=False,
        )

    def db_partner_extras(self, name: str) -> PartnerInfo | None:
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


def wrong_type(info: PartnerInfo | None, allowed) -> bool:
    """Whether a known partner has a type outside ``allowed`` (an invalid type is reported once, at the
    partner itself, not again at every reference)."""
    return info is not None and bool(info.type) and info.type not in allowed


class Checker(FieldReader):
    """The field readers plus references: partners, customers, users, security groups, Entra roles
    and usernames, checked against the document and (``use_db``) the database. Reads only."""

    def __init__(self, *, now: datetime, use_db: bool):
        super().__init__(now=now)
        self.world = World(use_db=use_db)
        self.use_db = use_db
        self._entra_by_name: dict[str, str] = {}
        self._entra_ids: set[str] = set()
        self._usernames: dict[str, str] = {}  # username → path where first defined
        self._user_owner: dict[str, tuple[str, str]] = {}  # username → ("partner"|"customer", name)

    # -- references -----------------------------------------------------------------------------

    def partner_ref(self, data: dict, path: str, key: str, *, required: bool = True) -> PartnerInfo | None:
        """The partner ``data[key]`` names, from the document or the database."""
        name = self.text(data, path, key, required=required, default=None)
        if name is None:
            return None
        info = self.world.partner(name)
        if info is None:
            self.error(join(path, key), f"unknown partner {name!r}")
        return info

    def customer_ref(self, data: dict, path: str, key: str, *, required: bool = True) -> str | None:
        """The name of the customer ``data[key]`` names, from the document or the database."""
        name = self.text(data, path, key, required=required, default=None)
        if name is None:
            return None
        if self.world.customer_cloud(name) is None:
            self.error(join(path, key), f"unknown customer {name!r}")
            return None
        return name

    def user_ref(self, data, path, key, partner: PartnerInfo | None, *, required=True) -> str | None:
        """The username ``data[key]`` names among ``partner``'s users (unchecked without a partner)."""
        username = self.text(data, path, key, required=required, default=None)
        if username is None or partner is None:
            return None
        if username not in partner.users:
            self.error(join(path, key), f"unknown user {username!r} in partner {partner.name!r}")
            return None
        return username

    def group_ref_value(self, value, path: str, partner: PartnerInfo | None) -> str | None:
        """The security group ``value`` names among ``partner``'s groups (unchecked without a partner)."""
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

    def entra_role_names(self) -> dict[str, str]:
        """Entra role names by template id (the catalogue :meth:`entra_roles` has read)."""
        return {template_id: name for name, template_id in self._entra_by_name.items()}

    # -- usernames ------------------------------------------------------------------------------

    def username_claim(self, username: str, path: str, *, owner: tuple[str, str]) -> None:
        """Record that the user at ``path`` defines ``username``; a second definition is a problem."""
        if username in self._usernames:
            self.error(join(path, "username"), f"duplicate username {username!r}")
        else:
            self._usernames[username] = path
            self._user_owner[username] = owner

    def usernames_against_database(self) -> None:
        """A username may exist already only as the same partner's or customer's user."""
        if not self._usernames:
            return
        existing = User.objects.filter(username__in=list(self._usernames)).values_list(
            "username", "partner__name", "customer__name"
        )
        for username, partner_name, customer_name in existing:
            owner = self._user_owner[username]
            path = join(self._usernames[username], "username")
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
