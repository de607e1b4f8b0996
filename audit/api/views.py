"""``GET /v1/auditrecords`` and ``GET /v1/auditrecords/{id}``: the caller's partner's audit events.

Readable by the partner's admin agents and support managers (others: 403). Scoped by
``audit.selectors.audit_event_list``: another partner's event never appears, and its id is a 404.
"""

from __future__ import annotations

import uuid

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api.errors import ApiError
from core.api.pcfilter import FilterField, FilterInvalid, pc_filter_q, text_value
from core.api.schema import X_EXTENSION, errors
from core.api.views import PartnerCenterApiView
from customers.models import Customer

from ..selectors import AuditFilters, audit_event_list, audit_log_visible, parse_instant
from .serializers import RESOURCE_TYPES, AuditRecordSerializer

AUDIT_RECORD_EXAMPLE = OpenApiExample(
    "Audit record",
    response_only=True,
    value={
        "id": "4711",
        "partnerId": "6f1c2a4e-8d5b-4c1a-9e2f-3a4b5c6d7e8f",
        "customerId": "0b5e8c1d-2f3a-4b5c-8d7e-9f0a1b2c3d4e",
        "customerName": "Fabrikam",
        "userPrincipalName": "alice",
        "applicationId": "",
        "resourceType": "service_request",
        "resourceOldValue": None,
        "resourceNewValue": '{"severity":"critical","status":"none","workload":"m365"}',
        "operationType": "servicerequest.filed",
        "operationStatus": "succeeded",
        "operationDate": "2026-03-01T10:15:30.123456Z",
        "originalCorrelationId": "5c1e5c6f-2b1d-4a9e-9a5e-0f1e2d3c4b5a",
        "customizedData": [
            {"key": "Action", "value": "servicerequest.filed"},
            {"key": "ObjectType", "value": "servicerequests.ServiceRequest"},
            {"key": "ResourceId", "value": "616122292874576"},
        ],
        "attributes": {"objectType": "AuditRecord"},
    },
)


class _AuditApi(PartnerCenterApiView):
    selector = staticmethod(audit_event_list)
    serializer_class = AuditRecordSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not audit_log_visible(actor=request.user):
            raise PermissionDenied(
                _("Only the partner's admin agents and support managers can read audit records.")
            )

    def _context(self, events) -> dict:
        ids = {e.customer_id for e in events if e.customer_id}
        names = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
        return {"customer_names": names}


def _company_condition(lookup: str, value: str) -> Q:
    return Q(customer_id__in=Customer.objects.filter(**{f"name__{lookup}": value}).values("pk"))


def _customer_id_value(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a customer id (GUID)") from None


def _resource_type_value(value) -> list[str]:
    """The object types of a ``resourceType`` as the records write it (``service_request``, …)."""
    wanted = text_value(value).lower()
    object_types = [object_type for object_type, name in RESOURCE_TYPES.items() if name == wanted]
    if not object_types:
        raise ValueError(f"{value!r} is not one of {', '.join(sorted(set(RESOURCE_TYPES.values())))}")
    return object_types


def _resource_type_condition(lookup: str, object_types: list[str]) -> Q:
    return Q(object_type__in=object_types)


#: The audit record fields Partner Center's ``filter`` may name (its ``AuditRecordSearchField``).
AUDIT_FILTER_FIELDS = {
    "CompanyName": FilterField(
        "customer_id", ("substring", "equals", "starts_with"), text_value, _company_condition
    ),
    "CustomerId": FilterField("customer_id", ("equals", "not_equals"), _customer_id_value),
    "ResourceType": FilterField(
        "object_type", ("equals", "not_equals"), _resource_type_value, _resource_type_condition
    ),
}


def _pc_filter(queryset, raw: str | None):
    if not raw:
        return queryset
    try:
        return queryset.filter(pc_filter_q(raw, AUDIT_FILTER_FIELDS))
    except FilterInvalid as exc:
        raise ApiError(
            "validation", f"Invalid property: {exc.part}.", [{"field": exc.part, "reason": exc.reason}]
        ) from None


def _date_filters(params) -> AuditFilters:
    filters = AuditFilters()
    problems = []
    for name, attribute, end in (("startDate", "start", False), ("endDate", "end", True)):
        raw = params.get(name)
        if raw:
            try:
                setattr(filters, attribute, parse_instant(raw, end=end))
            except ValueError as exc:
                problems.append({"field": name, "reason": str(exc)})
    if not problems and filters.start and filters.end and filters.end <= filters.start:
        problems.append({"field": "endDate", "reason": "must be after startDate"})
    if problems:
        fields = ", ".join(p["field"] for p in problems)
        raise ApiError("validation", f"Invalid property: {fields}.", problems)
    return filters


class AuditRecordListApi(_AuditApi):
    """GET /v1/auditrecords."""

    @extend_schema(
        operation_id="auditrecords_list",
        summary="The partner's audit records, newest first",
        parameters=[
            OpenApiParameter(
                "startDate", str, description="ISO 8601 date or date-time (UTC when no offset); inclusive."
            ),
            OpenApiParameter(
                "endDate",
                str,
                description="ISO 8601 date (that whole day is included) or date-time (exclusive).",
            ),
            OpenApiParameter(
                "filter",
                str,
                description="Partner Center's query syntax: "
                '{"Field": "CompanyName", "Value": "fab", "Operator": "substring"}; also CustomerId '
                "(equals, not_equals; a GUID) and ResourceType (equals, not_equals; e.g. service_request).",
                examples=[
                    OpenApiExample(
                        "By company name",
                        value='{"Field":"CompanyName","Value":"fab","Operator":"substring"}',
                    )
                ],
            ),
        ],
        responses={200: AuditRecordSerializer(many=True), **errors(400, 403)},
        examples=[AUDIT_RECORD_EXAMPLE],
        tags=["audit"],
    )
    def get(self, request):
        queryset = _date_filters(request.query_params).apply(self.get_queryset())
        queryset = _pc_filter(queryset, request.query_params.get("filter"))
        page = self.paginate_queryset(queryset)
        serializer = AuditRecordSerializer(page, many=True, context=self._context(page))
        return self.get_paginated_response(serializer.data)


class AuditRecordDetailApi(_AuditApi):
    """GET /v1/auditrecords/{id} (the ``auditUri`` of webhook events)."""

    @extend_schema(
        operation_id="auditrecords_retrieve",
        extensions=X_EXTENSION,
        summary="One audit record",
        responses={200: AuditRecordSerializer, **errors(403, 404)},
        examples=[AUDIT_RECORD_EXAMPLE],
        tags=["audit"],
    )
    def get(self, request, record_id: int):
        event = self.get_queryset().filter(pk=record_id).first()
        if event is None:
            raise ApiError("not_found", f"Audit record {record_id} was not found.")
        return Response(AuditRecordSerializer(event, context=self._context([event])).data)
