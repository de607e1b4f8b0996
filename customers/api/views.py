"""``/v1/customers/...``: customers, subscriptions, support options.

The customer's managed services and service incidents are served by ``servicerequests.api``.
"""

from __future__ import annotations

import uuid

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.response import Response

from core.api.errors import ApiError
from core.api.pcfilter import FilterField, FilterInvalid, pc_filter_q
from core.api.pcfilter import text_value as _text_value
from core.api.schema import TENANT_ID_PARAMETER, X_EXTENSION, errors
from core.api.views import PartnerCenterApiView
from customers.models import CustomerDomain, CustomerPartnerRelationship, Subscription
from customers.selectors import customer_list_with_relationship, customer_support_options

from . import examples
from .mixins import CustomerScopedMixin
from .serializers import (
    CustomerSerializer,
    SubscriptionSerializer,
    SupportOptionsSerializer,
)


def _uuid_value(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        raise ValueError(_("%(value)r is not a tenant id (GUID)") % {"value": value}) from None


def _domain_condition(lookup: str, value: str) -> Q:
    return Q(
        Exists(CustomerDomain.objects.filter(customer_id=OuterRef("pk"), **{f"domain__{lookup}": value}))
    )


def _reseller_condition(lookup: str, value: uuid.UUID) -> Q:
    # Partner Center documents starts_with with the reseller's whole tenant id: a match on the id.
    return Q(Exists(CustomerPartnerRelationship.objects.filter(customer_id=OuterRef("pk"), partner_id=value)))


#: The customer fields Partner Center's ``filter`` may name (``core.api.pcfilter``).
CUSTOMER_FILTER_FIELDS = {
    "CompanyName": FilterField(
        "name", ("equals", "not_equals", "substring", "starts_with", "not_starts_with"), _text_value
    ),
    "Domain": FilterField(
        "domains__domain",
        ("equals", "starts_with", "substring"),
        lambda v: _text_value(v).lower(),
        _domain_condition,
    ),
    "IndirectReseller": FilterField(
        "partner_links__partner", ("equals", "starts_with"), _uuid_value, _reseller_condition
    ),
}


def customer_queryset(*, actor):
    """The actor's customers as the API lists them: ``relationship_to_partner`` and
    ``allow_delegated_access`` annotated, the domains prefetched: three queries for any page,
    count included."""
    return customer_list_with_relationship(actor=actor).prefetch_related("domains")


FILTER_PARAMETER = OpenApiParameter(
    "filter",
    str,
    OpenApiParameter.QUERY,
    description="Partner Center's query syntax: JSON "
    '{"Field": "CompanyName", "Domain" or "IndirectReseller", "Value": "...", "Operator": "starts_with"} '
    "(docs/api.md lists each field's operators), or two combined with "
    '{"LeftFilter", "RightFilter", "Operator": "and"|"or"}.',
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
        raw = request.query_params.get("filter")
        if raw:
            try:
                queryset = queryset.filter(pc_filter_q(raw, CUSTOMER_FILTER_FIELDS))
            except FilterInvalid as exc:
                raise ApiError(
                    "validation",
                    _("Invalid property: %(property)s.") % {"property": exc.part},
                    [{"field": exc.part, "reason": exc.reason}],
                ) from None
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
            raise ApiError("not_found", _("Subscription with id %(id)s not found.") % {"id": subscription_id})
        return Response(SubscriptionSerializer(subscription).data)


class SupportOptionsApi(CustomerScopedMixin, PartnerCenterApiView):
    """GET /v1/customers/{tenantId}/supportoptions (SUPPORT-OPTIONS-TRIAL / SUPPORT-OPTIONS-PAID)."""

    serializer_class = SupportOptionsSerializer

    @extend_schema(
        operation_id="customer_support_options",
        extensions=X_EXTENSION,
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
