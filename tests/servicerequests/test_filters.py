"""The one filter definition of service requests: its OpenAPI parameters, its parsing and its
meaning (the list page, the API and the queues share ``service_request_condition``)."""

from __future__ import annotations

import pytest
import yaml
from django.http import QueryDict

from servicerequests.filters import (
    DEFAULT_ORDER_BY,
    ORDER_BY,
    ServiceRequestFilterSet,
    service_request_condition,
)
from servicerequests.models import ServiceRequest
from tests.factories import PartnerFactory, ServiceRequestFactory


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/v1/servicerequests", "/v1/customers/{tenant_id}/servicerequests"])
def test_the_openapi_document_shows_typed_enum_parameters(client, url):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    parameters = {p["name"]: p for p in schema["paths"][url]["get"]["parameters"]}
    for name, values in {
        "status": {"none", "open", "closed", "attention_needed"},
        "severity": {"critical", "moderate", "minimal"},
        "workload": {"azure", "m365", "dynamics", "ems", "marketplace"},
        "slaState": {"ok", "breaching_soon", "breached"},
    }.items():
        parameter = parameters[name]
        assert parameter["schema"]["type"] == "array"
        assert set(parameter["schema"]["items"]["enum"]) == values
        assert (parameter["style"], parameter["explode"]) == ("form", False)  # comma-separated
    assert set(parameters["orderBy"]["schema"]["enum"]) == set(ORDER_BY)
    assert parameters["customerId"]["schema"] == {"type": "string", "format": "uuid"}
    assert parameters["slaBreached"]["schema"] == {"type": "boolean"}
    assert parameters["unassigned"]["schema"] == {"type": "boolean"}


def _filterset(query: str, **kwargs) -> ServiceRequestFilterSet:
    return ServiceRequestFilterSet(QueryDict(query), queryset=ServiceRequest.objects.none(), **kwargs)


@pytest.mark.parametrize(
    ("query", "status"),
    [("status=1", ["open"]), ("status=01,closed", ["open", "closed"]), ("status=", [])],
)
def test_status_accepts_the_real_apis_integers(query, status):
    filterset = _filterset(query)
    assert filterset.is_valid()
    assert filterset.form.cleaned_data["status"] == status


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("status=open,", ("status", "'' is not one of none, open, closed, attention_needed")),
        ("severity=9&orderBy=title", ("severity", "'9' is not one of critical, moderate, minimal")),
        ("slaState=,", ("slaState", "must be one of ok, breaching_soon, breached")),
        ("unassigned=maybe&q=x", ("unassigned", "must be true or false")),
        ("orderBy=title", ("orderBy", f"must be one of {', '.join(ORDER_BY)}")),
        ("customerId=nope", ("customerId", "must be a tenant id (GUID)")),
    ],
)
def test_the_first_bad_parameter_is_named_with_its_reason(query, error):
    assert _filterset(query).first_error() == error
    assert _filterset(query, only_given=True).first_error() == error  # the API's filter set


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["", "size=50&offset=10", "status=open", "severity=1&q=disk&orderBy=-lastModifiedDate"]
)
def test_only_the_given_parameters_are_built_and_they_filter_alike(query):
    """The API builds and validates only the filters its query string names; the rows and their
    order are those of the whole filter set."""
    partner = PartnerFactory()
    ServiceRequestFactory(partner=partner, status="open", severity="critical", title="Disk full")
    ServiceRequestFactory(partner=partner, status="open", severity="minimal", title="Disk")
    ServiceRequestFactory(partner=partner, status="none", severity="critical", title="Mail")
    scoped = ServiceRequest.objects.filter(partner=partner)
    given = ServiceRequestFilterSet(QueryDict(query), queryset=scoped, only_given=True)
    whole = ServiceRequestFilterSet(QueryDict(query), queryset=scoped)
    assert set(given.filters) == set(QueryDict(query)) & set(whole.filters)
    # Only those are copied from the class, whose own filters stay whole and unshared.
    assert set(ServiceRequestFilterSet.base_filters) == set(whole.filters)
    assert all(f is not ServiceRequestFilterSet.base_filters[name] for name, f in given.filters.items())
    assert list(given.qs) == list(whole.qs)
    assert given.qs.query.order_by == whole.qs.query.order_by


@pytest.mark.django_db
def test_the_filter_set_and_the_condition_agree():
    partner = PartnerFactory()
    hit = ServiceRequestFactory(partner=partner, status="open", severity="critical", title="Disk full")
    ServiceRequestFactory(
        partner=partner, status="closed", closed_at="2026-01-01T00:00:00Z", severity="critical", title="Disk"
    )
    ServiceRequestFactory(partner=partner, status="open", severity="minimal", title="Disk full")
    scoped = ServiceRequest.objects.filter(partner=partner)
    filterset = ServiceRequestFilterSet(
        QueryDict("status=open&severity=1&q=disk&assignedTo=none"), queryset=scoped
    )
    condition = service_request_condition(
        statuses=["open"], severities=["critical"], text="disk", unassigned=True
    )
    assert list(filterset.qs) == list(scoped.filter(condition)) == [hit]
    assert filterset.qs.query.order_by == ORDER_BY[DEFAULT_ORDER_BY]
