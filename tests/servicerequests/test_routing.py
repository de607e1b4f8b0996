"""The signed, expiring routing context and the redirect to the stub workload portal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core import signing
from django.test import override_settings

from servicerequests.eligibility import evaluate
from servicerequests.routing import (
    SALT,
    RoutingContextInvalid,
    portal_redirect_url,
    routing_context_issue,
    routing_context_read,
)
from servicerequests.services import eligibility_request_build
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)


def test_context_round_trip_carries_the_customer_tenant_never_the_partner_tenant(world):
    request = world.request(workload="azure", issue_type="billing")
    token = routing_context_issue(user=world.alice, request=request)
    ctx = routing_context_read(token, user=world.alice)
    assert (ctx.partner_id, ctx.user_id, ctx.customer_id) == (
        str(world.partner.pk),
        world.alice.pk,
        str(world.customer.pk),
    )
    assert ctx.customer_id != str(world.partner.pk)
    assert (ctx.workload, ctx.subscription_id, ctx.issue_type, ctx.cloud) == (
        "azure",
        str(world.azure.pk),
        "billing",
        "commercial",
    )
    assert ctx.on_behalf_of_customer is True
    assert ctx.token == token


def test_own_subscription_context_has_no_customer(world):
    request = world.request(customer_id=None, support_entitlement_id="PREM-7781")
    ctx = routing_context_read(routing_context_issue(user=world.alice, request=request), user=world.alice)
    assert (ctx.customer_id, ctx.on_behalf_of_customer, ctx.support_entitlement_id) == (
        None,
        False,
        "PREM-7781",
    )


def test_the_partner_tenant_can_not_be_used_as_customer(world):
    with pytest.raises(ValueError, match="partner's own tenant"):
        routing_context_issue(user=world.alice, request=world.request(customer_id=world.partner.pk))


def test_a_request_of_another_user_can_not_be_signed_for_this_one(world):
    bob = UserFactory(partner=world.partner, roles=["admin_agent"])
    with pytest.raises(ValueError, match="not the user"):
        routing_context_issue(user=world.alice, request=world.request(user_id=bob.pk))


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature altered
        lambda t: "x" + t,  # payload altered
        lambda t: "",
        lambda t: "not-a-token",
    ],
    ids=["signature", "payload", "empty", "garbage"],
)
def test_tampered_token_is_refused(world, mangle):
    token = routing_context_issue(user=world.alice, request=world.request())
    with pytest.raises(RoutingContextInvalid) as excinfo:
        routing_context_read(mangle(token), user=world.alice)
    assert excinfo.value.reason == "tampered"
    assert (
        str(excinfo.value) == "The portal link is invalid: it was altered or is not one this portal issued."
    )


def test_a_token_signed_with_another_salt_is_refused(world):
    forged = signing.dumps({"p": str(world.partner.pk), "u": world.alice.pk, "c": None, "w": "m365"})
    with pytest.raises(RoutingContextInvalid) as excinfo:
        routing_context_read(forged, user=world.alice)
    assert excinfo.value.reason == "tampered"


def test_a_validly_signed_payload_of_the_wrong_shape_is_refused(world):
    forged = signing.dumps(["not", "a", "context"], salt=SALT)
    with pytest.raises(RoutingContextInvalid) as excinfo:
        routing_context_read(forged, user=world.alice)
    assert excinfo.value.reason == "tampered"


@pytest.mark.parametrize(("seconds_later", "valid"), [(599, True), (600, True), (601, False), (3600, False)])
def test_token_expires_after_ten_minutes(world, seconds_later, valid):
    with time_machine.travel(T0, tick=False):
        token = routing_context_issue(user=world.alice, request=world.request())
    with time_machine.travel(T0 + timedelta(seconds=seconds_later), tick=False):
        if valid:
            assert routing_context_read(token, user=world.alice).workload == "m365"
        else:
            with pytest.raises(RoutingContextInvalid) as excinfo:
                routing_context_read(token, user=world.alice)
            assert excinfo.value.reason == "expired"
            assert str(excinfo.value) == (
                "The portal link has expired: start the request again from the partner portal."
            )


@override_settings(ROUTING_CONTEXT_MAX_AGE=60)
def test_max_age_comes_from_settings(world):
    with time_machine.travel(T0, tick=False):
        token = routing_context_issue(user=world.alice, request=world.request())
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False), pytest.raises(RoutingContextInvalid):
        routing_context_read(token, user=world.alice)


@pytest.mark.parametrize("same_partner", [True, False])
def test_token_of_one_user_is_refused_for_another(world, same_partner):
    other = UserFactory(roles=["admin_agent"], **({"partner": world.partner} if same_partner else {}))
    token = routing_context_issue(user=world.alice, request=world.request())
    with pytest.raises(RoutingContextInvalid) as excinfo:
        routing_context_read(token, user=other)
    assert excinfo.value.reason == "wrong_user"
    assert str(excinfo.value) == (
        "The portal link was issued to another user: start the request from your own account."
    )


@pytest.mark.parametrize(
    ("workload", "path"),
    [
        ("azure", "/portals/azure/new-support-request"),
        ("m365", "/portals/m365/new-support-request"),
        ("ems", "/portals/m365/new-support-request"),
        ("dynamics", "/portals/dynamics/new-support-request"),
    ],
)
def test_redirect_url_points_at_the_stub_portal_with_the_token(world, workload, path):
    request = world.request(workload=workload)
    decision = evaluate(request)
    token = routing_context_issue(user=world.alice, request=request)
    url = portal_redirect_url(decision, token)
    parts = urlsplit(url)
    assert parts.path == path
    assert parse_qs(parts.query) == {"ctx": [token]}
    ctx = routing_context_read(token, user=world.alice)
    assert portal_redirect_url(ctx) == url


def test_no_redirect_for_a_denied_decision(world):
    decision = evaluate(world.request(workload="marketplace"))
    with pytest.raises(ValueError, match="no workload portal"):
        portal_redirect_url(decision, "token")


def test_resubmitting_after_the_relationship_expired_is_refused(world):
    """The portal re-evaluates at submit time: a GDAP relationship that expired since routing fails."""
    request = world.request(workload="m365")
    assert evaluate(request).allowed
    token = routing_context_issue(user=world.alice, request=request)

    world.relationship.status = "expired"
    world.relationship.save()

    ctx = routing_context_read(token, user=world.alice)
    decision = evaluate(
        eligibility_request_build(
            actor=world.alice,
            **ctx.filing_fields(),
            contact_email="alice@contosopartners.com",
            severity="moderate",
        )
    )
    assert decision.allowed is False
    assert decision.failed_rule_ids == ["SR-GDAP-ACTIVE", "SR-GDAP-ASSIGNMENT", "SR-GDAP-ROLE-TICKETS"]
    assert decision.outcome("SR-GDAP-ACTIVE").remedy == (
        "'Fabrikam support' has expired and can't be restored: request a new GDAP relationship from Fabrikam."
    )


def test_resubmitting_after_the_end_date_passed_is_refused(world):
    """Same context, evaluated once the relationship's end date is behind us (no status change yet)."""
    request = world.request(workload="azure")
    token = routing_context_issue(user=world.alice, request=request)
    ctx = routing_context_read(token, user=world.alice)
    later = world.relationship.end_at + timedelta(seconds=1)
    decision = evaluate(eligibility_request_build(actor=world.alice, **ctx.filing_fields()), now=later)
    assert decision.outcome("SR-GDAP-ACTIVE").outcome == "failed"
    assert decision.failed_rule_ids == ["SR-GDAP-ACTIVE", "SR-GDAP-ASSIGNMENT", "SR-GDAP-ANY-ROLE"]
