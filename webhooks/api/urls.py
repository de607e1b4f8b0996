"""``/v1/webhooks/...`` routes (included by ``partnercenter.api_urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("webhooks/registration", views.WebhookRegistrationApi.as_view(), name="webhook-registration"),
    path("webhooks/test", views.WebhookTestApi.as_view(), name="webhook-test"),
]
