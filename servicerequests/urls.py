"""Browser routes of the servicerequests app (namespace ``servicerequests``), included at the site root."""

from django.urls import path

from . import attachment_views, customer_portal_views, views
from .handoffs import views as handoff_views

app_name = "servicerequests"

urlpatterns = [
    path("service-requests/", views.service_request_list_view, name="list"),
    path("service-requests/new/", views.service_request_new_pick, name="new_pick"),
    path("service-requests/new/own-subscription/", views.service_request_new_own, name="new_own"),
    path("service-requests/filed-for-us/", customer_portal_views.filed_for_us, name="filed_for_us"),
    path("service-requests/handoffs/", handoff_views.handoff_list_view, name="handoff_list"),
    path("service-requests/handoffs/<uuid:handoff_id>/", handoff_views.handoff_detail, name="handoff_detail"),
    path(
        "service-requests/handoffs/<uuid:handoff_id>/file/", handoff_views.handoff_file, name="handoff_file"
    ),
    path(
        "service-requests/handoffs/<uuid:handoff_id>/decline/",
        handoff_views.handoff_decline_view,
        name="handoff_decline",
    ),
    path(
        "service-requests/handoffs/<uuid:handoff_id>/notes/",
        handoff_views.handoff_note_add,
        name="handoff_note_add",
    ),
    path("service-requests/<str:request_id>/", views.service_request_detail, name="detail"),
    path("service-requests/<str:request_id>/notes/", views.service_request_note_add, name="note_add"),
    path(
        "service-requests/<str:request_id>/attachments/",
        attachment_views.attachment_add,
        name="attachment_add",
    ),
    path(
        "service-requests/<str:request_id>/attachments/<uuid:attachment_id>/",
        attachment_views.attachment_download,
        name="attachment_download",
    ),
    path(
        "service-requests/<str:request_id>/attachments/<uuid:attachment_id>/delete/",
        attachment_views.attachment_remove,
        name="attachment_delete",
    ),
    path("customers/<uuid:customer_id>/service-requests/new/", views.service_request_new, name="new"),
    path(
        "customers/<uuid:customer_id>/service-requests/handoffs/",
        handoff_views.handoff_new,
        name="handoff_new",
    ),
]
