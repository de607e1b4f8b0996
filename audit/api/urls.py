"""``/v1/auditrecords`` routes (included by ``partnercenter.api_urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("auditrecords", views.AuditRecordListApi.as_view(), name="auditrecord-list"),
    path("auditrecords/<int:record_id>", views.AuditRecordDetailApi.as_view(), name="auditrecord-detail"),
]
