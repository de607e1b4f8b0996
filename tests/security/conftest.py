"""A two-partner world for the security tests, staged once per module.

Partner A (Contoso) and partner B (Northwind) each have: a customer linked to them with an M365
subscription; an active GDAP relationship with an access assignment to their "Support desk" group,
a relationship request and an operation; a service request filed and dispatched through the real
services (portal ticket, audit events); a webhook registration with one delivery. Partner A also
has one user per Partner Center role and a customer-side global admin of its customer; partner B
has an admin agent (the same role at another partner). Each partner has a finished background queue
export with its file: A's belongs to A's support manager, B's to B's admin agent. Each partner has an
app registration with every scope whose service identity is in its "Support desk" group, as its
admin agent is.

``staged_world`` (module scope) builds all of it inside one transaction that is rolled back when
the module ends; each test still runs in its own savepoint (``db``), so a test that writes leaves
nothing behind for the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.utils import timezone

from apiaccess.applications import application_create
from apiaccess.models import AppRegistration, AppSecret
from audit.models import AuditEvent
from core.api.scopes import SCOPES
from core.models import ApiToken
from customers.choices import Workload
from gdap.choices import OperationType, RequestAction
from gdap.models import AccessAssignment, Operation, Relationship, RelationshipRequest
from partners.choices import PartnerCenterRole
from portals.dispatch import dispatch_deliver
from servicerequests import models as servicerequest_models
from servicerequests.models import (
    Attachment,
    HandoffNote,
    Note,
    QueueExport,
    ServiceRequest,
    ServiceRequestHandoff,
    SupportTopic,
)
from servicerequests.services import service_request_file
from servicerequests.services.attachments import IncomingFile, attachments_add
from tests.factories import (
    AccessAssignmentFactory,
    CustomerFactory,
    CustomerPartnerRelationshipFactory,
    PartnerFactory,
    RelationshipFactory,
    SecurityGroupFactory,
    SubscriptionFactory,
    UserFactory,
)
from tests.servicerequests.conftest import ensure_entra_roles
from webhooks.models import WebhookDelivery, WebhookRegistration

PASSWORD = "pass-word-123"
HIGH_RATES = {"user": "1000000/min", "partner": "1000000/min"}
GDAP_ROLES = ["Service Support Administrator", "Global Reader"]

# Persona → (organisation, Partner Center roles, customer-side admin?). "A"/"B" are the partners.
PERSONAS: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "admin_agent": ("A", (PartnerCenterRole.ADMIN_AGENT,), False),
    "admin_agent_other_partner": ("B", (PartnerCenterRole.ADMIN_AGENT,), False),
    "helpdesk_agent": ("A", (PartnerCenterRole.HELPDESK_AGENT,), False),
    "sales_agent": ("A", (PartnerCenterRole.SALES_AGENT,), False),
    "billing_admin": ("A", (PartnerCenterRole.BILLING_ADMIN,), False),
    "support_manager": ("A", (PartnerCenterRole.SUPPORT_MANAGER,), False),
    "customer_admin": ("A", (), True),
}


@dataclass
class Organisation:
    """One partner's objects, by the URL keyword they fill."""

    key: str
    partner: Any
    customer: Any
    admin: Any
    group: Any
    relationship: Any
    assignment: Any
    relationship_request: Any
    operation: Any
    service_request: ServiceRequest
    subscription: Any
    registration: Any
    delivery: Any
    audit_event_id: int
    saved_queue: Any = None
    queue_export: Any = None
    attachment: Any = None
    app: Any = None  # an app registration with every scope, in the "Support desk" group
    app_secret: str = ""
    handoff: Any = None


@dataclass
class StagedWorld:
    orgs: dict[str, Organisation]
    users: dict[str, Any]  # persona → user
    tokens: dict[str, str] = field(default_factory=dict)  # persona → API token
    clients: dict[str, Client] = field(default_factory=dict)  # persona → signed-in browser client

    def persona_org(self, persona: str) -> str | None:
        return None if persona == "anonymous" else PERSONAS[persona][0]


# Refusals are on record (auth.permission_denied, servicerequest.filing_denied); nothing else may be written.
DENIAL_ACTIONS = ("auth.permission_denied", "servicerequest.filing_denied")
WRITTEN_MODELS = (
    ServiceRequest,
    Note,
    Relationship,
    AccessAssignment,
    RelationshipRequest,
    WebhookRegistration,
    WebhookDelivery,
    ApiToken,
    QueueExport,
    Attachment,
    AppRegistration,
    AppSecret,
    ServiceRequestHandoff,
    HandoffNote,
)


def written_rows() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in WRITTEN_MODELS}
    counts["AuditEvent"] = AuditEvent.objects.exclude(action__in=DENIAL_ACTIONS).count()
    return counts


def _file_request(admin, customer, title: str) -> ServiceRequest:
    topic = SupportTopic.objects.filter(workload=Workload.M365).order_by("pk").first()
    service_request = service_request_file(
        actor=admin,
        customer_id=customer.pk,
        workload=Workload.M365,
        title=title,
        description="Mail delivery is delayed for every user.",
        severity="moderate",
        support_topic_id=topic.pk if topic else None,
    )
    dispatch_deliver(dispatch_id=service_request.dispatch.pk)  # on_commit never fires in a test transaction
    service_request.refresh_from_db()
    return service_request


def stage_organisation(key: str, name: str) -> Organisation:
    """One partner with its customer, GDAP, a dispatched service request and a webhook delivery."""
    partner = PartnerFactory(
        name=f"{name} Partners", domains=[f"{name.lower()}partners.example"], support_phone="+1 425 555 0100"
    )
    group = SecurityGroupFactory(partner=partner, name="Support desk")
    admin = UserFactory(
        username=f"{key.lower()}-admin",
        email=f"admin@{name.lower()}partners.example",
        phone="+1 425 555 0101",
        partner=partner,
        roles=[PartnerCenterRole.ADMIN_AGENT],
        groups_in=[group],
    )
    customer = CustomerFactory(name=f"Customer of {name}")
    CustomerPartnerRelationshipFactory(customer=customer, partner=partner, relationship="reseller")
    subscription = SubscriptionFactory(customer=customer, workload=Workload.M365, provider=partner)
    relationship = RelationshipFactory(
        partner=partner, customer=customer, display_name=f"{name} support", role_names=GDAP_ROLES
    )
    assignment = AccessAssignmentFactory(
        relationship=relationship, security_group=group, role_names=GDAP_ROLES
    )
    relationship_request = RelationshipRequest.objects.create(
        relationship=relationship,
        action=RequestAction.LOCK_FOR_APPROVAL,
        status="succeeded",
        requested_by=admin,
    )
    operation = Operation.objects.create(
        relationship=relationship, operation_type=OperationType.values[0], status="succeeded"
    )
    registration = WebhookRegistration.objects.create(
        partner=partner,
        url=f"https://hooks.{name.lower()}.example/partner-center",
        events=["servicerequest-created", "servicerequest-updated"],
        secret_salt=f"salt-{key}",
        secret_hint="abcd",
        created_by=admin,
    )
    service_request = _file_request(admin, customer, f"{name}: mail delayed")
    (attachment,) = attachments_add(
        actor=admin,
        service_request=service_request,
        files=[IncomingFile("mail-trace.log", b"450 4.7.0 delayed\n", 18)],
        source="browser",
    )
    delivery = WebhookDelivery.objects.filter(partner=partner).order_by("created_at").first()
    audit_event_id = (
        AuditEvent.objects.filter(partner_id=partner.pk).order_by("id").values_list("id", flat=True)[0]
    )
    saved_queue_model = getattr(servicerequest_models, "SavedQueue", None)  # the support managers' queues
    saved_queue = (
        saved_queue_model.objects.create(partner=partner, owner=admin, name=f"{name} critical")
        if saved_queue_model is not None
        else None
    )
    # A hand-off the partner both sent and received: every hand-off URL has an object of each partner.
    handoff = ServiceRequestHandoff.objects.create(
        reseller=partner,
        provider=partner,
        customer=customer,
        subscription=subscription,
        issue_type="billing",
        title=f"{name}: invoice question",
        description="The invoice is wrong.",
        severity="minimal",
        contact_email=admin.email,
        created_by=admin,
        due_at=timezone.now() + timedelta(hours=8),
    )
    app, _secret_row, app_secret = application_create(
        actor=admin,
        display_name=f"{name} PSA sync",
        scopes=list(SCOPES),
        security_group_ids=[group.pk],
    )
    return Organisation(
        handoff=handoff,
        attachment=attachment,
        app=app,
        app_secret=app_secret,
        saved_queue=saved_queue,
        key=key,
        partner=partner,
        customer=customer,
        admin=admin,
        group=group,
        relationship=relationship,
        assignment=assignment,
        relationship_request=relationship_request,
        operation=operation,
        service_request=service_request,
        subscription=subscription,
        registration=registration,
        delivery=delivery,
        audit_event_id=audit_event_id,
    )


def stage_queue_export(owner, queue_key: str, queue_name: str) -> QueueExport:
    """A finished background export of ``owner``'s, with its file under ``EXPORT_ROOT``."""
    from django.conf import settings

    export = QueueExport(
        partner_id=owner.partner_id,
        requested_by=owner,
        queue_key=queue_key,
        queue_name=queue_name,
        ordering="sla_due",
        status="done",
        rows_total=0,
        rows_written=0,
    )
    export.file_name = f"{export.pk}.csv"
    path = settings.EXPORT_ROOT / export.file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("id,title\n")
    export.size_bytes = path.stat().st_size
    export.save()
    return export


def stage_world() -> StagedWorld:
    """Both partners, one user per persona, a token and a signed-in client for each."""
    ensure_entra_roles()
    orgs = {"A": stage_organisation("A", "Contoso"), "B": stage_organisation("B", "Northwind")}
    users: dict[str, Any] = {"admin_agent": orgs["A"].admin, "admin_agent_other_partner": orgs["B"].admin}
    for persona, (org_key, roles, is_customer_admin) in PERSONAS.items():
        if persona in users:
            continue
        org = orgs[org_key]
        if is_customer_admin:
            users[persona] = UserFactory(username=persona, partner=None, customer=org.customer)
        else:
            users[persona] = UserFactory(
                username=persona, partner=org.partner, roles=list(roles), groups_in=[org.group]
            )
    orgs["A"].queue_export = stage_queue_export(users["support_manager"], "unassigned", "Unassigned")
    orgs["B"].queue_export = stage_queue_export(orgs["B"].admin, "mine", "My requests")
    world = StagedWorld(orgs=orgs, users=users)
    for persona, user in users.items():
        _, world.tokens[persona] = ApiToken.objects.create(user=user, name="security tests")
        client = Client()
        client.force_login(user)
        world.clients[persona] = client
    return world


@pytest.fixture(scope="module")
def staged_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The two-partner world, built once for the module and rolled back at its end."""
    from django.test import override_settings

    export_root = tmp_path_factory.mktemp("exports")
    attachment_root = tmp_path_factory.mktemp("attachments")
    with (
        django_db_blocker.unblock(),
        override_settings(
            API_THROTTLE_RATES=HIGH_RATES, EXPORT_ROOT=export_root, ATTACHMENT_ROOT=attachment_root
        ),
    ):
        caches["api"].clear()
        with transaction.atomic():
            world = stage_world()
            yield world
            transaction.set_rollback(True)
