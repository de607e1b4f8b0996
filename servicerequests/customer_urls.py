"""The customer tabs about support and the partner-wide service health page, joined into the
``customers`` namespace by ``partnercenter.urls``."""

from django.urls import path

from . import customer_views

urlpatterns = [
    path(
        "customers/<uuid:customer_id>/service-management/",
        customer_views.customer_service_management,
        name="service_management",
    ),
    path(
        "customers/<uuid:customer_id>/service-requests/",
        customer_views.customer_service_requests,
        name="service_requests",
    ),
    path("service-health/", customer_views.service_health, name="service_health"),
]
