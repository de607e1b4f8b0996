"""Every audited action writes exactly one event with the right fields; failures write none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from apiaccess.services import api_token_create, api_token_revoke
from audit.models import AuditEvent
from core.context import RequestContextMiddleware as AuditContextMiddleware
from core.middleware import reset_correlation_id, set_correlation_id
from gdap.services import relationship_create
from partners.choices import PartnerCenterRole
from servicerequests.exceptions import EligibilityDenied, StaleVersion
from servicerequests.services import service_request_add_note, service_request_update
from tests.api.conftest import client_for
from tests.factories import UserFactory
from webhooks.services import webhook_registration_create, webhook_registration_delete

from .conftest import file_m365

CORRELATION_ID = "5c1e5c6f-2b1d-4a9e-9a5e-0f1e2d3c4b5a"
REQUEST_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
CONTEXT = {"request_id": REQUEST_ID, "correlation_id": CORRELATION_ID, "ip_address": "203.0.113.7"}


def _in_context(call):
    """Run ``call`` as an HTTP request's view would: services read the ids and the address from the
    request context (``core.context``), never from arguments."""
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7", HTTP_MS_REQUESTID=REQUEST_ID)
    token = set_correlation_id(CORRELATION_ID)
    try:
        return AuditContextMiddleware(lambda _: call())(request)
    finally:
        reset_correlation_id(token)


def _file(world):
    request = _in_context(lambda: file_m365(world))
    return request, {"object_type": "servicerequests.ServiceRequest", "object_id": request.pk}


def _note(world):
    request = file_m365(world)
    _in_context(
        lambda: service_request_add_note(actor=world.admin, service_request=request, text="Any news?")
    )
    return request, {
        "object_id": request.pk,
        "after": {"noteId": request.notes.get().pk, "text": "Any news?"},
    }


def _status(world):
    request = file_m365(world)
    _in_context(lambda: service_request_update(actor=world.admin, service_request=request, status="closed"))
    request.refresh_from_db()
    return request, {
        "object_id": request.pk,
        "before": {"status": "none", "closed_at": None},
        "after": {"status": "closed", "closed_at": request.closed_at.isoformat()},
    }


def _assign(world):
    world.admin.roles.create(role=PartnerCenterRole.SUPPORT_MANAGER)
    request = file_m365(world)
    _in_context(
        lambda: service_request_update(actor=world.admin, service_request=request, assigned_to=world.admin)
    )
    return request, {
        "object_id": request.pk,
        "before": {"assigned_to_id": None},
        "after": {"assigned_to_id": world.admin.pk},
    }


def _gdap(world):
    """GDAP services know nothing of HTTP: the request context fills the ids and the address."""
    request = RequestFactory().post("/gdap/", REMOTE_ADDR="203.0.113.7", HTTP_MS_REQUESTID=REQUEST_ID)
    token = set_correlation_id(CORRELATION_ID)
    try:
        relationship = AuditContextMiddleware(
            lambda _: relationship_create(
                actor=world.admin,
                customer_id=world.customer.pk,
                display_name="Audit me",
                duration=timedelta(days=30),
                role_ids=["f023fd81-a637-4b56-95fd-791ac0226033"],
            )
        )(request)
    finally:
        reset_correlation_id(token)
    return relationship, {"object_type": "gdap.Relationship", "object_id": str(relationship.pk)}


def _token(world):
    row, _ = _in_request_without_id(
        lambda: api_token_create(actor=world.admin, name="CI", expires_in=timedelta(days=7))
    )
    return row, {"object_type": "partnercenter.ApiToken", "object_id": row.token_key}


def _token_revoke(world):
    row, _ = api_token_create(actor=world.admin, name="CI", expires_in=None)
    _in_request_without_id(lambda: api_token_revoke(actor=world.admin, token_key=row.token_key))
    return row, {"object_id": row.token_key, "before": {"name": "CI"}}


def _in_request(call):
    """``call()`` while a request with the test's ids and address is handled (the request context)."""
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7", HTTP_MS_REQUESTID=REQUEST_ID)
    token = set_correlation_id(CORRELATION_ID)
    try:
        return AuditContextMiddleware(lambda _: call())(request)
    finally:
        reset_correlation_id(token)


def _webhook(world):
    registration, _ = _in_request(
        lambda: webhook_registration_create(
            actor=world.admin, url="https://93.184.216.34/hook", events=["test-created"]
        )
    )
    return registration, {
        "object_type": "webhooks.WebhookRegistration",
        "after": {"url": "https://93.184.216.34/hook", "events": ["test-created"]},
    }


def _webhook_delete(world):
    registration, _ = webhook_registration_create(
        actor=world.admin, url="https://93.184.216.34/hook", events=["test-created"]
    )
    _in_request(lambda: webhook_registration_delete(actor=world.admin))
    return registration, {"object_id": str(registration.pk), "after": {"pendingDeliveriesFailed": 0}}


def _in_request_without_id(call):
    """Run ``call`` as if handling a browser request from 203.0.113.7 (no ``MS-RequestId``)."""
    request = RequestFactory().post("/settings/api-access/", REMOTE_ADDR="203.0.113.7")
    token = set_correlation_id(CORRELATION_ID)
    try:
        return AuditContextMiddleware(lambda _: call())(request)
    finally:
        reset_correlation_id(token)


ACTIONS = {
    "servicerequest.filed": _file,
    "servicerequest.note_added": _note,
    "servicerequest.updated": _status,
    "servicerequest.updated/assign": _assign,
    "gdap.relationship.created": _gdap,
    "api_token.created": _token,
    "api_token.revoked": _token_revoke,
    "webhook.registration_created": _webhook,
    "webhook.registration_deleted": _webhook_delete,
}


@pytest.mark.parametrize("key", list(ACTIONS))
def test_each_action_writes_exactly_one_event_with_its_fields(world, key):
    action = key.split("/")[0]
    _, expected = ACTIONS[key](world)
    events = list(AuditEvent.objects.filter(action=action))
    assert len(events) == 1
    event = events[0]
    assert (event.actor_id, event.actor_name, event.partner_id) == (
        world.admin.pk,
        world.admin.username,
        world.partner.pk,
    )
    assert (event.correlation_id, event.ip_address) == (CORRELATION_ID, "203.0.113.7")
    if "token" not in key:
        assert event.request_id == REQUEST_ID
    for field, value in expected.items():
        assert getattr(event, field) == value, field
    if key.startswith("servicerequest") or key.startswith("gdap"):
        assert event.customer_id == world.customer.pk


@pytest.mark.parametrize(
    ("attempt", "error"),
    [
        (
            lambda w, r: service_request_update(actor=w.admin, service_request=r, status="reopened"),
            ValidationError,
        ),
        (
            lambda w, r: service_request_update(actor=w.admin, service_request=r, severity="urgent"),
            ValidationError,
        ),
        (
            lambda w, r: service_request_update(
                actor=w.admin, service_request=r, status="closed", expected_version=r.version + 5
            ),
            StaleVersion,
        ),
        (
            lambda w, r: service_request_add_note(actor=w.admin, service_request=r, text="   "),
            ValidationError,
        ),
        (
            lambda w, r: service_request_add_note(
                actor=UserFactory(partner=w.partner, roles=[PartnerCenterRole.SALES_AGENT]),
                service_request=r,
                text="hello",
            ),
            PermissionDenied,
        ),
        (
            lambda w, r: webhook_registration_create(
                actor=w.admin, url="http://10.0.0.1/", events=["test-created"]
            ),
            ValidationError,
        ),
    ],
)
def test_a_failed_action_writes_no_audit_event(world, attempt, error, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    request = file_m365(world)
    before = list(AuditEvent.objects.values_list("pk", flat=True))
    version = request.version
    with pytest.raises(error):
        attempt(world, request)
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == before
    request.refresh_from_db()
    assert request.version == version


def test_a_denied_filing_is_recorded_with_the_failed_rules_and_nothing_else(world):
    world.relationship.access_assignments.all().delete()  # SR-GDAP-ASSIGNMENT fails
    with pytest.raises(EligibilityDenied):
        _in_context(lambda: file_m365(world))
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id, event.customer_id, event.object_id) == (
        "servicerequest.filing_denied",
        world.admin.pk,
        world.customer.pk,
        "",
    )
    assert event.after == {
        "workload": "m365",
        "failedRuleIds": ["SR-GDAP-ASSIGNMENT", "SR-GDAP-ROLE-TICKETS"],
        "allowed": False,
    }
    assert (event.request_id, event.correlation_id) == (REQUEST_ID, CORRELATION_ID)


def test_a_denied_filing_over_the_api_is_recorded_with_the_request_and_correlation_ids(world):
    world.relationship.access_assignments.all().delete()
    api = client_for(world.admin)
    body = {
        "title": "Mail stuck",
        "description": "Since yesterday.",
        "severity": "minimal",
        "workload": "m365",
    }
    response = api.post(
        f"/v1/customers/{world.customer.pk}/servicerequests",
        body,
        format="json",
        HTTP_MS_REQUESTID=REQUEST_ID,
        HTTP_MS_CORRELATIONID=CORRELATION_ID,
    )
    assert response.status_code == 403
    event = AuditEvent.objects.get()
    assert event.action == "servicerequest.filing_denied"
    assert (event.request_id, event.correlation_id, event.ip_address) == (
        REQUEST_ID,
        CORRELATION_ID,
        "127.0.0.1",
    )
    assert "SR-GDAP-ASSIGNMENT" in event.after["failedRuleIds"]


def test_sign_in_success_and_failure_are_recorded_with_the_address(client, world):
    assert client.post("/signin/", {"username": world.admin.username, "password": "wrong"}).status_code == 200
    assert client.post("/signin/", {"username": "nobody", "password": "wrong"}).status_code == 200
    response = client.post("/signin/", {"username": world.admin.username, "password": "pass-word-123"})
    assert response.status_code == 302
    client.post("/signout/")
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == [
        "auth.sign_in_failed",
        "auth.sign_in_failed",
        "auth.signed_in",
        "auth.signed_out",
    ]
    failed, unknown, signed_in, signed_out = events
    assert (failed.partner_id, failed.object_id, failed.after, failed.ip_address) == (
        world.partner.pk,
        str(world.admin.pk),
        {"username": world.admin.username},
        "127.0.0.1",
    )
    assert "password" not in str(failed.after)
    assert (unknown.partner_id, unknown.object_id, unknown.after) == (None, "", {"username": "nobody"})
    assert (signed_in.actor_id, signed_in.partner_id, signed_in.ip_address) == (
        world.admin.pk,
        world.partner.pk,
        "127.0.0.1",
    )
    assert signed_in.correlation_id and len(signed_in.correlation_id) == 36
    assert signed_out.actor_id == world.admin.pk


def test_a_service_without_http_context_still_records_the_requests_ids(world):
    """GDAP services take no request ids: the audit middleware and the correlation id fill them."""
    api = client_for(world.admin)
    response = api.post(
        "/graph/v1.0/tenantRelationships/delegatedAdminRelationships",
        {
            "displayName": "From the API",
            "duration": "P30D",
            "customer": {"tenantId": str(world.customer.pk)},
            "accessDetails": {"unifiedRoles": [{"roleDefinitionId": "f023fd81-a637-4b56-95fd-791ac0226033"}]},
        },
        format="json",
        HTTP_MS_CORRELATIONID=CORRELATION_ID,
        HTTP_MS_REQUESTID=REQUEST_ID,
    )
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(action="gdap.relationship.created")
    assert (event.correlation_id, event.request_id, event.ip_address) == (
        CORRELATION_ID,
        REQUEST_ID,
        "127.0.0.1",
    )
