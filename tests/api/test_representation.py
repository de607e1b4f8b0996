"""``core.api.representation``: a serializer written through its plan gives DRF's own output, key
for key and in order, for every kind of field the plan treats differently."""

import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from core.api.representation import PlannedRepresentationMixin, representation_plan
from core.api.serializers import DateOrMinField, ResourceAttributesField
from servicerequests.api.serializers import (
    FiledServiceRequestSerializer,
    ServiceRequestSerializer,
    ServiceRequestSummarySerializer,
)
from servicerequests.models import ServiceRequest
from tests.factories import ServiceRequestFactory, SupportEntitlementFactory, UserFactory

pytestmark = pytest.mark.django_db


class _Assignee(serializers.Serializer):
    userName = serializers.CharField(source="username")


class _Declared(serializers.ModelSerializer):
    """One field of each kind: columns (text, choice, integer, boolean, UUID, date-time, nullable),
    a non-column attribute, a method, a nested serializer, ``source="*"``, a field overriding
    ``get_attribute``, one with its own date format, and a write-only one."""

    createdDate = serializers.DateTimeField(source="created_at")
    createdDay = serializers.DateTimeField(source="created_at", format="%Y-%m-%d")
    slaDueDate = serializers.DateTimeField(source="sla_due_at", allow_null=True)
    closed = DateOrMinField(source="closed_at")
    customerId = serializers.UUIDField(source="customer_id", allow_null=True)
    breached = serializers.BooleanField(source="sla_breached")
    version = serializers.IntegerField()
    severityName = serializers.CharField(source="get_severity_display")
    upper = serializers.SerializerMethodField()
    assignee = _Assignee(source="assigned_to", allow_null=True)
    attributes = ResourceAttributesField("ServiceRequest", etag_source="version")
    secret = serializers.CharField(source="title", write_only=True)

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "title",
            "severity",
            "status",
            "createdDate",
            "createdDay",
            "slaDueDate",
            "closed",
            "customerId",
            "breached",
            "version",
            "severityName",
            "upper",
            "assignee",
            "attributes",
            "secret",
        ]

    def get_upper(self, sr) -> str:
        return sr.title.upper()


class _Planned(PlannedRepresentationMixin, _Declared):
    pass


def _rows():
    return [
        ServiceRequestFactory(),
        ServiceRequestFactory(
            assigned_to=UserFactory(), sla_due_at=timezone.now(), sla_breached=True, closed_at=timezone.now()
        ),
        ServiceRequestFactory(
            customer=None, support_entitlement=SupportEntitlementFactory(), title="Ünïcode <b>"
        ),
    ]


@pytest.mark.parametrize("zone", ["UTC", "America/Sao_Paulo"])
def test_the_plan_writes_what_drf_writes_for_every_kind_of_field(zone):
    rows = _rows()
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        planned = _Planned(rows, many=True).data
        declared = _Declared(rows, many=True).data
    assert [list(item) for item in planned] == [list(item) for item in declared]
    assert planned == declared
    assert "secret" not in planned[0]
    if zone != "UTC":  # the active time zone is read (once per plan), not assumed
        assert not planned[1]["createdDate"].endswith("Z")


def test_columns_are_read_directly_and_the_rest_through_drf():
    kinds = {name: getter for name, getter, _convert, _field in representation_plan(_Planned())}
    direct = {name for name, getter in kinds.items() if getter is not None and callable(getter)}
    assert {"id", "title", "severity", "createdDate", "customerId", "breached", "version"} <= direct
    # Not a column, nested, source="*", or get_attribute overridden: DRF's own two steps.
    assert {kinds[name] for name in ("severityName", "assignee", "attributes", "closed")} == {None}


@pytest.mark.parametrize(
    "serializer_class",
    [ServiceRequestSummarySerializer, ServiceRequestSerializer, FiledServiceRequestSerializer],
)
def test_the_service_request_serializers_write_what_their_fields_write(serializer_class):
    rows = list(ServiceRequest.objects.filter(pk__in=[r.pk for r in _rows()]).order_by("id"))
    for row in rows:
        planned = serializer_class(row).data
        declared = serializers.Serializer.to_representation(serializer_class(row), row)
        assert list(planned) == list(declared)
        assert planned == declared
