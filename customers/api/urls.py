"""``/v1/customers/...`` routes (included by ``partnercenter.api_urls``; the managed services
and service incidents of a customer are in ``servicerequests.api.customer_urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("customers", views.CustomerListApi.as_view(), name="customer-list"),
    path("customers/<uuid:tenant_id>", views.CustomerDetailApi.as_view(), name="customer-detail"),
    path(
        "customers/<uuid:tenant_id>/subscriptions",
        views.SubscriptionListApi.as_view(),
        name="customer-subscription-list",
    ),
    path(
        "customers/<uuid:tenant_id>/subscriptions/<uuid:subscription_id>",
        views.SubscriptionDetailApi.as_view(),
        name="customer-subscription-detail",
    ),
    path(
        "customers/<uuid:tenant_id>/supportoptions",
        views.SupportOptionsApi.as_view(),
        name="customer-support-options",
    ),
]
