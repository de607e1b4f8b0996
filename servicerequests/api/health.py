"""``/v1/customers/{tenantId}/serviceincidents/office``: service health under HEALTH-BEFORE-ESCALATION."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema

from core.api.errors import ApiError
from core.api.schema import TENANT_ID_PARAMETER, errors
from core.api.views import PartnerCenterApiView
from customers.api import examples
from customers.api.mixins import CustomerScopedMixin
from customers.api.serializers import ServiceHealthIssueSerializer
from customers.selectors import service_health_issues

from ..health import health_view_denial

RESOLVED_PARAMETER = OpenApiParameter(
    "resolved",
    bool,
    OpenApiParameter.QUERY,
    description="true: resolved issues only; false: open issues only.",
)


class ServiceIncidentListApi(CustomerScopedMixin, PartnerCenterApiView):
    """GET /v1/customers/{tenantId}/serviceincidents/office (HEALTH-BEFORE-ESCALATION)."""

    serializer_class = ServiceHealthIssueSerializer

    @extend_schema(
        operation_id="customer_service_incidents",
        summary="Service health issues that concern this customer",
        parameters=[TENANT_ID_PARAMETER, RESOLVED_PARAMETER],
        responses={200: ServiceHealthIssueSerializer(many=True), **errors(400, 403, 404)},
        examples=[examples.SERVICE_INCIDENTS],
        tags=["customers"],
    )
    def get(self, request, tenant_id):
        customer = self.get_customer()
        denial = health_view_denial(user=request.user, customer=customer)
        if denial:
            raise ApiError("permission_denied", "Access denied: HEALTH-BEFORE-ESCALATION.", denial)
        resolved = request.query_params.get("resolved", "").lower()
        if resolved not in ("", "true", "false"):
            raise ApiError(
                "validation",
                "Invalid property: resolved.",
                [{"field": "resolved", "reason": "must be true or false"}],
            )
        queryset = service_health_issues(customer=customer, open_only=False).order_by("-start_at", "id")
        if resolved:
            queryset = queryset.filter(is_resolved=resolved == "true")
        return self.paginated_response(queryset, ServiceHealthIssueSerializer)
