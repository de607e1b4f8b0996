"""Graph ``/groups`` routes (included under ``/graph/v1.0/`` by ``gdap.api.urls``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("groups", views.GroupListApi.as_view(), name="group_list"),
    path("groups/<uuid:group_id>", views.GroupDetailApi.as_view(), name="group_detail"),
    path("groups/<uuid:group_id>/members", views.GroupMemberListApi.as_view(), name="group_members"),
]
