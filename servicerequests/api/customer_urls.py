"""``/v1/customers/{tenantId}/...`` routes served by this app (included by ``partnercenter.api_urls``
next to ``customers.api.urls``)."""

from django.urls import path

from . import health, managed_services

urlpatterns = [
    path(
        "customers/<uuid:tenant_id>/managedservices",
        managed_services.ManagedServiceListApi.as_view(),
        name="customer-managed-services",
    ),
    path(
        "customers/<uuid:tenant_id>/serviceincidents/office",
        health.ServiceIncidentListApi.as_view(),
        name="customer-service-incidents",
    ),
]
