"""Routes of the stub workload portals (namespace ``portals``), under ``/portals/``.

``new`` is the routing redirect target: ``servicerequests.eligibility.engine.portal_route_for``
reverses it for an allowed request's portal.
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
