"""Service health of a customer under HEALTH-BEFORE-ESCALATION, in two shapes.

Both report the Microsoft 365 family's incidents (Microsoft 365, Enterprise Mobility + Security,
Dynamics 365): Azure's incidents are Azure Service Health's, shown in the browser only.

- ``/v1/customers/{tenantId}/serviceincidents/office``: Partner Center's collection of
  ``ServiceIncidents`` (one item per workload: its incidents and cumulative status), filtered with
  Partner Center's ``filter`` on ``Resolved``; ``resolved=true|false`` is this portal's shorthand.
- ``/graph/v1.0/admin/serviceAnnouncement/issues``: Microsoft Graph's ``serviceHealthIssue``
  collection of one tenant (the customer-side user's own; a partner's user names the customer's
  tenant with ``tenantId``, since this portal's tokens are issued per user, not per tenant).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from core.api.errors import ApiError
from core.api.graph import GraphApiView, GraphError, graph_collection
from core.api.pagination import collection, link
from core.api.pcfilter import FilterField, FilterInvalid, pc_filter_q
from core.api.schema import TENANT_ID_PARAMETER, errors
from core.api.views import PartnerCenterApiView
from customers.api import examples
from customers.api.mixins import CustomerScopedMixin
from customers.api.serializers import (
    ServiceHealthIssueSerializer,
    ServiceIncidentsCollectionSerializer,
    ServiceIncidentsSerializer,
    service_incidents_by_workload,
)
from customers.choices import Workload
from customers.models import Customer
from customers.selectors import customer_get, service_health_issues

from ..health import health_view_denial

RESOLVED_PARAMETER = OpenApiParameter(
    "resolved",
    bool,
    OpenApiParameter.QUERY,
    description="This portal's shorthand for the Resolved filter: true, resolved incidents only; "
    "false, open ones only.",
)


def _boolean_value(value) -> bool:
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise ValueError(f"{value!r} is not true or false")
    return text == "true"


#: The incident fields Partner Center's ``filter`` may name (its ``ServiceIncidentSearchField``).
INCIDENT_FILTER_FIELDS = {"Resolved": FilterField("is_resolved", ("equals", "not_equals"), _boolean_value)}

INCIDENT_FILTER_PARAMETER = OpenApiParameter(
    "filter",
    str,
    OpenApiParameter.QUERY,
    description="Partner Center's query syntax: "
    '{"Field": "Resolved", "Value": "false", "Operator": "equals"} (open incidents only).',
    examples=[
        OpenApiExample("Open incidents", value='{"Field":"Resolved","Value":"false","Operator":"equals"}')
    ],
)


#: The workloads whose incidents Microsoft 365 service health reports (``/serviceincidents/office``
#: and Graph's ``serviceAnnouncement``); Azure's are in Azure Service Health, not here.
MICROSOFT_365_HEALTH_WORKLOADS = (Workload.M365, Workload.EMS, Workload.DYNAMICS)


def _issues(customer: Customer):
    return service_health_issues(customer=customer, open_only=False).filter(
        workload__in=MICROSOFT_365_HEALTH_WORKLOADS
    )


def _invalid(part: str, reason: str) -> ApiError:
    return ApiError("validation", f"Invalid property: {part}.", [{"field": part, "reason": reason}])


class ServiceIncidentListApi(CustomerScopedMixin, PartnerCenterApiView):
    """GET /v1/customers/{tenantId}/serviceincidents/office (HEALTH-BEFORE-ESCALATION)."""

    serializer_class = ServiceIncidentsSerializer
    pagination_class = None

    @extend_schema(
        operation_id="customer_service_incidents",
        summary="Service incidents that concern this customer, per workload",
        parameters=[TENANT_ID_PARAMETER, INCIDENT_FILTER_PARAMETER, RESOLVED_PARAMETER],
        responses={200: ServiceIncidentsCollectionSerializer, **errors(400, 403, 404)},
        examples=[examples.SERVICE_INCIDENTS],
        tags=["customers"],
    )
    def get(self, request, tenant_id):
        customer = self.get_customer()
        denial = health_view_denial(user=request.user, customer=customer)
        if denial:
            raise ApiError("permission_denied", "Access denied: HEALTH-BEFORE-ESCALATION.", denial)
        queryset = _issues(customer).order_by("-start_at", "id")
        raw = request.query_params.get("filter")
        if raw:
            try:
                queryset = queryset.filter(pc_filter_q(raw, INCIDENT_FILTER_FIELDS))
            except FilterInvalid as exc:
                raise _invalid(exc.part, exc.reason) from None
        resolved = request.query_params.get("resolved", "").lower()
        if resolved not in ("", "true", "false"):
            raise _invalid("resolved", "must be true or false")
        if resolved:
            queryset = queryset.filter(is_resolved=resolved == "true")
        items = ServiceIncidentsSerializer(service_incidents_by_workload(queryset), many=True).data
        return Response(collection(list(items), links={"self": link(request.get_full_path())}))


GRAPH_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"error": {"code", "message", "innerError": {"request-id", "date"}}}'
)
GRAPH_TENANT_PARAMETER = OpenApiParameter(
    "tenantId",
    str,
    OpenApiParameter.QUERY,
    description="The customer's tenant id: needed by a partner's user (Graph would take it from a token "
    "issued for the customer's tenant); a customer-side user's own tenant when absent.",
)


class ServiceAnnouncementIssueListApi(GraphApiView):
    """GET /graph/v1.0/admin/serviceAnnouncement/issues: Graph ``serviceHealthIssue`` items of one
    tenant. A partner's user needs HEALTH-BEFORE-ESCALATION in that customer (403 otherwise); a
    customer it can't see, or another tenant than a customer-side user's own, is a 404."""

    @extend_schema(
        operation_id="serviceAnnouncement_issues_list",
        summary="Service health issues of a tenant (Graph serviceHealthIssue)",
        tags=["Graph: service health"],
        parameters=[
            GRAPH_TENANT_PARAMETER,
            OpenApiParameter("$top", int, description="Page size (1–999, default 100)."),
            OpenApiParameter("$skiptoken", str, description="Opaque paging token from @odata.nextLink."),
        ],
        responses={
            200: OpenApiResponse(
                inline_serializer(
                    name="ServiceHealthIssueCollection",
                    fields={
                        "@odata.context": serializers.CharField(),
                        "value": ServiceHealthIssueSerializer(many=True),
                        "@odata.nextLink": serializers.CharField(required=False),
                    },
                ),
                description='{"@odata.context", "value": [serviceHealthIssue], "@odata.nextLink"}',
            ),
            400: GRAPH_ERROR,
            401: GRAPH_ERROR,
            403: GRAPH_ERROR,
            404: GRAPH_ERROR,
        },
    )
    def get(self, request):
        customer = self._customer(request)
        if request.user.customer_id is None:
            denial = health_view_denial(user=request.user, customer=customer)
            if denial:
                raise GraphError(403, "Forbidden", f"HEALTH-BEFORE-ESCALATION: {denial[0]['reason']}")
        return graph_collection(
            request,
            _issues(customer),
            ordering=("start_at", "id"),
            serialize=lambda rows: ServiceHealthIssueSerializer(rows, many=True).data,
            entity_set="admin/serviceAnnouncement/issues",
        )

    def _customer(self, request) -> Customer:
        raw = request.query_params.get("tenantId", "").strip()
        own = request.user.customer_id
        if not raw:
            if own is None:
                raise GraphError(
                    400, "BadRequest", "tenantId is required: name the customer's tenant.", "tenantId"
                )
            raw = str(own)
        try:
            return customer_get(actor=request.user, customer_id=raw)
        except (Customer.DoesNotExist, DjangoValidationError, ValueError):
            raise GraphError(
                404, "Request_ResourceNotFound", f"No tenant {raw} is visible to you.", "tenantId"
            ) from None
