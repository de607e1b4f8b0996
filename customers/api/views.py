"""``/v1/customers/...``: customers, subscriptions, support options.

The customer's managed services and service incidents are served by ``servicerequests.api``.
"""

from __future__ import annotations

import json

from django.db.models import Exists, OuterRef
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.response import Response

from core.api.errors import ApiError
from core.api.schema import TENANT_ID_PARAMETER, errors
from core.api.views import PartnerCenterApiView
from customers.models import CustomerDomain, Subscription
from customers.selectors import customer_list_with_relationship, customer_support_options

from . import examples
from .mixins import CustomerScopedMixin
from .serializers import (
    CustomerSerializer,
    SubscriptionSerializer,
    SupportOptionsSerializer,
)

# The ``filter`` query parameter: Partner Center field name → lookup (operator ``starts_with``).
CUSTOMER_FILTER_FIELDS = {"CompanyName": "company_name", "Domain": "domain"}
CUSTOMER_FILTER_OPERATORS = ("starts_with",)


def customer_queryset(*, actor):
    """The actor's customers as the API lists them: ``relationship_to_partner`` and
    ``allow_delegated_access`` annotated, the domains prefetched: three queries for any page,
    count included."""
    return customer_list_with_relationship(actor=actor).prefetch_related("domains")


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
