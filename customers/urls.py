"""Browser routes of the customers app (namespace ``customers``), included at the site root."""

from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("customers/", views.customer_list_view, name="list"),
    path("customers/<uuid:customer_id>/", views.customer_subscriptions, name="detail"),
    path(
        "customers/<uuid:customer_id>/relationships/",
        views.customer_relationships,
        name="relationships",
    ),
    path(
        "customers/<uuid:customer_id>/service-management/",
        views.customer_service_management,
        name="service_management",
    ),
    path(
        "customers/<uuid:customer_id>/service-requests/",
        views.customer_service_requests,
        name="service_requests",
    ),
    path(
        "customers/<uuid:customer_id>/support-options/",
        views.customer_support_options_view,
        name="support_options",
    ),
    path("service-health/", views.service_health, name="service_health"),
]
