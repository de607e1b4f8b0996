"""GDAP services: every transition allowed and refused per status, the field rules, who may act."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from gdap import services
from gdap.choices import AssignmentStatus, OperationStatus, RelationshipStatus, RequestStatus
from gdap.exceptions import (
    GdapPermissionDenied,
    GdapPreconditionFailed,
    GdapRuleViolation,
    GdapValidationError,
)
from gdap.models import AccessAssignment, Operation, Relationship, RelationshipRequest
from partners.choices import PartnerCenterRole, PartnerType
from tests.factories import (
    AccessAssignmentFactory,
    CustomerFactory,
    CustomerPartnerRelationshipFactory,
    PartnerFactory,
    SecurityGroupFactory,
    UserFactory,
)

from .conftest import ALL_STATUSES, DR, GA, GR, SSA

S = RelationshipStatus
pytestmark = pytest.mark.django_db


def create(actor, customer, **kw):
    args = {
        "actor": actor,
        "customer_id": customer.pk,
        "display_name": "Fabrikam support",
        "duration": timedelta(days=730),
        "role_ids": [SSA, GR],
    } | kw
    return services.relationship_create(**args)


# --- create -------------------------------------------------------------------------------------


def test_create_writes_a_created_relationship_with_roles_and_one_audit_event(admin_agent, customer):
    rel = create(admin_agent, customer)
    rel.refresh_from_db()
    assert rel.status == S.CREATED
    assert rel.partner_id == admin_agent.partner_id
    assert rel.version == 1
    assert rel.activated_at is None and rel.end_at is None
    assert sorted(str(r.pk) for r in rel.roles.all()) == sorted([SSA, GR])
    event = AuditEvent.objects.get(object_id=rel.pk)
    assert event.action == "gdap.relationship.created"
    assert event.actor_name == "alice"
    assert event.customer_id == customer.pk
    assert event.after["status"] == "created"
    assert event.after["duration"] == "P730D"


@pytest.mark.parametrize(
    ("duration", "ok"),
    [
        (timedelta(days=1), True),
        (timedelta(hours=23), False),
        (timedelta(days=730), True),
        (timedelta(days=731), False),
    ],
    ids=["P1D", "PT23H", "P730D", "P731D"],
)
def test_duration_bounds(admin_agent, customer, duration, ok):
    if ok:
        assert create(admin_agent, customer, duration=duration).duration == duration
        return
    with pytest.raises(GdapRuleViolation) as exc:
        create(admin_agent, customer, duration=duration)
    assert exc.value.rule_id == "GDAP-DURATION"
    assert exc.value.field == "duration"
    assert Relationship.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(("length", "ok"), [(50, True), (51, False)])
def test_display_name_length(admin_agent, customer, length, ok):
    name = "x" * length
    if ok:
        assert create(admin_agent, customer, display_name=name).display_name == name
    else:
        with pytest.raises(GdapRuleViolation) as exc:
            create(admin_agent, customer, display_name=name)
        assert (exc.value.rule_id, exc.value.field) == ("GDAP-NAME", "displayName")
        assert "51 characters" in exc.value.message


def test_display_name_unique_per_partner_but_not_across_partners(admin_agent, customer, other_admin_agent):
    create(admin_agent, customer, display_name="Same name")
    with pytest.raises(GdapRuleViolation) as exc:
        create(admin_agent, customer, display_name="Same name")
    assert exc.value.rule_id == "GDAP-NAME"
    other_customer = CustomerFactory()
    CustomerPartnerRelationshipFactory(customer=other_customer, partner=other_admin_agent.partner)
    assert create(other_admin_agent, other_customer, display_name="Same name").display_name == "Same name"
    assert Relationship.objects.count() == 2


@pytest.mark.parametrize(
    ("roles", "auto_extend", "rule"),
    [
        ([SSA, GR], timedelta(days=180), None),
        ([SSA, GA], timedelta(days=180), "GDAP-AUTO-EXTEND-NO-GA"),
        ([SSA, GA], timedelta(0), None),
        ([SSA], timedelta(days=90), "GDAP-AUTO-EXTEND"),
    ],
)
def test_auto_extend_values_and_global_administrator(admin_agent, customer, roles, auto_extend, rule):
    if rule is None:
        rel = create(admin_agent, customer, role_ids=roles, auto_extend_duration=auto_extend)
        assert rel.auto_extend_duration == auto_extend
        return
    with pytest.raises(GdapRuleViolation) as exc:
        create(admin_agent, customer, role_ids=roles, auto_extend_duration=auto_extend)
    assert (exc.value.rule_id, exc.value.field) == (rule, "autoExtendDuration")
    assert Relationship.objects.count() == 0


@pytest.mark.parametrize(
    ("role_ids", "message"),
    [
        ([], "at least one Entra role is required"),
        (["not-a-guid"], "'not-a-guid' is not a role template id (a GUID)"),
        (["00000000-0000-0000-0000-000000000001"], "unknown Entra role template id(s)"),
    ],
)
def test_roles_must_be_known_template_ids(admin_agent, customer, role_ids, message):
    with pytest.raises(GdapValidationError) as exc:
        create(admin_agent, customer, role_ids=role_ids)
    assert exc.value.field == "accessDetails"
    assert message in exc.value.message


def test_customer_must_be_one_of_the_partners(admin_agent):
    stranger = CustomerFactory()
    with pytest.raises(GdapValidationError) as exc:
        create(admin_agent, stranger)
    assert exc.value.field == "customer"
    assert Relationship.objects.count() == 0


@pytest.mark.parametrize("role", [PartnerCenterRole.SALES_AGENT, PartnerCenterRole.HELPDESK_AGENT])
def test_only_admin_agents_create(partner, customer, role):
    user = UserFactory(partner=partner, roles=[role])
    with pytest.raises(GdapPermissionDenied):
        create(user, customer)


def test_customer_admin_cannot_create(customer_admin, customer):
    with pytest.raises(GdapPermissionDenied):
        create(customer_admin, customer)


# --- status matrix --------------------------------------------------------------------------------

# The statuses each partner/customer action is allowed from (RULES.md, written out independently of
# gdap.rules so that a change of the table is caught here).
ALLOWED_FROM = {
    "update": {S.CREATED},
    "set_auto_extend": {S.CREATED, S.ACTIVE},
    "delete": {S.CREATED},
    "lock": {S.CREATED},
    "approve": {S.APPROVAL_PENDING},
    "reject": {S.APPROVAL_PENDING},
    "terminate": {S.ACTIVE},
}
RULE_OF = {
    "update": "GDAP-EDIT-CREATED-ONLY",
    "set_auto_extend": "GDAP-EDIT-CREATED-ONLY",
    "delete": "GDAP-EDIT-CREATED-ONLY",
    "lock": "GDAP-LOCK",
    "approve": "GDAP-APPROVE",
    "reject": "GDAP-APPROVE",
    "terminate": "GDAP-TERMINATE",
}
EXPECTED_STATUS_AFTER = {
    "update": None,
    "set_auto_extend": None,
    "delete": "deleted",
    "lock": S.APPROVAL_PENDING,
    "approve": S.ACTIVE,
    "reject": S.TERMINATED,
    "terminate": S.TERMINATION_REQUESTED,
}


def run_action(action, rel, admin_agent, customer_admin):
    if action == "update":
        return services.relationship_update(actor=admin_agent, relationship_id=rel.pk, display_name="Renamed")
    if action == "set_auto_extend":
        return services.relationship_set_auto_extend(actor=admin_agent, relationship_id=rel.pk, enabled=True)
    if action == "delete":
        return services.relationship_delete(actor=admin_agent, relationship_id=rel.pk)
    if action == "lock":
        return services.relationship_lock_for_approval(actor=admin_agent, relationship_id=rel.pk)
    if action == "approve":
        return services.relationship_approve(actor=customer_admin, relationship_id=rel.pk)
    if action == "reject":
        return services.relationship_reject(actor=customer_admin, relationship_id=rel.pk)
    return services.relationship_terminate(actor=admin_agent, relationship_id=rel.pk)


@pytest.mark.parametrize("status", ALL_STATUSES)
@pytest.mark.parametrize("action", list(ALLOWED_FROM))
def test_every_action_from_every_status(action, status, make_relationship, admin_agent, customer_admin):
    rel = make_relationship(status=status)
    events_before = AuditEvent.objects.count()
    if status in ALLOWED_FROM[action]:
        run_action(action, rel, admin_agent, customer_admin)
        expected = EXPECTED_STATUS_AFTER[action]
        if expected == "deleted":
            assert not Relationship.objects.filter(pk=rel.pk).exists()
        else:
            after = Relationship.objects.get(pk=rel.pk)
            assert after.status == (expected or status)
            assert after.version > rel.version
        assert AuditEvent.objects.count() > events_before
    else:
        with pytest.raises(GdapRuleViolation) as exc:
            run_action(action, rel, admin_agent, customer_admin)
        assert exc.value.rule_id == RULE_OF[action]
        assert not isinstance(exc.value, GdapPermissionDenied)
        after = Relationship.objects.get(pk=rel.pk)
        assert (after.status, after.version) == (status, rel.version)
        assert AuditEvent.objects.count() == events_before


def test_update_changes_fields_and_bumps_version(make_relationship, admin_agent):
    rel = make_relationship(status=S.CREATED)
    updated = services.relationship_update(
        actor=admin_agent,
        relationship_id=rel.pk,
        expected_version=1,
        display_name="New name",
        duration=timedelta(days=365),
        role_ids=[DR],
    )
    updated.refresh_from_db()
    assert (updated.display_name, updated.duration, updated.version) == ("New name", timedelta(days=365), 2)
    assert [str(r.pk) for r in updated.roles.all()] == [DR]
    assert updated.last_modified_at > rel.last_modified_at
    event = AuditEvent.objects.get(action="gdap.relationship.updated")
    assert (event.before["displayName"], event.after["displayName"]) == (rel.display_name, "New name")


def test_stale_version_is_refused_and_nothing_changes(make_relationship, admin_agent):
    rel = make_relationship(status=S.CREATED)
    with pytest.raises(GdapPreconditionFailed):
        services.relationship_update(
            actor=admin_agent, relationship_id=rel.pk, expected_version=7, display_name="Other"
        )
    rel.refresh_from_db()
    assert rel.display_name != "Other" and rel.version == 1


def test_auto_extend_on_active_relationship_with_global_admin_is_refused(make_relationship, admin_agent):
    rel = make_relationship(status=S.ACTIVE, roles=["Global Administrator", "Global Reader"])
    with pytest.raises(GdapRuleViolation) as exc:
        services.relationship_set_auto_extend(actor=admin_agent, relationship_id=rel.pk, enabled=True)
    assert exc.value.rule_id == "GDAP-AUTO-EXTEND-NO-GA"
    rel.refresh_from_db()
    assert rel.auto_extend_duration == timedelta(0)


def test_auto_extend_toggles_on_active_relationship_without_global_admin(make_relationship, admin_agent):
    rel = make_relationship(status=S.ACTIVE)
    services.relationship_set_auto_extend(actor=admin_agent, relationship_id=rel.pk, enabled=True)
    rel.refresh_from_db()
    assert rel.auto_extend_duration == timedelta(days=180)
    services.relationship_set_auto_extend(actor=admin_agent, relationship_id=rel.pk, enabled=False)
    rel.refresh_from_db()
    assert rel.auto_extend_duration == timedelta(0)
    assert mail.outbox == []  # Partner Center sends no e-mail for the toggle


def test_sales_agent_cannot_edit(make_relationship, sales_agent):
    rel = make_relationship(status=S.CREATED)
    with pytest.raises(GdapPermissionDenied) as exc:
        services.relationship_update(actor=sales_agent, relationship_id=rel.pk, display_name="x")
    assert exc.value.rule_id == "GDAP-EDIT-CREATED-ONLY"


# --- lock, approve, reject -----------------------------------------------------------------------


def test_lock_records_request_and_yields_invitation_link(make_relationship, admin_agent):
    rel = make_relationship(status=S.CREATED)
    rel, request = services.relationship_lock_for_approval(actor=admin_agent, relationship_id=rel.pk)
    assert rel.status == S.APPROVAL_PENDING
    assert rel.locked_at is not None
    # Graph answers the request's creation with its own status, ``created``; the lock is applied at
    # once, so the stored request has succeeded.
    assert (request.action, request.status, request.requested_by) == (
        "lockForApproval",
        "created",
        admin_agent,
    )
    request.refresh_from_db()
    assert request.status == "succeeded"
    assert services.invitation_path(rel) == f"/gdap/invitations/{rel.pk}/"
    event = AuditEvent.objects.get(action="gdap.relationship.locked_for_approval")
    assert event.after["invitationLink"] == f"/gdap/invitations/{rel.pk}/"


def test_approve_activates_with_end_date_and_mails_both_sides(
    make_relationship, admin_agent, customer_admin, django_capture_on_commit_callbacks
):
    rel = make_relationship(status=S.APPROVAL_PENDING, duration=timedelta(days=365))
    with django_capture_on_commit_callbacks(execute=True):
        rel, request = services.relationship_approve(actor=customer_admin, relationship_id=rel.pk)
    rel.refresh_from_db()
    assert rel.status == S.ACTIVE
    assert rel.end_at - rel.activated_at == timedelta(days=365)
    assert (request.action, request.status) == ("approve", RequestStatus.CREATED)
    request.refresh_from_db()
    assert request.status == RequestStatus.SUCCEEDED
    actions = list(
        AuditEvent.objects.filter(object_id=rel.pk).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "gdap.relationship.approved",
        "gdap.relationship.activating",
        "gdap.relationship.activated",
    ]
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted([admin_agent.email, customer_admin.email])
    assert mail.outbox[0].subject == f"GDAP relationship '{rel.display_name}' approved"


def test_approval_e_mail_waits_for_commit(make_relationship, customer_admin, admin_agent):
    rel = make_relationship(status=S.APPROVAL_PENDING)
    services.relationship_approve(actor=customer_admin, relationship_id=rel.pk)
    assert mail.outbox == []  # the test transaction never commits


@pytest.mark.parametrize("who", ["admin_agent", "sales_agent", "other_customer_admin", "other_partner"])
def test_only_the_customers_admin_approves(
    make_relationship, who, admin_agent, sales_agent, other_admin_agent
):
    rel = make_relationship(status=S.APPROVAL_PENDING)
    actor = {
        "admin_agent": admin_agent,
        "sales_agent": sales_agent,
        "other_customer_admin": UserFactory(partner=None, customer=CustomerFactory()),
        "other_partner": other_admin_agent,
    }[who]
    with pytest.raises(GdapPermissionDenied) as exc:
        services.relationship_approve(actor=actor, relationship_id=rel.pk)
    assert exc.value.rule_id == "GDAP-APPROVE"
    rel.refresh_from_db()
    assert rel.status == S.APPROVAL_PENDING


def test_approval_after_90_days_is_refused(make_relationship, customer_admin):
    rel = make_relationship(status=S.APPROVAL_PENDING, locked_at=timezone.now() - timedelta(days=90))
    with pytest.raises(GdapRuleViolation) as exc:
        services.relationship_approve(actor=customer_admin, relationship_id=rel.pk)
    assert exc.value.rule_id == "GDAP-REQUEST-EXPIRY"


def test_reject_ends_the_relationship_without_activation(make_relationship, customer_admin):
    rel = make_relationship(status=S.APPROVAL_PENDING)
    rel, request = services.relationship_reject(actor=customer_admin, relationship_id=rel.pk)
    assert rel.status == S.TERMINATED and rel.activated_at is None
    request.refresh_from_db()
    assert (request.action, request.status) == ("reject", "succeeded")


# --- indirect resellers ------------------------------------------------------------------------------


@pytest.fixture
def provider_setup(db):
    provider = PartnerFactory(type=PartnerType.INDIRECT_PROVIDER)
    reseller = PartnerFactory(type=PartnerType.INDIRECT_RESELLER, indirect_provider=provider)
    customer = CustomerFactory()
    CustomerPartnerRelationshipFactory(customer=customer, partner=reseller, relationship="indirect_reseller")
    provider_agent = UserFactory(partner=provider, roles=[PartnerCenterRole.ADMIN_AGENT])
    reseller_agent = UserFactory(partner=reseller, roles=[PartnerCenterRole.ADMIN_AGENT])
    customer_admin = UserFactory(partner=None, customer=customer)
    return provider, reseller, customer, provider_agent, reseller_agent, customer_admin


def test_indirect_provider_creates_for_reseller_reseller_then_customer_approve(
    provider_setup, django_capture_on_commit_callbacks
):
    provider, reseller, customer, provider_agent, reseller_agent, customer_admin = provider_setup
    rel = create(provider_agent, customer, created_for_reseller_id=reseller.pk)
    assert rel.is_partner_consent_pending
    services.relationship_lock_for_approval(actor=provider_agent, relationship_id=rel.pk)
    # The customer can't approve before the reseller consented; the provider never approves.
    for actor in (customer_admin, provider_agent):
        with pytest.raises(GdapPermissionDenied) as exc:
            services.relationship_approve(actor=actor, relationship_id=rel.pk)
        assert exc.value.rule_id == "GDAP-INDIRECT-RESELLER"
    with django_capture_on_commit_callbacks(execute=True):
        rel, request = services.relationship_approve(actor=reseller_agent, relationship_id=rel.pk)
    assert (rel.status, rel.is_partner_consent_pending) == (S.APPROVAL_PENDING, False)
    assert rel.partner_consent_at is not None and rel.activated_at is None
    assert request.action == "approve"
    assert mail.outbox[-1].subject == f"GDAP relationship '{rel.display_name}' is waiting for {customer.name}"
    assert customer_admin.email in mail.outbox[-1].to
    # The reseller answered; approving again is the customer's step, not the reseller's.
    with pytest.raises(GdapPermissionDenied) as exc:
        services.relationship_approve(actor=reseller_agent, relationship_id=rel.pk)
    assert exc.value.rule_id == "GDAP-APPROVE"
    rel, _ = services.relationship_approve(actor=customer_admin, relationship_id=rel.pk)
    assert rel.status == S.ACTIVE and rel.activated_at is not None
    actions = list(
        AuditEvent.objects.filter(object_id=rel.pk).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "gdap.relationship.created",
        "gdap.relationship.locked_for_approval",
        "gdap.relationship.reseller_approved",
        "gdap.relationship.approved",
        "gdap.relationship.activating",
        "gdap.relationship.activated",
    ]


def test_reseller_relationship_grants_the_resellers_groups_only(provider_setup):
    provider, reseller, customer, provider_agent, reseller_agent, customer_admin = provider_setup
    rel = create(provider_agent, customer, created_for_reseller_id=reseller.pk)
    services.relationship_lock_for_approval(actor=provider_agent, relationship_id=rel.pk)
    services.relationship_approve(actor=reseller_agent, relationship_id=rel.pk)
    services.relationship_approve(actor=customer_admin, relationship_id=rel.pk)
    provider_group = SecurityGroupFactory(partner=provider, name="Provider desk")
    reseller_group = SecurityGroupFactory(partner=reseller, name="Reseller desk")
    with pytest.raises(GdapPermissionDenied) as exc:
        services.assignment_create(
            actor=provider_agent, relationship_id=rel.pk, security_group_id=provider_group.pk, role_ids=[SSA]
        )
    assert exc.value.rule_id == "GDAP-INDIRECT-RESELLER"
    with pytest.raises(GdapRuleViolation) as exc:
        services.assignment_create(
            actor=reseller_agent, relationship_id=rel.pk, security_group_id=provider_group.pk, role_ids=[SSA]
        )
    assert exc.value.field == "accessContainer"
    assignment = services.assignment_create(
        actor=reseller_agent, relationship_id=rel.pk, security_group_id=reseller_group.pk, role_ids=[SSA]
    )
    assert assignment.security_group == reseller_group
    # Only the reseller (or the customer) may terminate it; the provider can only view it.
    with pytest.raises(GdapPermissionDenied) as exc:
        services.relationship_terminate(actor=provider_agent, relationship_id=rel.pk)
    assert exc.value.rule_id == "GDAP-INDIRECT-RESELLER"
    rel, _ = services.relationship_terminate(actor=reseller_agent, relationship_id=rel.pk)
    assert rel.status == S.TERMINATION_REQUESTED


def test_reseller_relationship_audit_trails_and_webhooks(provider_setup):
    """Each step is audited in the acting partner's trail (the customer's and the system's, and every
    access assignment, in the reseller's: they name its groups); both partners get the webhook."""
    from webhooks.choices import EventName
    from webhooks.models import WebhookEvent, WebhookRegistration

    provider, reseller, customer, provider_agent, reseller_agent, customer_admin = provider_setup
    for partner in (provider, reseller):
        WebhookRegistration.objects.create(
            partner=partner,
            url="https://hooks.example/in",
            events=[EventName.GDAP_RELATIONSHIP_UPDATED],
            secret_salt="salt",
        )
    rel = create(provider_agent, customer, created_for_reseller_id=reseller.pk)
    services.relationship_lock_for_approval(actor=provider_agent, relationship_id=rel.pk)
    services.relationship_approve(actor=reseller_agent, relationship_id=rel.pk)
    services.relationship_approve(actor=customer_admin, relationship_id=rel.pk)
    group = SecurityGroupFactory(partner=reseller, name="Reseller desk")
    assignment = services.assignment_create(
        actor=reseller_agent, relationship_id=rel.pk, security_group_id=group.pk, role_ids=[SSA]
    )
    trail = dict(
        AuditEvent.objects.filter(object_id__in=[rel.pk, str(assignment.pk)]).values_list(
            "action", "partner_id"
        )
    )
    assert trail == {
        "gdap.relationship.created": provider.pk,
        "gdap.relationship.locked_for_approval": provider.pk,
        "gdap.relationship.reseller_approved": reseller.pk,
        "gdap.relationship.approved": reseller.pk,
        "gdap.relationship.activating": reseller.pk,
        "gdap.relationship.activated": reseller.pk,
        "gdap.assignment.created": reseller.pk,
    }
    for partner in (provider, reseller):
        events = WebhookEvent.objects.filter(partner=partner, resource_id=rel.pk)
        assert events.count() == 6, partner.name


def test_reseller_rejects_relationship_created_for_it(provider_setup):
    provider, reseller, customer, provider_agent, reseller_agent, _ = provider_setup
    rel = create(provider_agent, customer, created_for_reseller_id=reseller.pk)
    services.relationship_lock_for_approval(actor=provider_agent, relationship_id=rel.pk)
    rel, _ = services.relationship_reject(actor=reseller_agent, relationship_id=rel.pk)
    assert rel.status == S.TERMINATED and rel.activated_at is None
    assert (rel.partner_consent_at is not None, rel.is_partner_consent_pending) == (True, False)
    assert AuditEvent.objects.filter(object_id=rel.pk, action="gdap.relationship.reseller_rejected").exists()


def test_only_an_indirect_provider_creates_for_its_own_reseller(provider_setup, admin_agent, customer):
    provider, reseller, *_ = provider_setup
    with pytest.raises(GdapRuleViolation) as exc:
        create(admin_agent, customer, created_for_reseller_id=reseller.pk)  # a direct-bill partner
    assert (exc.value.rule_id, exc.value.field) == ("GDAP-INDIRECT-RESELLER", "createdForReseller")


# --- terminate -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["admin_agent", "customer_admin"])
def test_terminate_by_partner_or_customer_then_completes(
    make_relationship, group, admin_agent, customer_admin, by, django_capture_on_commit_callbacks
):
    rel = make_relationship(status=S.ACTIVE)
    AccessAssignmentFactory(
        relationship=rel, security_group=group, role_names=["Service Support Administrator"]
    )
    actor = admin_agent if by == "admin_agent" else customer_admin
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rel, request = services.relationship_terminate(actor=actor, relationship_id=rel.pk)
    assert rel.status == S.TERMINATION_REQUESTED
    assert len(callbacks) == 2  # the e-mail and the completion task
    rel.refresh_from_db()
    request.refresh_from_db()
    assert rel.status == S.TERMINATED
    assert request.status == RequestStatus.SUCCEEDED
    assert list(rel.access_assignments.values_list("status", flat=True)) == [AssignmentStatus.DELETED]
    assert mail.outbox[0].subject == f"GDAP relationship '{rel.display_name}' is being terminated"


def test_a_broker_outage_after_commit_fails_nothing_and_the_sweeper_completes(
    make_relationship, admin_agent, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """The termination is committed before its e-mail and completion task are sent: a broker that is
    down is logged, not raised (no 500 after the commit), and the lifecycle sweeper completes it."""
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    def broker_down(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    rel = make_relationship(status=S.ACTIVE)
    monkeypatch.setattr(Task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rel, _request = services.relationship_terminate(actor=admin_agent, relationship_id=rel.pk)
    assert len(callbacks) == 2
    assert [
        r.getMessage().split(" (")[0] for r in caplog.records if "could not enqueue" in r.getMessage()
    ] == [
        f"could not enqueue gdap.send_notification('termination_requested', '{rel.pk}', {{}})",
        f"could not enqueue gdap.complete_termination('{rel.pk}',)",
    ]
    rel.refresh_from_db()
    assert rel.status == S.TERMINATION_REQUESTED
    monkeypatch.undo()
    services.lifecycle_sweep()
    rel.refresh_from_db()
    assert rel.status == S.TERMINATED


def test_terminate_refused_for_sales_agent(make_relationship, sales_agent):
    rel = make_relationship(status=S.ACTIVE)
    with pytest.raises(GdapPermissionDenied) as exc:
        services.relationship_terminate(actor=sales_agent, relationship_id=rel.pk)
    assert exc.value.rule_id == "GDAP-TERMINATE"


# --- access assignments --------------------------------------------------------------------------------


def test_assignment_created_pending_then_activated_after_commit(
    make_relationship, group, admin_agent, django_capture_on_commit_callbacks
):
    rel = make_relationship(status=S.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.assignment_create(
            actor=admin_agent, relationship_id=rel.pk, security_group_id=group.pk, role_ids=[SSA]
        )
        assert assignment.status == AssignmentStatus.PENDING
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACTIVE
    assert [str(r.pk) for r in assignment.roles.all()] == [SSA]
    assert list(
        AuditEvent.objects.filter(object_id=assignment.pk).order_by("id").values_list("action", flat=True)
    ) == ["gdap.assignment.created", "gdap.assignment.active"]


def test_assignment_roles_must_be_a_subset(make_relationship, group, admin_agent):
    rel = make_relationship(status=S.ACTIVE, roles=["Global Reader"])
    with pytest.raises(GdapRuleViolation) as exc:
        services.assignment_create(
            actor=admin_agent, relationship_id=rel.pk, security_group_id=group.pk, role_ids=[SSA]
        )
    assert (exc.value.rule_id, exc.value.field) == ("GDAP-ASSIGNMENT-SUBSET", "accessDetails")
    assert "Service Support Administrator" in exc.value.message
    assert AccessAssignment.objects.count() == 0


def test_assignment_group_must_be_the_partners(make_relationship, admin_agent):
    rel = make_relationship(status=S.ACTIVE)
    foreign = SecurityGroupFactory()
    with pytest.raises(GdapRuleViolation) as exc:
        services.assignment_create(
            actor=admin_agent, relationship_id=rel.pk, security_group_id=foreign.pk, role_ids=[SSA]
        )
    assert (exc.value.rule_id, exc.value.field) == ("GDAP-ASSIGNMENT-SUBSET", "accessContainer")


def test_one_live_assignment_per_group(make_relationship, group, admin_agent):
    rel = make_relationship(status=S.ACTIVE)
    AccessAssignmentFactory(relationship=rel, security_group=group)
    with pytest.raises(GdapValidationError) as exc:
        services.assignment_create(
            actor=admin_agent, relationship_id=rel.pk, security_group_id=group.pk, role_ids=[SSA]
        )
    assert exc.value.field == "accessContainer"


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_assignments_only_in_active_relationships(make_relationship, group, admin_agent, status):
    rel = make_relationship(status=status)
    if status == S.ACTIVE:
        services.assignment_create(
            actor=admin_agent, relationship_id=rel.pk, security_group_id=group.pk, role_ids=[SSA]
        )
        assert AccessAssignment.objects.count() == 1
    else:
        with pytest.raises(GdapRuleViolation) as exc:
            services.assignment_create(
                actor=admin_agent, relationship_id=rel.pk, security_group_id=group.pk, role_ids=[SSA]
            )
        assert exc.value.rule_id == "GDAP-ASSIGNMENT-SUBSET"
        assert AccessAssignment.objects.count() == 0


def test_assignment_update_records_operation_then_applies(
    make_relationship, group, admin_agent, django_capture_on_commit_callbacks
):
    rel = make_relationship(status=S.ACTIVE)
    assignment = AccessAssignmentFactory(
        relationship=rel, security_group=group, role_names=["Service Support Administrator"]
    )
    same, none = services.assignment_update(
        actor=admin_agent, relationship_id=rel.pk, assignment_id=assignment.pk, role_ids=[SSA]
    )
    assert none is None and Operation.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        _, operation = services.assignment_update(
            actor=admin_agent, relationship_id=rel.pk, assignment_id=assignment.pk, role_ids=[SSA, GR]
        )
        assert operation.status == OperationStatus.NOT_STARTED
    operation.refresh_from_db()
    assert operation.status == OperationStatus.SUCCEEDED
    assert operation.operation_type == "delegatedAdminAccessAssignmentUpdate"
    assert sorted(str(r.pk) for r in assignment.roles.all()) == sorted([SSA, GR])


def test_assignment_delete_goes_deleting_then_deleted(
    make_relationship, group, admin_agent, django_capture_on_commit_callbacks
):
    rel = make_relationship(status=S.ACTIVE)
    assignment = AccessAssignmentFactory(relationship=rel, security_group=group)
    with django_capture_on_commit_callbacks(execute=True):
        deleting = services.assignment_delete(
            actor=admin_agent, relationship_id=rel.pk, assignment_id=assignment.pk
        )
        assert deleting.status == AssignmentStatus.DELETING
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DELETED


@pytest.mark.parametrize(
    ("status", "ok"),
    [
        (AssignmentStatus.PENDING, True),
        (AssignmentStatus.ACTIVE, True),
        (AssignmentStatus.ERROR, True),
        (AssignmentStatus.DELETING, False),
        (AssignmentStatus.DELETED, False),
    ],
)
def test_assignment_delete_per_status(make_relationship, group, admin_agent, status, ok):
    rel = make_relationship(status=S.ACTIVE)
    assignment = AccessAssignmentFactory(relationship=rel, security_group=group, status=status)
    if ok:
        services.assignment_delete(actor=admin_agent, relationship_id=rel.pk, assignment_id=assignment.pk)
        assignment.refresh_from_db()
        assert assignment.status == AssignmentStatus.DELETING
    else:
        with pytest.raises(GdapRuleViolation):
            services.assignment_delete(actor=admin_agent, relationship_id=rel.pk, assignment_id=assignment.pk)


def test_requests_are_recorded_for_each_action(make_relationship, admin_agent, customer_admin):
    rel = make_relationship(status=S.CREATED)
    services.relationship_lock_for_approval(actor=admin_agent, relationship_id=rel.pk)
    services.relationship_approve(actor=customer_admin, relationship_id=rel.pk)
    services.relationship_terminate(actor=admin_agent, relationship_id=rel.pk)
    assert list(RelationshipRequest.objects.filter(relationship=rel).values_list("action", "status")) == [
        ("lockForApproval", "succeeded"),
        ("approve", "succeeded"),
        ("terminate", "pending"),
    ]


def test_role_template_is_saved_per_partner(admin_agent, sales_agent):
    template = services.role_template_create(actor=admin_agent, name="Tier 1", role_ids=[SSA, GR])
    assert sorted(str(r.pk) for r in template.roles.all()) == sorted([SSA, GR])
    with pytest.raises(GdapValidationError) as exc:
        services.role_template_create(actor=admin_agent, name="Tier 1", role_ids=[SSA])
    assert exc.value.field == "name"
    with pytest.raises(GdapPermissionDenied):
        services.role_template_create(actor=sales_agent, name="Tier 2", role_ids=[SSA])
