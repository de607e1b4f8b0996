"""``GET /v1/auditrecords`` (and ``/{id}``): Partner Center's collection shape, scoped to the partner."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from audit.models import AuditEvent
from partners.choices import PartnerCenterRole
from tests.api.conftest import client_for, make_partner_world
from tests.factories import UserFactory

URL = "/v1/auditrecords"
BASE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def event(partner, *, minutes=0, **fields):
    return AuditEvent.objects.create(
        occurred_at=BASE + timedelta(minutes=minutes),
        partner_id=partner.pk,
        action=fields.pop("action", "servicerequest.updated"),
        **fields,
    )


@pytest.fixture
def api(world):
    return client_for(world.admin)


def test_shape_of_one_record(api, world):
    filed = event(
        world.partner,
        action="servicerequest.filed",
        actor_id=world.admin.pk,
        actor_name=world.admin.username,
        customer_id=world.customer.pk,
        object_type="servicerequests.ServiceRequest",
        object_id="616122292874576",
        after={"status": "none", "workload": "m365"},
        request_id="0f8fad5b-d9cb-469f-a165-70867728950e",
        correlation_id="5c1e5c6f-2b1d-4a9e-9a5e-0f1e2d3c4b5a",
        ip_address="203.0.113.7",
    )
    body = api.get(URL).json()
    assert body["totalCount"] == 1
    assert body["attributes"] == {"objectType": "Collection"}
    assert body["links"]["self"] == {
        "uri": "/v1/auditrecords?offset=0&size=50",
        "method": "GET",
        "headers": [],
    }
    assert body["items"] == [
        {
            "id": str(filed.pk),
            "partnerId": str(world.partner.pk),
            "customerId": str(world.customer.pk),
            "customerName": world.customer.name,
            "userPrincipalName": world.admin.username,
            "applicationId": "",
            "resourceType": "service_request",
            "resourceOldValue": None,
            "resourceNewValue": json.dumps({"status": "none", "workload": "m365"}, separators=(",", ":")),
            "operationType": "servicerequest.filed",
            "operationStatus": "succeeded",
            "operationDate": "2026-03-01T12:00:00Z",
            "originalCorrelationId": "5c1e5c6f-2b1d-4a9e-9a5e-0f1e2d3c4b5a",
            "customizedData": [
                {"key": "Action", "value": "servicerequest.filed"},
                {"key": "ObjectType", "value": "servicerequests.ServiceRequest"},
                {"key": "ResourceId", "value": "616122292874576"},
                {"key": "RequestId", "value": "0f8fad5b-d9cb-469f-a165-70867728950e"},
                {"key": "IpAddress", "value": "203.0.113.7"},
            ],
            "attributes": {"objectType": "AuditRecord"},
        }
    ]
    assert api.get(f"{URL}/{filed.pk}").json() == body["items"][0]


def test_a_refusal_is_a_failed_operation(api, world):
    event(world.partner, action="servicerequest.filing_denied")
    assert api.get(URL).json()["items"][0]["operationStatus"] == "failed"


def test_another_partners_events_never_appear(api, world):
    other = make_partner_world("Tailspin")
    theirs = event(other.partner, action="servicerequest.filed")
    mine = event(world.partner)
    assert [item["id"] for item in api.get(URL).json()["items"]] == [str(mine.pk)]
    assert api.get(f"{URL}/{theirs.pk}").status_code == 404


def test_paging_with_size_and_offset_newest_first(api, world):
    events = [event(world.partner, minutes=n) for n in range(5)]
    body = api.get(URL, {"size": 2, "offset": 2}).json()
    assert body["totalCount"] == 2
    assert [item["id"] for item in body["items"]] == [str(events[2].pk), str(events[1].pk)]
    assert body["links"]["next"]["uri"] == "/v1/auditrecords?offset=4&size=2"


@pytest.mark.parametrize(
    ("params", "expected_minutes"),
    [
        ({"startDate": "2026-03-02"}, [1441]),
        ({"endDate": "2026-03-01"}, [5, 0]),
        ({"startDate": "2026-03-01T12:03:00Z", "endDate": "2026-03-02T00:00:00Z"}, [5]),
        ({"startDate": "2026-03-01T12:00:00", "endDate": "2026-03-01T12:05:00+00:00"}, [0]),
    ],
)
def test_date_range(api, world, params, expected_minutes):
    by_minute = {m: event(world.partner, minutes=m) for m in (0, 5, 1441)}
    body = api.get(URL, params).json()
    assert [item["id"] for item in body["items"]] == [str(by_minute[m].pk) for m in expected_minutes]


@pytest.mark.parametrize(
    ("params", "data"),
    [
        (
            {"startDate": "yesterday"},
            [{"field": "startDate", "reason": "'yesterday' is not an ISO 8601 date or date-time"}],
        ),
        (
            {"startDate": "2026-03-05", "endDate": "2026-03-01"},
            [{"field": "endDate", "reason": "must be after startDate"}],
        ),
        ({"size": "0"}, [{"field": "size", "reason": "must be between 1 and 500."}]),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(api, params, data):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert response.json()["data"] == data


def test_query_count_does_not_grow_with_the_page(api, world, django_assert_max_num_queries):
    for n in range(40):
        event(world.partner, minutes=n, customer_id=world.customer.pk)
    with django_assert_max_num_queries(8):
        assert len(api.get(URL, {"size": 40}).json()["items"]) == 40


@pytest.mark.parametrize("role", [PartnerCenterRole.SALES_AGENT, PartnerCenterRole.HELPDESK_AGENT])
def test_other_roles_get_403(world, role):
    response = client_for(UserFactory(partner=world.partner, roles=[role])).get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == 2032


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"Field": "CompanyName", "Value": "fabrik", "Operator": "substring"}, ["filed"]),
        ({"Field": "CompanyName", "Value": "Northwind", "Operator": "starts_with"}, ["other"]),
        ({"Field": "CustomerId", "Value": "{customer}", "Operator": "equals"}, ["filed"]),
        ({"Field": "CustomerId", "Value": "{customer}", "Operator": "not_equals"}, ["token", "other"]),
        ({"Field": "ResourceType", "Value": "service_request", "Operator": "equals"}, ["filed", "other"]),
        ({"Field": "ResourceType", "Value": "APPLICATION_CREDENTIAL", "Operator": "equals"}, ["token"]),
        (
            {
                "LeftFilter": {"Field": "ResourceType", "Value": "service_request", "Operator": "equals"},
                "RightFilter": {"Field": "CompanyName", "Value": "north", "Operator": "substring"},
                "Operator": "and",
            },
            ["other"],
        ),
    ],
)
def test_partner_center_filter(api, world, spec, expected):
    """``filter`` on the fields of Partner Center's ``AuditRecordSearchField``."""
    northwind = world.other_customer
    northwind.name = "Northwind Traders"
    northwind.save()
    ids = {
        "filed": event(
            world.partner,
            minutes=3,
            customer_id=world.customer.pk,
            object_type="servicerequests.ServiceRequest",
        ).pk,
        "token": event(world.partner, minutes=2, object_type="partnercenter.ApiToken").pk,
        "other": event(
            world.partner, minutes=1, customer_id=northwind.pk, object_type="servicerequests.ServiceRequest"
        ).pk,
    }
    raw = json.dumps(spec).replace("{customer}", str(world.customer.pk))
    response = api.get(URL, {"filter": raw})
    assert response.status_code == 200, response.content
    names = {str(pk): name for name, pk in ids.items()}
    assert [names[item["id"]] for item in response.json()["items"]] == expected


@pytest.mark.parametrize(
    ("spec", "part"),
    [
        ({"Field": "Action", "Value": "x", "Operator": "equals"}, "filter.Field"),
        ({"Field": "CustomerId", "Value": "x", "Operator": "substring"}, "filter.Operator"),
        ({"Field": "CustomerId", "Value": "not-a-guid", "Operator": "equals"}, "filter.Value"),
        ({"Field": "ResourceType", "Value": "order", "Operator": "equals"}, "filter.Value"),
    ],
)
def test_bad_filters_are_400_naming_the_part(api, spec, part):
    response = api.get(URL, {"filter": json.dumps(spec)})
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["data"]] == [part]
