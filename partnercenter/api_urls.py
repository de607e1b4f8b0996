"""The ``/v1`` API (Partner Center shape): every route, then a catch-all 404 in the error shape."""

from django.urls import include, path, re_path

from core.api.views import NotFoundApi

app_name = "v1"

urlpatterns = [
    path("", include("customers.api.urls")),
    path("", include("servicerequests.api.customer_urls")),
    path("", include("servicerequests.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("audit.api.urls")),
    path("", include("apiaccess.api.urls")),
    re_path(r"^.*$", NotFoundApi.as_view(), name="not-found"),
]
