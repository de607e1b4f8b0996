"""Browser routes of the customers app: the customer list and the customer's own tabs.

``partnercenter.urls`` joins them with the customer tabs of gdap and servicerequests (and the
partner-wide service health page) into one namespace, ``customers``, at the site root.
"""

from django.urls import path

from . import views

urlpatterns = [
    path("customers/", views.customer_list_view, name="list"),
    path("support-options/", views.own_support_options, name="own_support_options"),
    path("customers/<uuid:customer_id>/", views.customer_subscriptions, name="detail"),
    path(
        "customers/<uuid:customer_id>/support-options/",
        views.customer_support_options_view,
        name="support_options",
    ),
]
