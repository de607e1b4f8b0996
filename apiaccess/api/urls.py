"""``/v1/applications/...`` routes (included by ``partnercenter.api_urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("applications", views.ApplicationListApi.as_view(), name="application-list"),
    path(
        "applications/<uuid:application_id>", views.ApplicationDetailApi.as_view(), name="application-detail"
    ),
    path(
        "applications/<uuid:application_id>/secrets",
        views.ApplicationSecretListApi.as_view(),
        name="application-secret-list",
    ),
    path(
        "applications/<uuid:application_id>/secrets/<uuid:key_id>",
        views.ApplicationSecretDetailApi.as_view(),
        name="application-secret-detail",
    ),
]
