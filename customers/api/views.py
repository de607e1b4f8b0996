"""``/v1/customers/...``: customers, subscriptions, support options, managed services, incidents."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.response import Response

from core.api.errors import ApiError
from core.api.pagination import collection, link
from core.api.schema import TENANT_ID_PARAMETER, errors
from core.api.views import PartnerCenterApiView
from customers.choices import SubscriptionStatus, Workload
from customers.models import CustomerDomain, CustomerPartnerRelationship, Subscription
from customers.selectors import customer_list, customer_support_options, service_health_issues
from gdap.choices import RelationshipStatus
from gdap.models import Relationship
from gdap.selectors import effective_roles
from partners.choices import PartnerCenterRole

from . import examples
from .mixins import CustomerScopedMixin
from .serializers import (
    CustomerSerializer,
    ManagedServiceSerializer,
    ServiceHealthIssueSerializer,
    SubscriptionSerializer,
    SupportOptionsSerializer,
)

# The ``filter`` query parameter: Partner Center field name → lookup (operator ``starts_with``).
CUSTOMER_FILTER_FIELDS = {"CompanyName": "company_name", "Domain": "domain"}
CUSTOMER_FILTER_OPERATORS = ("starts_with",)

# HEALTH-BEFORE-ESCALATION: what viewing a customer's service health needs.
HEALTH_VIEW_PC_ROLES = frozenset({PartnerCenterRole.ADMIN_AGENT})
HEALTH_VIEW_CAPABILITY = "service_health"

# Managed services, as data: workload → (service id, name, group, portal key).
MANAGED_SERVICES: tuple[tuple[str, str, str, str, str], ...] = (
    (Workload.AZURE, "Azure", "Microsoft Azure", "Azure", "azure"),
    (Workload.M365, "Office365", "Microsoft 365", "Office", "m365"),
    (Workload.EMS, "EMS", "Enterprise Mobility + Security", "Office", "m365"),
    (Workload.DYNAMICS, "Dynamics365", "Dynamics 365", "Dynamics", "dynamics"),
)


def customer_queryset(*, actor, search: str = ""):
    """The actor's customers with ``relationship_to_partner`` and ``allow_delegated_access``
    annotated and the domains prefetched: three queries for any page, count included."""
    partner_id = getattr(actor, "partner_id", None)
    active_gdap = Relationship.objects.filter(
        partner_id=partner_id,
        customer_id=OuterRef("pk"),
        status=RelationshipStatus.ACTIVE,
        end_at__gt=timezone.now(),
    )
    relationship = CustomerPartnerRelationship.objects.filter(
        partner_id=partner_id, customer_id=OuterRef("pk")
    ).values("relationship")[:1]
    return (
        customer_list(actor=actor, search=search)
        .annotate(relationship_to_partner=Subquery(relationship), allow_delegated_access=Exists(active_gdap))
        .prefetch_related("domains")
    )


def parse_customer_filter(raw: str | None) -> tuple[str, str] | None:
    """``{"Field": "CompanyName"|"Domain", "Value": "...", "Operator": "starts_with"}`` → (field, value)."""
    if not raw:
        return None
    try:
        spec = json.loads(raw)
    except ValueError:
        raise ApiError(
            "validation", "Invalid property: filter.", [{"field": "filter", "reason": "is not valid JSON"}]
        ) from None
    if not isinstance(spec, dict):
        raise ApiError(
            "validation", "Invalid property: filter.", [{"field": "filter", "reason": "must be an object"}]
        )
    spec = {str(k).lower(): v for k, v in spec.items()}
    problems = []
    field = spec.get("field")
    if field not in CUSTOMER_FILTER_FIELDS:
        problems.append(
            {"field": "filter.Field", "reason": f"must be one of {', '.join(CUSTOMER_FILTER_FIELDS)}"}
        )
    operator = str(spec.get("operator", "starts_with")).lower()
    if operator not in CUSTOMER_FILTER_OPERATORS:
        problems.append({"field": "filter.Operator", "reason": "only starts_with is supported"})
    value = spec.get("value")
    if not isinstance(value, str) or not value.strip():
        problems.append({"field": "filter.Value", "reason": "must be a non-empty string"})
    elif "\x00" in value:  # PostgreSQL can't compare text with NUL: a 400, not a 500
        problems.append({"field": "filter.Value", "reason": "null characters (\\x00) are not allowed"})
    if problems:
        raise ApiError("validation", "Invalid property: filter.", problems)
    return CUSTOMER_FILTER_FIELDS[field], value.strip()


FILTER_PARAMETER = OpenApiParameter(
    "filter",
    str,
    OpenApiParameter.QUERY,
    description='JSON: {"Field": "CompanyName" or "Domain", "Value": "...", "Operator": "starts_with"}.',
    examples=[
        OpenApiExample("By name", value='{"Field":"CompanyName","Value":"Fab","Operator":"starts_with"}'),
    ],
)


class CustomerListApi(PartnerCenterApiView):
    """GET /v1/customers."""

    serializer_class = CustomerSerializer

    @extend_schema(
        operation_id="customers_list",
        summary="The partner's customers",
        parameters=[FILTER_PARAMETER],
        responses={200: CustomerSerializer(many=True), **errors(400)},
        examples=[examples.CUSTOMER_LIST],
        tags=["customers"],
    )
    def get(self, request):
        queryset = customer_queryset(actor=request.user)
        parsed = parse_customer_filter(request.query_params.get("filter"))
        if parsed is not None:
            field, value = parsed
            if field == "company_name":
                queryset = queryset.filter(name__istartswith=value)
            else:
                queryset = queryset.filter(
                    Exists(
                        CustomerDomain.objects.filter(
                            customer_id=OuterRef("pk"), domain__istartswith=value.lower()
                        )
                    )
                )
        return self.paginated_response(queryset, CustomerSerializer)


class CustomerDetailApi(CustomerScopedMixin, PartnerCenterApiView):
    """GET /v1/customers/{tenantId}."""

    serializer_class = CustomerSerializer

    @extend_schema(
        operation_id="customers_retrieve",
        summary="One customer",
        parameters=[TENANT_ID_PARAMETER],
        responses={200: CustomerSerializer, **errors(404)},
        examples=[examples.CUSTOMER],
        tags=["customers"],
    )
    def get(self, request, tenant_id):
        customer = self.get_customer()
        annotated = customer_queryset(actor=request.user).get(pk=customer.pk)
        return Response(CustomerSerializer(annotated).data)


class SubscriptionListApi(CustomerScopedMixin, PartnerCenterApiView):
    """GET /v1/customers/{tenantId}/subscriptions."""

    serializer_class = SubscriptionSerializer

    @extend_schema(
        operation_id="customer_subscriptions_list",
        summary="The customer's subscriptions",
        parameters=[TENANT_ID_PARAMETER],
        responses={200: SubscriptionSerializer(many=True), **errors(400, 404)},
        examples=[examples.SUBSCRIPTION_LIST],
        tags=["customers"],
    )
    def get(self, request, tenant_id):
        customer = self.get_customer()
        queryset = (
            Subscription.objects.filter(customer=customer)
            .select_related("isv")
            .order_by("workload", "offer", "id")
        )
        return self.paginated_response(queryset, SubscriptionSerializer)


class SubscriptionDetailApi(CustomerScopedMixin, PartnerCenterApiView):
    """GET /v1/customers/{tenantId}/subscriptions/{id}."""

    serializer_class = SubscriptionSerializer

    @extend_schema(
        operation_id="customer_subscriptions_retrieve",
        summary="One subscription of the customer",
        parameters=[TENANT_ID_PARAMETER],
        responses={200: SubscriptionSerializer, **errors(404)},
        examples=[examples.SUBSCRIPTION],
        tags=["customers"],
    )
    def get(self, request, tenant_id, subscription_id):
        customer = self.get_customer()
        subscription = (
            Subscription.objects.filter(customer=customer, pk=subscription_id).select_related("isv").first()
        )
        if subscription is None:
            raise ApiError("not_found", f"Subscription with id {subscription_id} not found.")
        return Response(SubscriptionSerializer(subscription).data)


class SupportOptionsApi(CustomerScopedMixin, PartnerCenterApiView):
    """GET /v1/customers/{tenantId}/supportoptions (SUPPORT-OPTIONS-TRIAL / SUPPORT-OPTIONS-PAID)."""

    serializer_class = SupportOptionsSerializer

    @extend_schema(
        operation_id="customer_support_options",
        summary="How this customer can get support",
        parameters=[TENANT_ID_PARAMETER],
        responses={200: SupportOptionsSerializer, **errors(404)},
        examples=[examples.SUPPORT_OPTIONS],
        tags=["customers"],
    )
    def get(self, request, tenant_id):
        options = customer_support_options(customer=self.get_customer())
        partner = request.user.partner
        contact = (
            {
                "name": partner.name,
                "email": partner.support_email,
                "phone": partner.support_phone,
                "url": partner.support_url,
            }
            if partner is not None
            else None
        )
        data = {
            "can_contact_partner": options.can_contact_partner,
            "can_open_with_microsoft": options.can_open_with_microsoft,
            "partner_support_contact": contact,
            "rule_ids": list(options.rule_ids),
            "explanation": options.explanation,
        }
        return Response(SupportOptionsSerializer(data).data)


@dataclass(frozen=True)
class ManagedService:
    id: str
    name: str
    group_name: str
    links: dict


def managed_services_for(customer) -> list[ManagedService]:
    """One entry per Microsoft workload the customer has a live subscription for, linking to the
    stub workload portal's home and ticket list in the customer's tenant context (``portals.urls``)."""
    from servicerequests.eligibility.tables import PORTALS

    workloads = set(
        Subscription.objects.filter(customer=customer, status=SubscriptionStatus.ACTIVE).values_list(
            "workload", flat=True
        )
    )
    services = []
    for workload, service_id, name, group, portal in MANAGED_SERVICES:
        if workload not in workloads:
            continue
        spec = PORTALS[portal]
        services.append(
            ManagedService(
                id=service_id,
                name=name,
                group_name=group,
                links={
                    "adminService": link(f"/portals/{spec.portal}/{customer.id}/"),
                    "serviceHealth": link(f"/v1/customers/{customer.id}/serviceincidents/office"),
                    "serviceTicket": link(f"/portals/{spec.portal}/{customer.id}/tickets/"),
                },
            )
        )
    return services


class ManagedServiceListApi(CustomerScopedMixin, PartnerCenterApiView):
    """GET /v1/customers/{tenantId}/managedservices."""

    serializer_class = ManagedServiceSerializer

    @extend_schema(
        operation_id="customer_managed_services",
        summary="Admin and support links per service of the customer",
        parameters=[TENANT_ID_PARAMETER],
        responses={200: ManagedServiceSerializer(many=True), **errors(404)},
        examples=[examples.MANAGED_SERVICES],
        tags=["customers"],
    )
    def get(self, request, tenant_id):
        services = managed_services_for(self.get_customer())
        items = ManagedServiceSerializer(services, many=True).data
        return Response(collection(list(items), links={"self": link(request.path)}))


def health_view_denial(*, user, customer) -> list[dict]:
    """The unmet requirements of HEALTH-BEFORE-ESCALATION for ``user`` on ``customer`` (empty: allowed)."""
    problems = []
    if not user.role_codes.intersection(HEALTH_VIEW_PC_ROLES):
        problems.append(
            {
                "ruleId": "HEALTH-BEFORE-ESCALATION",
                "reason": "Viewing a customer's service health needs the Partner Center admin_agent role.",
            }
        )
    if (
        not effective_roles(user=user, customer_id=customer.pk)
        .filter(**{HEALTH_VIEW_CAPABILITY: True})
        .exists()
    ):
        problems.append(
            {
                "ruleId": "HEALTH-BEFORE-ESCALATION",
                "reason": (
                    "Viewing a customer's service health needs a GDAP role with the service_health "
                    "capability (Global Reader is enough) through an active access assignment."
                ),
            }
        )
    return problems


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
