"""``/v1/customers/{tenantId}/managedservices``: per Microsoft service of the customer, where to
administer it and where to open a support ticket (the workload portals of ``PORTAL_FOR_WORKLOAD``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from core.api.pagination import collection, link
from core.api.schema import TENANT_ID_PARAMETER, errors
from core.api.views import PartnerCenterApiView
from customers.api import examples
from customers.api.mixins import CustomerScopedMixin
from customers.api.serializers import ManagedServiceSerializer
from customers.choices import SubscriptionStatus, Workload
from customers.models import Customer, Subscription

from ..eligibility.tables import PORTAL_FOR_WORKLOAD, PORTALS

# Managed services, as data: workload → (service id, name, group); the portal comes from
# ``PORTAL_FOR_WORKLOAD``.
MANAGED_SERVICES: tuple[tuple[str, str, str, str], ...] = (
    (Workload.AZURE, "Azure", "Microsoft Azure", "Azure"),
    (Workload.M365, "Office365", "Microsoft 365", "Office"),
    (Workload.EMS, "EMS", "Enterprise Mobility + Security", "Office"),
    (Workload.DYNAMICS, "Dynamics365", "Dynamics 365", "Dynamics"),
)


@dataclass(frozen=True)
class ManagedService:
    id: str
    name: str
    group_name: str
    links: dict


def managed_services_for(customer: Customer) -> list[ManagedService]:
    """One entry per Microsoft workload the customer has a live subscription for, linking to the
    stub workload portal's home and ticket list in the customer's tenant context (``portals.urls``)."""
    workloads = set(
        Subscription.objects.filter(customer=customer, status=SubscriptionStatus.ACTIVE).values_list(
            "workload", flat=True
        )
    )
    service_health = reverse("v1:customer-service-incidents", kwargs={"tenant_id": customer.id})
    services = []
    for workload, service_id, name, group in MANAGED_SERVICES:
        if workload not in workloads:
            continue
        portal = PORTALS[PORTAL_FOR_WORKLOAD[workload]].portal
        services.append(
            ManagedService(
                id=service_id,
                name=name,
                group_name=group,
                links={
                    "adminService": link(reverse("portals:home", args=[portal, customer.id])),
                    "serviceHealth": link(service_health),
                    "serviceTicket": link(reverse("portals:tickets", args=[portal, customer.id])),
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
