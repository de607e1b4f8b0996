"""``/graph/v1.0/`` routes served by this app (included by the root URLconf next to
``gdap.api.urls``). Graph paths have no trailing slash."""

from django.urls import path

from . import health

urlpatterns = [
    path(
        "admin/serviceAnnouncement/issues",
        health.ServiceAnnouncementIssueListApi.as_view(),
        name="graph-service-health-issues",
    ),
]
