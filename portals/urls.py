"""Routes of the stub workload portals (namespace ``portals``), under ``/portals/``.

The New support request paths are the ``stub_path`` values of
``servicerequests.eligibility.tables.PORTALS`` (the routing redirect target).
"""

from django.urls import path, re_path

from . import views

app_name = "portals"

PORTAL = r"(?P<portal>azure|m365|dynamics)"

urlpatterns = [
    re_path(rf"^{PORTAL}/new-support-request/?$", views.portal_new, name="new"),
    path("<str:portal>/<uuid:customer_id>/", views.portal_home, name="home"),
    path("<str:portal>/<uuid:customer_id>/tickets/", views.portal_tickets, name="tickets"),
    path(
        "<str:portal>/<uuid:customer_id>/requests/<str:request_id>/",
        views.portal_request,
        name="request",
    ),
    path(
        "<str:portal>/<uuid:customer_id>/requests/<str:request_id>/status/",
        views.portal_request_status,
        name="request_status",
    ),
]
