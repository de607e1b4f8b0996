"""Browser routes of the GDAP app (namespace ``gdap``)."""

from django.urls import path

from . import help_views, partner_relationship_views, views

app_name = "gdap"

urlpatterns = [
    path("help/", help_views.gdap_help, name="help"),
    path("relationships/", views.relationship_list, name="relationship_list"),
    path("relationships/new/", views.relationship_create, name="relationship_create"),
    path("relationships/templates/", views.role_template_create, name="role_template_create"),
    path("relationships/<str:relationship_id>/", views.relationship_detail, name="relationship_detail"),
    path("relationships/<str:relationship_id>/lock/", views.relationship_lock, name="relationship_lock"),
    path(
        "relationships/<str:relationship_id>/auto-extend/",
        views.relationship_auto_extend,
        name="relationship_auto_extend",
    ),
    path(
        "relationships/<str:relationship_id>/terminate/",
        views.relationship_terminate,
        name="relationship_terminate",
    ),
    path(
        "relationships/<str:relationship_id>/delete/", views.relationship_delete, name="relationship_delete"
    ),
    path(
        "relationships/<str:relationship_id>/assignments/",
        views.assignment_create,
        name="assignment_create",
    ),
    path(
        "relationships/<str:relationship_id>/assignments/<uuid:assignment_id>/delete/",
        views.assignment_delete,
        name="assignment_delete",
    ),
    path(
        "partner-relationships/",
        partner_relationship_views.partner_relationships,
        name="partner_relationships",
    ),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/<str:relationship_id>/", views.invitation, name="invitation"),
]
