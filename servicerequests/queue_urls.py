"""Browser routes of the support managers' queues and reports, included under ``queues/``.

Plain URL names (no namespace): the layout links to ``{% url 'queues' %}``.
"""

from django.urls import path

from . import queue_views

urlpatterns = [
    path("", queue_views.queue_index, name="queues"),
    path("reports/", queue_views.queue_reports, name="queue_reports"),
    path("bulk/", queue_views.queue_bulk, name="queue_bulk"),
    path("saved/", queue_views.queue_saved_create, name="queue_saved_create"),
    path("saved/<int:pk>/rename/", queue_views.queue_saved_rename, name="queue_saved_rename"),
    path("saved/<int:pk>/delete/", queue_views.queue_saved_delete, name="queue_saved_delete"),
    path("exports/<uuid:export_id>/", queue_views.queue_export_status, name="queue_export_status"),
    path(
        "exports/<uuid:export_id>/download", queue_views.queue_export_download, name="queue_export_download"
    ),
    path("<slug:key>/", queue_views.queue_detail, name="queue_detail"),
    path("<slug:key>/export.csv", queue_views.queue_export, name="queue_export"),
    path("<slug:key>/exports/", queue_views.queue_export_prepare, name="queue_export_prepare"),
]
