"""The eligibility matrix: every case of ``eligibility_matrix.yaml`` fails exactly the rules it lists.

The world is loaded once per module with the scenario loader (inside a
transaction rolled back at the end); each case is one parametrized test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.db import transaction

from customers.models import Customer, Subscription
from partners.models import User
from servicerequests.eligibility import RULE_IDS, EligibilityRequest, evaluate
from tests.servicerequests.conftest import ensure_entra_roles

MATRIX = Path(__file__).with_name("eligibility_matrix.yaml")
DOCUMENT = yaml.safe_load(MATRIX.read_text())
CASES = DOCUMENT["cases"]
CASE_KEYS = {
    "name",
    "user",
    "customer",
    "workload",
    "subscription",
    "issue_type",
    "severity",
    "contact_email",
    "contact_phone",
    "support_plan",
    "entitlement",
    "failed",
}


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker):
    from scenario.loader import scenario_load

    with django_db_blocker.unblock(), transaction.atomic():
        ensure_entra_roles()
        scenario_load(DOCUMENT["scenario"])
        yield
        transaction.set_rollback(True)


def test_matrix_file_is_well_formed_and_covers_every_combination():
    names = [c["name"] for c in CASES]
    assert len(CASES) >= 40
    assert len(names) == len(set(names))
    for case in CASES:
        assert set(case) <= CASE_KEYS, case["name"]
        assert set(case["failed"]) <= set(RULE_IDS), case["name"]
        assert case["failed"] == sorted(case["failed"], key=RULE_IDS.index), f"{case['name']}: RULES.md order"
    grid = {
        (c["user"], c["workload"], c.get("issue_type", "")) for c in CASES if c.get("customer") == "Fabrikam"
    }
    for user in ("m-alice", "m-nora", "m-tom", "m-paula"):  # direct_bill, indirect_provider/reseller, advisor
        for issue_type in ("technical", "billing", "subscription_management", "quota"):
            assert (user, "azure", issue_type) in grid
        for workload in ("m365", "dynamics", "ems", "marketplace"):
            assert (user, workload, "") in grid
    assert any("customer" not in c for c in CASES)  # own subscription


def _request(case: dict) -> EligibilityRequest:
    user = User.objects.get(username=case["user"])
    customer = Customer.objects.get(name=case["customer"]) if case.get("customer") else None
    subscription = None
    if case.get("subscription"):
        subscription = Subscription.objects.get(customer=customer, offer=case["subscription"])
    return EligibilityRequest(
        user_id=user.pk,
        customer_id=customer.pk if customer else None,
        workload=case["workload"],
        subscription_id=subscription.pk if subscription else None,
        issue_type=case.get("issue_type", ""),
        severity=case.get("severity", "minimal"),
        contact_email=case.get("contact_email", ""),
        contact_phone=case.get("contact_phone", ""),
        support_plan=case.get("support_plan", ""),
        support_entitlement_id=case.get("entitlement", ""),
    )


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matrix_case(matrix_world, db, case):
    decision = evaluate(_request(case))
    assert decision.failed_rule_ids == case["failed"]
    assert decision.allowed is (case["failed"] == [])
    assert (decision.portal is not None) is decision.allowed
