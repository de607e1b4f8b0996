"""service_request_file: what an allowed request writes, and that a refused one writes nothing.

Uses the ``world`` fixture of ``tests/servicerequests/conftest.py`` (one request every rule allows).
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from audit.models import AuditEvent
from core.context import RequestContextMiddleware
from core.middleware import reset_correlation_id, set_correlation_id
from portals.models import PortalTicket
from servicerequests.eligibility import CustomerNotVisible
from servicerequests.exceptions import EligibilityDenied, MarketplaceNotSupported
from servicerequests.models import Dispatch, Note, Notification, ServiceRequest
from servicerequests.services import service_request_file
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

M365_TOPIC = 32444611  # Exchange Online
AZURE_TOPIC = 32444601  # Virtual Machines


def file_m365(world, **overrides):
    values = {
        "actor": world.alice,
        "customer_id": world.customer.pk,
        "workload": "m365",
        "title": "Mail stuck in the outbox",
        "description": "Since 09:00 no mail leaves the tenant.",
        "severity": "moderate",
        "support_topic_id": M365_TOPIC,
    }
    values.update(overrides)
    return in_request_context(lambda: service_request_file(**values))


def in_request_context(call):
    """Run ``call`` as the view of an HTTP request: the service reads the request's id, correlation
    id and client address from ``core.context`` (it takes none of them as arguments)."""
    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.7", HTTP_MS_REQUESTID="4b1c2d3e-0000-4000-8000-000000000001"
    )
    token = set_correlation_id("corr-1")
    try:
        return RequestContextMiddleware(lambda _request: call())(request)
    finally:
        reset_correlation_id(token)


def row_counts():
    return {
        "requests": ServiceRequest.objects.count(),
        "dispatches": Dispatch.objects.count(),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "notes": Note.objects.count(),
        "tickets": PortalTicket.objects.count(),
    }


NOTHING = {"requests": 0, "dispatches": 0, "audit": 0, "notifications": 0, "notes": 0, "tickets": 0}
#: A refused filing writes nothing but the record of the refusal.
ONLY_THE_DENIAL = {**NOTHING, "audit": 1}


def assert_denial_recorded(world, failed_rule_ids):
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id, event.object_id) == (
        "servicerequest.filing_denied",
        world.alice.pk,
        "",
    )
    assert event.after["failedRuleIds"] == failed_rule_ids
    assert event.after["allowed"] is False


def test_filing_writes_the_request_its_audit_event_and_dispatch(world):
    before = timezone.now()
    request = file_m365(world)

    request.refresh_from_db()
    assert request.partner_id == world.partner.pk
    assert request.customer_id == world.customer.pk
    assert request.workload == "m365"
    assert request.title == "Mail stuck in the outbox"
    assert request.description == "Since 09:00 no mail leaves the tenant."
    assert request.severity == "moderate"
    assert request.status == "none"
    assert request.support_topic_id == M365_TOPIC
    assert request.issue_type == ""
    assert request.support_plan == ""
    assert request.portal == "m365"
    assert request.country_code == "US"
    assert request.created_by_id == world.alice.pk
    assert request.assigned_to_id is None
    assert (request.contact_first_name, request.contact_last_name) == (
        world.alice.first_name,
        world.alice.last_name,
    )
    assert request.contact_email == "alice@contosopartners.com"
    assert request.contact_phone == "+1 425 555 0101"
    assert request.external_ticket_id == ""
    assert request.sla_due_at is None
    assert request.version == 1
    assert request.eligibility["allowed"] is True
    assert request.eligibility["portal"]["portal"] == "m365"
    assert {o["outcome"] for o in request.eligibility["outcomes"]} <= {"passed", "not_applicable"}
    assert before <= request.created_at <= timezone.now()

    dispatch = Dispatch.objects.get(request=request)
    assert (dispatch.portal, dispatch.status, dispatch.attempts, dispatch.last_error) == (
        "m365",
        "pending",
        0,
        "",
    )
    assert dispatch.next_attempt_at == request.created_at

    event = AuditEvent.objects.get(action="servicerequest.filed")
    assert event.actor_id == world.alice.pk
    assert event.partner_id == world.partner.pk
    assert event.customer_id == world.customer.pk
    assert (event.object_type, event.object_id) == ("servicerequests.ServiceRequest", request.pk)
    assert event.after == {
        "workload": "m365",
        "severity": "moderate",
        "status": "none",
        "title": "Mail stuck in the outbox",
        "issue_type": "",
        "support_plan": "",
        "portal": "m365",
        "contact_email": "alice@contosopartners.com",
        "country_code": "US",
        "support_language": "en-US",
    }
    assert (event.request_id, event.correlation_id, event.ip_address) == (
        "4b1c2d3e-0000-4000-8000-000000000001",
        "corr-1",
        "10.0.0.7",
    )
    # The filer's notification is the delivery's (after commit): nothing is sent for a request the
    # portal has not accepted yet.
    assert not Notification.objects.exists()


def test_after_commit_the_request_is_dispatched_and_the_filer_notified(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = file_m365(world)

    request.refresh_from_db()
    ticket = PortalTicket.objects.get(service_request=request)
    assert request.status == "open"
    assert request.external_ticket_id == ticket.ticket_number
    assert ticket.portal == "m365"
    assert request.sla_due_at is not None
    assert Dispatch.objects.get(request=request).status == "delivered"
    assert [m.subject for m in mail.outbox] == [
        f"Service request {request.pk} filed: Mail stuck in the outbox"
    ]
    assert mail.outbox[0].to == ["alice@contosopartners.com"]
    assert f"accepted it as ticket {ticket.ticket_number}" in mail.outbox[0].body
    assert "Response: due by " in mail.outbox[0].body
    notification = Notification.objects.get()
    assert (notification.kind, notification.recipient_id, notification.recipient_email) == (
        "filed",
        world.alice.pk,
        "alice@contosopartners.com",
    )
    assert notification.sent_at is not None


def test_a_delivery_run_twice_notifies_the_filer_once(world, django_capture_on_commit_callbacks):
    from portals.dispatch import dispatch_deliver

    with django_capture_on_commit_callbacks(execute=True):
        request = file_m365(world)
    dispatch = Dispatch.objects.get(request=request)
    Dispatch.objects.filter(pk=dispatch.pk).update(status="pending")  # as if a message came twice
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_deliver(dispatch_id=dispatch.pk)
    assert Notification.objects.filter(request=request, kind="filed").count() == 1
    assert len(mail.outbox) == 1


def test_explicit_contact_is_kept(world):
    request = file_m365(
        world,
        contact_first_name="Bob",
        contact_last_name="Builder",
        contact_email="bob@contosopartners.com",
        contact_phone="+1 425 555 0199",
    )
    assert (
        request.contact_first_name,
        request.contact_last_name,
        request.contact_email,
        request.contact_phone,
    ) == (
        "Bob",
        "Builder",
        "bob@contosopartners.com",
        "+1 425 555 0199",
    )


def test_azure_request_gets_azure_defaults_and_the_subscription(world):
    world.assignment.roles.add(*world.relationship.roles.all())
    request = file_m365(world, workload="azure", support_topic_id=AZURE_TOPIC, subscription_id=world.azure.pk)
    assert (request.portal, request.issue_type, request.support_plan) == (
        "azure",
        "technical",
        "cloud_solution_provider",
    )
    assert request.subscription_id == world.azure.pk
    assert Dispatch.objects.get(request=request).portal == "azure"


def test_a_denied_request_writes_nothing(world):
    world.assignment.delete()  # SR-GDAP-ASSIGNMENT fails
    with pytest.raises(EligibilityDenied) as caught:
        file_m365(world)
    assert "SR-GDAP-ASSIGNMENT" in caught.value.failed_rule_ids
    assert caught.value.decision.allowed is False
    assert row_counts() == ONLY_THE_DENIAL
    assert_denial_recorded(world, caught.value.failed_rule_ids)


def test_a_critical_request_without_a_phone_is_denied_and_writes_nothing(world):
    world.alice.phone = ""
    world.alice.save(update_fields=["phone"])
    with pytest.raises(EligibilityDenied) as caught:
        file_m365(world, severity="critical")
    assert caught.value.failed_rule_ids == ["SR-CRITICAL-NEEDS-PHONE"]
    assert row_counts() == ONLY_THE_DENIAL
    assert_denial_recorded(world, ["SR-CRITICAL-NEEDS-PHONE"])


def test_a_marketplace_product_writes_nothing_and_names_the_isv(world):
    with pytest.raises(MarketplaceNotSupported) as caught:
        file_m365(world, workload="marketplace", support_topic_id=None, subscription_id=world.marketplace.pk)
    assert caught.value.isv_contact["supportEmail"] == "support@litware.example"
    assert "SR-MARKETPLACE-ISV" in str(caught.value)
    assert row_counts() == ONLY_THE_DENIAL
    assert_denial_recorded(world, caught.value.decision.failed_rule_ids)


def test_another_partners_customer_is_not_visible_and_nothing_is_written(world):
    stranger = CustomerFactory()
    with pytest.raises(CustomerNotVisible):
        file_m365(world, customer_id=stranger.pk)
    assert row_counts() == NOTHING


@pytest.mark.parametrize(
    "overrides,field,reason",
    [
        ({"title": ""}, "title", "is required."),
        ({"title": "   "}, "title", "is required."),
        ({"title": "x" * 201}, "title", "must be at most 200 characters (it has 201)."),
        ({"description": ""}, "description", "is required."),
        ({"severity": "urgent"}, "severity", "must be one of critical, moderate, minimal."),
        ({"workload": "xbox"}, "workload", "must be one of azure, m365, dynamics, ems, marketplace."),
        ({"support_topic_id": 1}, "support_topic_id", "no support topic has id 1."),
        (
            {"support_topic_id": AZURE_TOPIC},
            "support_topic_id",
            "topic 32444601 (Virtual Machines) is for azure, not m365.",
        ),
        ({"contact_email": "not-an-address"}, "contact_email", "is not a valid e-mail address."),
        ({"issue_type": "billing"}, "issue_type", "is only for Azure requests."),
        (
            {"support_plan": "gold"},
            "support_plan",
            "must be one of cloud_solution_provider, partner_entitlement.",
        ),
    ],
)
def test_bad_fields_are_named_with_the_reason_and_nothing_is_written(world, overrides, field, reason):
    with pytest.raises(ValidationError) as caught:
        file_m365(world, **overrides)
    assert caught.value.message_dict == {field: [reason]}
    assert row_counts() == NOTHING


def test_every_bad_field_is_reported_at_once(world):
    with pytest.raises(ValidationError) as caught:
        file_m365(world, title="", description="", severity="")
    assert sorted(caught.value.message_dict) == ["description", "severity", "title"]


def test_own_subscription_request_with_a_valid_entitlement(world):
    request = file_m365(world, customer_id=None, support_entitlement_id="PREM-7781")
    assert request.customer_id is None
    assert request.support_entitlement.entitlement_id == "PREM-7781"
    assert request.support_plan == "partner_entitlement"
    assert request.country_code == ""


def test_own_subscription_request_with_an_expired_entitlement_is_denied(world):
    with pytest.raises(EligibilityDenied) as caught:
        file_m365(world, customer_id=None, support_entitlement_id="PREM-0001")
    assert caught.value.failed_rule_ids == ["SR-OWN-SUBSCRIPTION-ENTITLEMENT"]
    assert row_counts() == ONLY_THE_DENIAL
    assert_denial_recorded(world, ["SR-OWN-SUBSCRIPTION-ENTITLEMENT"])


def test_filing_publishes_one_message_whose_task_notifies_the_filer(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    from .conftest import patch_enqueue

    published = []

    def recording(name, real, task, *args, **kwargs):
        published.append((name, args, kwargs))
        return real(task, *args, **kwargs)

    patch_enqueue(monkeypatch, recording)
    with django_capture_on_commit_callbacks() as callbacks:
        request = file_m365(world)
    assert len(callbacks) == 1  # the filing's only after-commit work: one message
    with django_capture_on_commit_callbacks(execute=True):  # the delivery's own after-commit work
        callbacks[0]()
    notification = Notification.objects.get(request=request)
    dispatch = Dispatch.objects.get(request=request)
    # The filing's message; the delivery (run in-process here) records the notification and, after
    # its commit, enqueues the e-mail.
    assert published == [
        ("servicerequests.dispatch", (dispatch.pk,), {}),
        ("servicerequests.send_notification", (notification.pk,), {}),
    ]
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert dispatch.__class__.objects.get(pk=dispatch.pk).status == "delivered"


def test_filing_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    file_m365(world)  # warm caches (content types, the process's copy of the topic table)
    # eligibility (the user with the customer, the relationships with the user's assignments),
    # request, dispatch, audit event: the customer is the decision's, the topic the process's copy;
    # the partner has no webhook registration (the user's read says so), so none is looked up; no
    # savepoint inside the caller's transaction
    with django_assert_num_queries(5):
        file_m365(world, title="Second request")
    assert ServiceRequest.objects.count() == 2
    assert timezone.now() - ServiceRequest.objects.first().created_at < timedelta(minutes=1)
