"""Browser routes of the GDAP app (namespace ``gdap``)."""

from django.urls import path

from . import views

app_name = "gdap"

urlpatterns = [
    path("relationships/", views.relationship_list, name="relationship_list"),
]
