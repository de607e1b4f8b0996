"""Scenario files stage hand-offs (``service_request_handoffs``): validated against the partners'
types, the subscription's provider and SR-AZURE-NONTECH-PROVIDER-ONLY's issue types; written once."""

from __future__ import annotations

import pytest

from scenario.loader import scenario_load
from scenario.schema import ScenarioError
from servicerequests.handoffs.models import HandoffStatus, ServiceRequestHandoff

from .conftest import NOW

PENDING = {
    "reseller": "Tailspin Resellers",
    "customer": "Lamna Healthcare",
    "subscription": "Azure plan",
    "created_by": "tom",
    "issue_type": "quota",
    "title": "Raise the vCPU quota",
    "severity": "critical",
    "created": "-30m",
    "notes": [{"by": "nora", "at": "-10m", "text": "Filing it now."}],
}


def test_a_staged_handoff_is_written_once_with_its_clock_and_notes(good_document):
    good_document["service_request_handoffs"] = [PENDING]
    result = scenario_load(good_document, now=NOW)
    assert result.counts["service_request_handoffs"] == 1
    handoff = ServiceRequestHandoff.objects.get()
    assert handoff.status == HandoffStatus.PENDING
    assert (handoff.reseller.name, handoff.provider.name) == ("Tailspin Resellers", "Northwind Distribution")
    assert handoff.contact_email == "tom@tailspin.example"
    assert (handoff.due_at - handoff.created_at).total_seconds() == 3600  # critical: 1 h
    assert [(n.partner.name, n.text) for n in handoff.notes.all()] == [
        ("Northwind Distribution", "Filing it now.")
    ]
    scenario_load(good_document, now=NOW)
    assert ServiceRequestHandoff.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"reseller": "Contoso Partners", "customer": "Fabrikam", "created_by": "alice"},
            "reseller: SR-AZURE",
        ),
        ({"issue_type": "technical"}, "issue_type:"),
        ({"subscription": "No such plan"}, "subscription: no Azure subscription"),
        ({"status": "declined"}, "decline_reason: required"),
        ({"status": "accepted"}, "service_request: required"),
        ({"decline_reason": "no"}, "decline_reason: only for a declined"),
        ({"notes": [{"by": "alice", "at": "-1m", "text": "x"}]}, "by: 'alice' is a user of neither"),
    ],
)
def test_a_bad_handoff_is_refused_naming_the_field(good_document, change, message):
    good_document["service_request_handoffs"] = [{**PENDING, **change}]
    with pytest.raises(ScenarioError) as exc:
        scenario_load(good_document, now=NOW)
    assert any(e.startswith("service_request_handoffs[0].") and message in e for e in exc.value.errors), (
        exc.value.errors
    )
    assert not ServiceRequestHandoff.objects.exists()
