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


class _Shared(_Planned):
    """The same fields, planned once per class; a method field reading the instance's context."""

    shared_representation_plan = True
    caller = serializers.SerializerMethodField()

    class Meta(_Planned.Meta):
        fields = [*_Planned.Meta.fields, "caller"]

    def get_caller(self, sr) -> str:
        return self.context.get("caller", "")


class _SharedChild(_Shared):
    severityName = serializers.SerializerMethodField()

    def get_severityName(self, sr) -> str:
        return f"child {sr.severity}"


def test_a_shared_plan_is_made_once_per_class_and_builds_no_fields_per_instance():
    rows = _rows()
    assert _Shared(rows[0]).data["title"] == rows[0].title  # makes the class's plan
    first, second = _Shared(rows[1], context={"caller": "a"}), _Shared(rows[1], context={"caller": "b"})
    assert first.data["caller"] == "a" and second.data["caller"] == "b"  # each instance's own context
    assert "fields" not in first.__dict__ and "fields" not in second.__dict__  # no per-instance fields
    expected = _Declared(rows[1]).data
    assert {k: v for k, v in first.data.items() if k != "caller"} == expected
    # A subclass makes its own plan (its own fields), not its parent's.
    assert _SharedChild(rows[1]).data["severityName"] == f"child {rows[1].severity}"
    assert _Shared(rows[1]).data["severityName"] == expected["severityName"]


def test_a_shared_plan_writes_date_times_in_the_time_zone_active_for_each_instance():
    row = _rows()[1]
    assert _Shared(row).data["createdDate"].endswith("Z")  # the class's plan, made under UTC
    with timezone.override(zoneinfo.ZoneInfo("America/Sao_Paulo")):
        shared = _Shared(row).data
        declared = _Declared(row).data
    assert shared["createdDate"] == declared["createdDate"]
    assert not shared["createdDate"].endswith("Z")


def test_the_service_request_serializers_share_their_plan():
    row = _rows()[0]
    for serializer_class in (ServiceRequestSummarySerializer, FiledServiceRequestSerializer):
        serializer = serializer_class(row)
        assert serializer.data["title"] == row.title
        assert "fields" not in serializer.__dict__


def test_the_assignee_is_written_as_drf_writes_it():
    from servicerequests.api.serializers import AssigneeSerializer

    named, unnamed = UserFactory(first_name="Ana", last_name="Lima"), UserFactory(first_name="", last_name="")
    for user in (named, unnamed):
        planned = AssigneeSerializer(user).data
        assert planned == serializers.Serializer.to_representation(AssigneeSerializer(user), user)
        assert list(planned) == ["id", "userName", "displayName"]
    assert AssigneeSerializer(named).data == {
        "id": named.pk,
        "userName": named.username,
        "displayName": "Ana Lima",
    }
    assert AssigneeSerializer(unnamed).data["displayName"] == unnamed.username
