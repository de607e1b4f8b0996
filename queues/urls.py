"""Browser routes of the support managers' queues and reports, included under ``queues/``.

Plain URL names (no namespace): the layout links to ``{% url 'queues' %}``.
"""

from django.urls import path

from . import export_views, views

urlpatterns = [
    path("", views.queue_index, name="queues"),
    path("reports/", views.queue_reports, name="queue_reports"),
    path("handoffs/", views.queue_handoffs, name="queue_handoffs"),
    path("bulk/", views.queue_bulk, name="queue_bulk"),
    path("saved/", views.queue_saved_create, name="queue_saved_create"),
    path("saved/<int:pk>/rename/", views.queue_saved_rename, name="queue_saved_rename"),
    path("saved/<int:pk>/delete/", views.queue_saved_delete, name="queue_saved_delete"),
    path("exports/<uuid:export_id>/", export_views.queue_export_status, name="queue_export_status"),
    path(
        "exports/<uuid:export_id>/download", export_views.queue_export_download, name="queue_export_download"
    ),
    path("<slug:key>/", views.queue_detail, name="queue_detail"),
    path("<slug:key>/export.csv", export_views.queue_export, name="queue_export"),
    path("<slug:key>/exports/", export_views.queue_export_prepare, name="queue_export_prepare"),
]
