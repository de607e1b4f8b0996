"""The filing pipeline's first two steps: the eligibility request with its defaults, and the check.

Uses the ``world`` fixture of ``tests/servicerequests/conftest.py`` (one request every rule allows).
"""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from core.api.errors import exception_handler
from servicerequests.eligibility import CustomerNotVisible, EligibilityRequest
from servicerequests.exceptions import EligibilityDenied, FilingError, MarketplaceNotSupported, StaleVersion
from servicerequests.services import eligibility_request_build, service_request_eligibility_check
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            {"workload": "m365"},
            {"issue_type": "", "support_plan": "", "severity": "minimal"},
        ),
        (
            {"workload": "azure"},
            {"issue_type": "technical", "support_plan": "cloud_solution_provider", "severity": "minimal"},
        ),
        (
            {"workload": "azure", "issue_type": "billing", "severity": "critical"},
            {"issue_type": "billing", "support_plan": "cloud_solution_provider", "severity": "critical"},
        ),
        (
            {"workload": "m365", "customer_id": None},
            {"issue_type": "", "support_plan": "partner_entitlement", "severity": "minimal"},
        ),
    ],
)
def test_the_eligibility_request_takes_the_filing_defaults(world, given, expected):
    values = {"customer_id": world.customer.pk, **given}
    request = eligibility_request_build(actor=world.alice, **values)
    assert request == EligibilityRequest(
        user_id=world.alice.pk,
        customer_id=values["customer_id"],
        workload=values["workload"],
        subscription_id=None,
        contact_email=world.alice.email,
        contact_phone=world.alice.phone,
        support_entitlement_id="",
        **expected,
    )


def test_a_given_contact_is_kept_stripped(world):
    request = eligibility_request_build(
        actor=world.alice,
        customer_id=world.customer.pk,
        workload="m365",
        contact_email="  ops@contosopartners.com ",
        contact_phone=" +1 425 555 0100",
    )
    assert (request.contact_email, request.contact_phone) == ("ops@contosopartners.com", "+1 425 555 0100")


def test_an_allowed_request_returns_its_decision_and_records_nothing(world):
    request = eligibility_request_build(actor=world.alice, customer_id=world.customer.pk, workload="m365")
    decision = service_request_eligibility_check(
        actor=world.alice, eligibility_request=request, record_refusal=True
    )
    assert decision.allowed is True
    assert decision.portal.portal == "m365"
    assert decision.portal.url == "/portals/m365/new-support-request"
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("record_refusal", [False, True])
def test_a_refusal_raises_with_its_decision_and_is_recorded_only_when_asked(world, record_refusal):
    world.relationship.status = "expired"
    world.relationship.save()
    request = eligibility_request_build(actor=world.alice, customer_id=world.customer.pk, workload="m365")
    with pytest.raises(EligibilityDenied) as caught:
        service_request_eligibility_check(
            actor=world.alice, eligibility_request=request, record_refusal=record_refusal
        )
    assert caught.value.decision.allowed is False
    assert "SR-GDAP-ACTIVE" in caught.value.failed_rule_ids
    recorded = list(AuditEvent.objects.values_list("action", "after__failedRuleIds"))
    assert recorded == (
        [("servicerequest.filing_denied", caught.value.failed_rule_ids)] if record_refusal else []
    )


def test_a_marketplace_product_is_its_own_refusal(world):
    request = eligibility_request_build(
        actor=world.alice, customer_id=world.customer.pk, workload="marketplace"
    )
    with pytest.raises(MarketplaceNotSupported) as caught:
        service_request_eligibility_check(actor=world.alice, eligibility_request=request)
    assert caught.value.decision is not None
    assert not AuditEvent.objects.exists()


def test_another_partners_customer_is_not_visible(world):
    request = eligibility_request_build(actor=world.alice, customer_id=CustomerFactory().pk, workload="m365")
    with pytest.raises(CustomerNotVisible) as caught:
        service_request_eligibility_check(actor=world.alice, eligibility_request=request)
    assert isinstance(caught.value, FilingError)
    assert caught.value.api_kind == "tenant_not_found"


@pytest.mark.parametrize(
    ("error", "status", "code", "description", "headers"),
    [
        (
            CustomerNotVisible("3f1e0000-0000-4000-8000-000000000000"),
            404,
            60003,
            "Customer 3f1e0000-0000-4000-8000-000000000000 was not found.",
            {},
        ),
        (
            StaleVersion(expected=2, current=3),
            412,
            800010,
            "The service request changed since it was read (version 2, now 3); reload it and try again.",
            {"ETag": '"3"'},
        ),
    ],
)
def test_the_api_answers_a_domain_error_as_it_declares(error, status, code, description, headers):
    response = exception_handler(error, {})
    assert (response.status_code, response.data["code"], response.data["description"]) == (
        status,
        code,
        description,
    )
    assert {name: response.headers[name] for name in headers} == headers


def test_the_api_answers_a_refusal_with_its_failed_rules(world):
    world.relationship.status = "expired"
    world.relationship.save()
    request = eligibility_request_build(actor=world.alice, customer_id=world.customer.pk, workload="m365")
    with pytest.raises(EligibilityDenied) as caught:
        service_request_eligibility_check(actor=world.alice, eligibility_request=request)
    response = exception_handler(caught.value, {})
    assert (response.status_code, response.data["code"]) == (403, 2032)
    assert response.data["description"] == (
        "Access denied: the request is not eligible (" + ", ".join(caught.value.failed_rule_ids) + ")."
    )
    assert [d["ruleId"] for d in response.data["data"]] == caught.value.failed_rule_ids
