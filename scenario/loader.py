"""Writing a validated scenario: ``scenario_load`` (all-or-nothing, idempotent) and ``scenario_reset``."""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth.hashers import make_password
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_event_record
from customers.models import (
    AzureRoleAssignment,
    Customer,
    CustomerDomain,
    CustomerPartnerRelationship,
    IsvPublisher,
    ServiceHealthIssue,
    Subscription,
)
from gdap.choices import AssignmentStatus
from gdap.models import AccessAssignment, Relationship
from partners.models import GroupMembership, Partner, SecurityGroup, SupportEntitlement, User, UserRole
from portals.models import PortalTicket
from queues.freshness import dashboards_refresh
from servicerequests.choices import SupportPlan
from servicerequests.models import ServiceRequest

from .schema import ScenarioError, scenario_validate
from .schema.plan import (
    CustomerSpec,
    PartnerSpec,
    ScenarioPlan,
    ServiceRequestSpec,
    SubscriptionSpec,
    UserSpec,
)
from .writers import handoffs_write, seeded_portal_fields, seeded_portal_tickets

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class ScenarioResult:
    """What a load did. ``counts``: objects per kind the scenario describes; ``created``: rows that
    were new; ``deleted``: rows ``--reset`` removed; ``errors`` is empty (a bad file raises)."""

    source: str
    counts: dict[str, int]
    created: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    checked_only: bool = False
    reset: bool = False


def scenario_read(source) -> tuple[Any, str]:
    """The parsed document and a label for it. ``source``: a path to a YAML file, or a parsed dict.

    Raises :class:`ScenarioError` for a missing file or bad YAML (with line and column).
    """
    if isinstance(source, dict):
        return source, "(dict)"
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{path}: cannot read: {exc}"]) from None
    try:
        return yaml.load(text, Loader=_Loader), str(path)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([f"{path}: bad YAML{where}: {problem}"]) from None


def scenario_load(
    source, *, reset: bool = False, check: bool = False, now: datetime | None = None, actor=None
):
    """Validate a scenario and, unless ``check``, write it in one transaction.

    ``source`` is a YAML file path or an already-parsed dict; relative times
    resolve against ``now`` (default: the moment of loading). The whole
    document is validated before anything is written; every problem is
    raised at once as :class:`ScenarioError` and nothing is written. With
    ``reset`` the domain data is wiped first (:func:`scenario_reset`).
    Objects are matched by id or unique name, so loading twice creates
    nothing new; service requests already present are left as they are.

    Side effects (not with ``check``): the rows of the scenario, an audit
    event ``scenario.loaded`` (counts in ``after``) and, with ``reset``, one
    ``scenario.reset``, all in the same transaction; after it commits, the queue counts and the
    report rollup of the scenario's partners (``queues.freshness.dashboards_refresh``). Returns a
    :class:`ScenarioResult`.
    """
    now = now or timezone.now()
    document, label = scenario_read(source)
    try:
        with transaction.atomic():
            plan = scenario_validate(document, now=now, reset=reset)
            counts = plan.counts()
            if check:
                return ScenarioResult(source=label, counts=counts, checked_only=True, reset=reset)
            deleted = scenario_reset(actor=actor, reason=f"load {label}") if reset else {}
            created = _Writer(now=now).write(plan)
            audit_event_record(
                action="scenario.loaded",
                actor=actor,
                object_type="scenario",
                object_id=label[-80:],
                after={"source": label, "reset": reset, "counts": counts, "created": created},
            )
    except (IntegrityError, DatabaseError) as exc:
        first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ScenarioError([f"(database): {first_line}"]) from exc
    # The managers' dashboards show the loaded data at once, with or without Celery beat.
    names = {p.name for p in plan.partners} | {r.partner for r in plan.service_requests}
    dashboards_refresh(Partner.objects.filter(name__in=names).order_by("pk").values_list("pk", flat=True))
    return ScenarioResult(source=label, counts=counts, created=created, deleted=deleted, reset=reset)


def scenario_reset(*, actor=None, reason: str = "") -> dict[str, int]:
    """Delete the domain data: service requests (with notes, dispatches, portal tickets), GDAP,
    subscriptions, ISVs, service health, customers, partner and customer users, partners.

    Keeps the Entra role and support topic catalogues, platform users (no
    partner, no customer) and the audit log. Side effects: the deletes and
    one audit event ``scenario.reset`` with the deleted row counts; call it
    inside the caller's transaction. Returns the deleted rows per model.
    """
    deleted: Counter[str] = Counter()
    with transaction.atomic():
        querysets = (
            ServiceRequest.objects.all(),
            PortalTicket.objects.all(),
            Relationship.objects.all(),
            Subscription.objects.all(),
            IsvPublisher.objects.all(),
            ServiceHealthIssue.objects.all(),
            Customer.objects.all(),
            User.objects.filter(Q(partner__isnull=False) | Q(customer__isnull=False)),
        )
        for queryset in querysets:
            deleted.update(queryset.delete()[1])
        Partner.objects.filter(indirect_provider__isnull=False).update(indirect_provider=None)
        deleted.update(Partner.objects.all().delete()[1])
        counts = {label: n for label, n in sorted(deleted.items()) if n}
        audit_event_record(
            action="scenario.reset",
            actor=actor,
            object_type="scenario",
            object_id=reason[-80:],
            before={"deleted": counts},
        )
    return counts


class _Writer:
    """Writes a :class:`ScenarioPlan`, matching existing rows so that a reload creates nothing new."""

    def __init__(self, *, now: datetime):
        self.now = now
        self.created: Counter[str] = Counter()
        self.partners: dict[str, Partner] = {}
        self.customers: dict[str, Customer] = {}
        self.users: dict[str, User] = {}
        self.groups: dict[tuple[str, str], SecurityGroup] = {}
        self.hashes: dict[str, str] = {}

    def write(self, plan: ScenarioPlan) -> dict[str, int]:
        self.hash_passwords(plan)
        for spec in plan.partners:
            self.partner(spec)
        for spec in plan.partners:
            provider = self.partner_named(spec.indirect_provider) if spec.indirect_provider else None
            partner = self.partners[spec.name]
            if partner.indirect_provider_id != (provider.pk if provider else None):
                partner.indirect_provider = provider
                partner.save(update_fields=["indirect_provider"])
        for spec in plan.partners:
            self.partner_users(spec)
        for spec in plan.customers:
            self.customer(spec)
        for spec in plan.relationships:
            self.relationship(spec)
        for spec in plan.health_issues:
            customer = self.customer_named(spec.customer) if spec.customer else None
            _, created = ServiceHealthIssue.objects.update_or_create(
                customer=customer, issue_id=spec.issue_id, defaults=spec.fields
            )
            self.count("service_health_issues", created)
        self.service_requests(plan.service_requests)
        self.created["service_request_handoffs"] += handoffs_write(self, plan.handoffs)
        return {kind: n for kind, n in sorted(self.created.items()) if n}

    def count(self, kind: str, created: bool) -> None:
        self.created[kind] += int(created)

    # -- lookups of objects the document names (written now, or already in the database) ------

    def partner_named(self, name: str) -> Partner:
        if name not in self.partners:
            self.partners[name] = Partner.objects.get(name=name)
        return self.partners[name]

    def customer_named(self, name: str) -> Customer:
        if name not in self.customers:
            self.customers[name] = Customer.objects.get(name=name)
        return self.customers[name]

    def user_named(self, username: str) -> User:
        if username not in self.users:
            self.users[username] = User.objects.get(username=username)
        return self.users[username]

    def group_named(self, partner_name: str, name: str) -> SecurityGroup:
        key = (partner_name, name)
        if key not in self.groups:
            self.groups[key] = SecurityGroup.objects.get(partner=self.partner_named(partner_name), name=name)
        return self.groups[key]

    # -- partners and users ---------------------------------------------------------------------

    def hash_passwords(self, plan: ScenarioPlan) -> None:
        """Hash every password up front, in parallel (the hasher is slow by design)."""
        users = [u for p in plan.partners for u in p.users] + [u for c in plan.customers for u in c.admins]
        passwords = sorted({u.password for u in users if u.password})
        if not passwords:
            return
        with ThreadPoolExecutor(max_workers=4) as pool:
            self.hashes = dict(zip(passwords, pool.map(make_password, passwords), strict=True))

    def partner(self, spec: PartnerSpec) -> None:
        lookup = {"pk": spec.id} if spec.id else {"name": spec.name}
        partner = Partner.objects.filter(**lookup).first()
        if partner is None:
            partner = Partner.objects.create(id=spec.id or uuid.uuid4(), name=spec.name, **spec.fields)
            self.count("partners", True)
        else:
            _assign(partner, name=spec.name, **spec.fields)
        self.partners[spec.name] = partner
        for name, group_id, description in spec.groups:
            lookup = {"pk": group_id} if group_id else {"partner": partner, "name": name}
            group = SecurityGroup.objects.filter(**lookup).first()
            if group is None:
                group = SecurityGroup.objects.create(
                    id=group_id or uuid.uuid4(), partner=partner, name=name, description=description
                )
                self.count("security_groups", True)
            else:
                _assign(group, partner=partner, name=name, description=description)
            self.groups[(spec.name, name)] = group
        for entitlement in spec.entitlements:
            _, created = SupportEntitlement.objects.update_or_create(
                partner=partner,
                entitlement_id=entitlement["entitlement_id"],
                defaults={"kind": entitlement["kind"], "valid_until": entitlement["valid_until"]},
            )
            self.count("support_entitlements", created)

    def partner_users(self, spec: PartnerSpec) -> None:
        partner = self.partners[spec.name]
        for user_spec in spec.users:
            user = self.user(user_spec, partner=partner, customer=None)
            have = set(user.roles.values_list("role", flat=True))
            new_roles = [UserRole(user=user, role=r) for r in user_spec.roles if r not in have]
            UserRole.objects.bulk_create(new_roles)
            self.created["user_roles"] += len(new_roles)
            user.roles.exclude(role__in=user_spec.roles).delete()
            groups = [self.group_named(spec.name, g) for g in user_spec.groups]
            in_groups = set(GroupMembership.objects.filter(user=user).values_list("group_id", flat=True))
            GroupMembership.objects.bulk_create(
                [GroupMembership(user=user, group=g) for g in groups if g.pk not in in_groups]
            )
            GroupMembership.objects.filter(user=user, group__partner=partner).exclude(
                group__in=[g.pk for g in groups]
            ).delete()

    def user(self, spec: UserSpec, *, partner: Partner | None, customer: Customer | None) -> User:
        user = User.objects.filter(username=spec.username).first()
        password = self.hashes[spec.password] if spec.password else None
        if user is None:
            user = User(username=spec.username, partner=partner, customer=customer, **spec.fields)
            if password:
                user.password = password
            else:
                user.set_unusable_password()
            user.save()
            self.count("users", True)
        else:
            _assign(user, partner=partner, customer=customer, **spec.fields)
            if password and user.password != password:
                user.password = password
                user.save(update_fields=["password"])
        self.users[spec.username] = user
        return user

    # -- customers ------------------------------------------------------------------------------

    def customer(self, spec: CustomerSpec) -> None:
        lookup = {"pk": spec.id} if spec.id else {"name": spec.name}
        customer = Customer.objects.filter(**lookup).first()
        if customer is None:
            customer = Customer.objects.create(id=spec.id or uuid.uuid4(), name=spec.name, **spec.fields)
            self.count("customers", True)
        else:
            _assign(customer, name=spec.name, **spec.fields)
        self.customers[spec.name] = customer
        if spec.domains:
            customer.domains.exclude(domain=spec.domains[0]).filter(is_default=True).update(is_default=False)
            for index, domain in enumerate(spec.domains):
                _, created = CustomerDomain.objects.update_or_create(
                    domain=domain, defaults={"customer": customer, "is_default": index == 0}
                )
                self.count("customer_domains", created)
        for partner_name, relationship in spec.links:
            _, created = CustomerPartnerRelationship.objects.update_or_create(
                partner=self.partner_named(partner_name),
                customer=customer,
                defaults={"relationship": relationship},
            )
            self.count("customer_partner_links", created)
        for admin in spec.admins:
            user = self.user(admin, partner=None, customer=customer)
            user.roles.all().delete()
            GroupMembership.objects.filter(user=user).delete()
        for subscription in spec.subscriptions:
            self.subscription(subscription, customer)

    def subscription(self, spec: SubscriptionSpec, customer: Customer) -> None:
        fields = dict(spec.fields)
        if spec.id:
            subscription = Subscription.objects.filter(pk=spec.id).first()
        else:
            subscription = Subscription.objects.filter(
                customer=customer, workload=fields["workload"], offer=fields["offer"]
            ).first()
        if fields["azure_subscription_id"] is None and fields["workload"] == "azure":
            existing = subscription.azure_subscription_id if subscription else None
            fields["azure_subscription_id"] = existing or uuid.uuid4()
        fields["provider"] = self.partner_named(spec.provider) if spec.provider else None
        fields["reseller"] = self.partner_named(spec.reseller) if spec.reseller else None
        fields["isv"] = None
        if spec.isv:
            fields["isv"], _ = IsvPublisher.objects.update_or_create(
                name=spec.isv["name"], defaults={k: v for k, v in spec.isv.items() if k != "name"}
            )
        if subscription is None:
            subscription = Subscription.objects.create(
                id=spec.id or uuid.uuid4(), customer=customer, **fields
            )
            self.count("subscriptions", True)
        else:
            _assign(subscription, customer=customer, **fields)
        for rbac in spec.rbac:
            holder = (
                {"user": self.user_named(rbac.user)}
                if rbac.user
                else {"group": self.group_named(rbac.partner, rbac.group)}
            )
            _, created = AzureRoleAssignment.objects.get_or_create(
                subscription=subscription, role_definition_id=rbac.role_definition_id, **holder
            )
            self.count("azure_role_assignments", created)

    # -- GDAP -----------------------------------------------------------------------------------

    def relationship(self, spec) -> None:
        partner = self.partner_named(spec.partner)
        fields = dict(spec.fields)
        fields["customer"] = self.customer_named(spec.customer)
        fields["created_for_reseller"] = (
            self.partner_named(spec.created_for_reseller) if spec.created_for_reseller else None
        )
        if spec.id:
            relationship = Relationship.objects.filter(pk=spec.id).first()
        else:
            relationship = Relationship.objects.filter(
                partner=partner, display_name=fields["display_name"]
            ).first()
        if relationship is None:
            extra = {"id": spec.id} if spec.id else {}
            relationship = Relationship.objects.create(partner=partner, **extra, **fields)
            self.count("gdap_relationships", True)
        else:
            _assign(relationship, partner=partner, **fields)
        relationship.roles.set(spec.roles)
        for assignment_spec in spec.assignments:
            group = self.group_named(spec.created_for_reseller or spec.partner, assignment_spec.group)
            live = AccessAssignment.objects.filter(relationship=relationship, security_group=group)
            if assignment_spec.status != AssignmentStatus.DELETED:
                live = live.exclude(status=AssignmentStatus.DELETED)
            else:
                live = live.filter(status=AssignmentStatus.DELETED)
            assignment = live.first()
            stamp = fields["last_modified_at"]
            if assignment is None:
                assignment = AccessAssignment.objects.create(
                    relationship=relationship,
                    security_group=group,
                    status=assignment_spec.status,
                    created_at=stamp,
                    last_modified_at=stamp,
                )
                self.count("gdap_access_assignments", True)
            else:
                _assign(assignment, status=assignment_spec.status)
            assignment.roles.set(assignment_spec.roles)

    # -- service requests -----------------------------------------------------------------------

    def service_requests(self, specs: list[ServiceRequestSpec]) -> None:
        """Insert the requests not present yet in bulk; requests already there are left alone."""
        existing = set()
        ids = [s.id for s in specs]
        for start in range(0, len(ids), 500):
            existing.update(
                ServiceRequest.objects.filter(pk__in=ids[start : start + 500]).values_list("pk", flat=True)
            )
        entitlements: dict[tuple[str, str], SupportEntitlement] = {}
        rows = []
        for spec in specs:
            if spec.id in existing:
                continue
            partner = self.partner_named(spec.partner)
            customer = self.customer_named(spec.customer) if spec.customer else None
            filer = self.user_named(spec.created_by)
            entitlement = None
            if spec.entitlement:
                key = (spec.partner, spec.entitlement)
                if key not in entitlements:
                    entitlements[key] = SupportEntitlement.objects.get(
                        partner=partner, entitlement_id=spec.entitlement
                    )
                entitlement = entitlements[key]
            workload = spec.fields["workload"]
            support_plan = ""
            if entitlement is not None:
                support_plan = SupportPlan.PARTNER_ENTITLEMENT
            elif workload == "azure":
                support_plan = SupportPlan.CLOUD_SOLUTION_PROVIDER
            rows.append(
                ServiceRequest(
                    id=spec.id,
                    partner=partner,
                    customer=customer,
                    created_by=filer,
                    assigned_to=self.user_named(spec.assigned_to) if spec.assigned_to else None,
                    support_entitlement=entitlement,
                    support_plan=support_plan,
                    contact_first_name=filer.first_name,
                    contact_last_name=filer.last_name,
                    contact_email=filer.email,
                    contact_phone=filer.phone,
                    country_code=customer.country if customer else "",
                    **seeded_portal_fields(
                        spec.fields, request_id=spec.id, has_customer=customer is not None
                    ),
                )
            )
        ServiceRequest.objects.bulk_create(rows, batch_size=500)
        self.created["service_requests"] += len(rows)
        seeded_portal_tickets(rows)


def _assign(obj, **values) -> None:
    """Set the given fields on an existing row and save only when something changed.

    Foreign keys are compared by id, so no related row is fetched.
    """
    changed = []
    for name, value in values.items():
        model_field = obj._meta.get_field(name)
        if model_field.is_relation:
            current, new = getattr(obj, model_field.attname), (value.pk if value is not None else None)
        else:
            current, new = getattr(obj, name), value
        if current != new:
            setattr(obj, name, value)
            changed.append(name)
    if changed:
        obj.save(update_fields=changed)
