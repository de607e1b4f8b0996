"""Eligibility reacts at once to GDAP changes: approval plus an active assignment with Service Support
Administrator lets the admin agent file for Microsoft 365; termination takes it away."""

from datetime import timedelta

import pytest

from customers.choices import Workload
from gdap import services
from partners.choices import PartnerCenterRole
from servicerequests.eligibility import EligibilityRequest, evaluate
from tests.factories import SubscriptionFactory, UserFactory

from .conftest import GR, SSA

pytestmark = pytest.mark.django_db
GDAP_RULES = ("SR-GDAP-ACTIVE", "SR-GDAP-ASSIGNMENT", "SR-GDAP-ROLE-TICKETS")


def outcomes(user, customer):
    decision = evaluate(EligibilityRequest(user_id=user.pk, customer_id=customer.pk, workload="m365"))
    return decision, {rule: decision.outcome(rule).outcome for rule in GDAP_RULES}


def test_approval_and_assignment_allow_m365_and_termination_denies(
    partner, customer, customer_admin, group, django_capture_on_commit_callbacks
):
    alice = UserFactory(
        partner=partner, username="alice-e", roles=[PartnerCenterRole.ADMIN_AGENT], groups_in=[group]
    )
    SubscriptionFactory(customer=customer, workload=Workload.M365, provider=partner)
    decision, before = outcomes(alice, customer)
    assert before["SR-GDAP-ACTIVE"] == "failed" and not decision.allowed

    rel = services.relationship_create(
        actor=alice,
        customer_id=customer.pk,
        display_name="Fabrikam tickets",
        duration=timedelta(days=180),
        role_ids=[SSA, GR],
    )
    services.relationship_lock_for_approval(actor=alice, relationship_id=rel.pk)
    services.relationship_approve(actor=customer_admin, relationship_id=rel.pk)
    decision, approved_only = outcomes(alice, customer)
    assert approved_only["SR-GDAP-ACTIVE"] == "passed"
    assert approved_only["SR-GDAP-ASSIGNMENT"] == "failed"

    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_create(
            actor=alice, relationship_id=rel.pk, security_group_id=group.pk, role_ids=[SSA]
        )
    decision, assigned = outcomes(alice, customer)
    assert assigned == dict.fromkeys(GDAP_RULES, "passed")
    assert decision.allowed, decision.failed_rule_ids

    services.relationship_terminate(actor=alice, relationship_id=rel.pk)
    decision, terminated = outcomes(alice, customer)
    assert terminated["SR-GDAP-ACTIVE"] == "failed"
    assert not decision.allowed
    assert "SR-GDAP-ACTIVE" in decision.failed_rule_ids
