"""The GDAP tab of a customer's page, joined into the ``customers`` namespace by ``partnercenter.urls``."""

from django.urls import path

from . import customer_views

urlpatterns = [
    path(
        "customers/<uuid:customer_id>/relationships/",
        customer_views.customer_relationships,
        name="relationships",
    ),
]
