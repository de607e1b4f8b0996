"""Partner Center's query syntax on the service request lists: ``filter=`` as JSON, the form the
official SDK and PowerShell module send; each operator, combinations, and bad filters named."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from servicerequests.models import ServiceRequest
from tests.factories import ServiceRequestFactory

from .test_servicerequests import make_requests

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def rows(world):
    """Four of the partner's requests and one of another partner's (never listed)."""
    specs = [
        ("Mail delayed", "open", "critical", 5),
        ("Mailbox full", "closed", "moderate", 4),
        ("VPN down", "attention_needed", "minimal", 3),
        ("Teams calls drop", "open", "minimal", 1),
    ]
    made = {}
    for title, status, severity, days_ago in specs:
        closed_at = NOW if status == "closed" else None
        [request] = make_requests(
            world, 1, title=title, status=status, severity=severity, closed_at=closed_at
        )
        ServiceRequest.objects.filter(pk=request.pk).update(created_at=NOW - timedelta(days=days_ago))
        made[title] = request.pk
    ServiceRequestFactory(partner=world.other_partner, customer=world.other_customer, title="Mail x")
    return made


def titles(api, spec, path="/v1/servicerequests") -> list[str]:
    response = api.get(path, {"filter": json.dumps(spec), "size": 50})
    assert response.status_code == 200, response.content
    return sorted(item["title"] for item in response.json()["items"])


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"Field": "Status", "Value": "Open", "Operator": "equals"}, ["Mail delayed", "Teams calls drop"]),
        ({"Field": "Status", "Value": "Open", "Operator": "not_equals"}, ["Mailbox full", "VPN down"]),
        ({"Field": "Status", "Value": "AttentionNeeded", "Operator": "equals"}, ["VPN down"]),
        ({"Field": "Status", "Value": "2", "Operator": "equals"}, ["Mailbox full"]),  # Closed = 2
        ({"field": "severity", "value": "critical", "operator": "EQUALS"}, ["Mail delayed"]),
        ({"Field": "Title", "Value": "mail", "Operator": "substring"}, ["Mail delayed", "Mailbox full"]),
        ({"Field": "Title", "Value": "Mailbox", "Operator": "starts_with"}, ["Mailbox full"]),
        (
            {"Field": "Title", "Value": "Mail", "Operator": "not_starts_with"},
            ["Teams calls drop", "VPN down"],
        ),
        ({"Field": "Title", "Value": "VPN down", "Operator": "equals"}, ["VPN down"]),
        (
            {
                "Field": "CreatedDate",
                "Value": (NOW - timedelta(days=4)).isoformat(),
                "Operator": "greater_than",
            },
            ["Teams calls drop", "VPN down"],
        ),
        (
            {
                "Field": "CreatedDate",
                "Value": (NOW - timedelta(days=4)).isoformat(),
                "Operator": "greater_than_or_equals",
            },
            ["Mailbox full", "Teams calls drop", "VPN down"],
        ),
        (
            {"Field": "CreatedDate", "Value": (NOW - timedelta(days=4)).isoformat(), "Operator": "less_than"},
            ["Mail delayed"],
        ),
        (
            {
                "Field": "CreatedDate",
                "Value": (NOW - timedelta(days=4)).isoformat(),
                "Operator": "less_than_or_equals",
            },
            ["Mail delayed", "Mailbox full"],
        ),
        (
            {
                "LeftFilter": {"Field": "Status", "Value": "Open", "Operator": "equals"},
                "RightFilter": {"Field": "Severity", "Value": "Minimal", "Operator": "equals"},
                "Operator": "and",
            },
            ["Teams calls drop"],
        ),
        (
            {
                "LeftFilter": {"Field": "Status", "Value": "Closed", "Operator": "equals"},
                "RightFilter": {"Field": "Severity", "Value": "Critical", "Operator": "equals"},
                "Operator": "or",
            },
            ["Mail delayed", "Mailbox full"],
        ),
    ],
)
def test_each_operator_filters_as_partner_center_does(api, rows, spec, expected):
    assert titles(api, spec) == expected


def test_the_customers_list_takes_it_too_and_it_combines_with_the_simple_parameters(api, world, rows):
    spec = {"Field": "Status", "Value": "Open", "Operator": "equals"}
    assert titles(api, spec, f"/v1/customers/{world.customer.pk}/servicerequests") == [
        "Mail delayed",
        "Teams calls drop",
    ]
    response = api.get("/v1/servicerequests", {"filter": json.dumps(spec), "severity": "critical"})
    assert [item["title"] for item in response.json()["items"]] == ["Mail delayed"]


def test_the_id_field(api, rows):
    request_id = rows["VPN down"]
    assert titles(api, {"Field": "Id", "Value": request_id, "Operator": "equals"}) == ["VPN down"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("{not json", "filter: is not valid JSON"),
        ("[1, 2]", "filter: must be a JSON object"),
        (
            json.dumps({"Field": "Workload", "Value": "m365", "Operator": "equals"}),
            "filter.Field: 'Workload' is not a field this list filters "
            "(one of Status, Severity, CreatedDate, LastModifiedDate, Title, Id)",
        ),
        (
            json.dumps({"Field": "Status", "Value": "Open", "Operator": "like"}),
            "filter.Operator: 'like' does not apply to Status (one of equals, not_equals)",
        ),
        (
            json.dumps({"Field": "Status", "Value": "Open", "Operator": "greater_than"}),
            "filter.Operator: 'greater_than' does not apply to Status (one of equals, not_equals)",
        ),
        (
            json.dumps({"Field": "Status", "Value": "Pending", "Operator": "equals"}),
            "filter.Value: Status: 'Pending' is not one of None, Open, Closed, AttentionNeeded",
        ),
        (
            json.dumps({"Field": "CreatedDate", "Value": "yesterday", "Operator": "greater_than"}),
            "filter.Value: CreatedDate: 'yesterday' is not an ISO 8601 date or date and time",
        ),
        (
            json.dumps({"Field": "Title", "Value": "a\x00b", "Operator": "substring"}),
            "filter.Value: Title: null characters (\\x00) are not allowed",
        ),
        (
            json.dumps(
                {
                    "LeftFilter": {"Field": "Status", "Value": "Open", "Operator": "equals"},
                    "RightFilter": {"Field": "Severity", "Value": "Minimal", "Operator": "equals"},
                    "Operator": "xor",
                }
            ),
            "filter.Operator: 'xor': two filters combine with and, or",
        ),
    ],
)
def test_a_bad_filter_is_a_400_naming_what_is_wrong(api, rows, raw, reason):
    response = api.get("/v1/servicerequests", {"filter": raw})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 3000
    part, _, why = reason.partition(": ")
    assert body["data"] == [{"field": part, "reason": why}]
