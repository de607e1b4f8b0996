"""Browser routes of webhooks (namespace ``webhooks``), included at ``/webhooks/``."""

from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.registration, name="registration"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<uuid:delivery_id>/redeliver/", views.redeliver, name="redeliver"),
]
