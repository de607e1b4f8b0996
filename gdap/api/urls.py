"""``/graph/v1.0/`` routes (namespace ``graph``). Graph paths have no trailing slash."""

from django.urls import include, path

from . import views

app_name = "graph"

REL = "tenantRelationships/delegatedAdminRelationships"
CUST = "tenantRelationships/delegatedAdminCustomers"

urlpatterns = [
    path(REL, views.RelationshipListCreateApi.as_view(), name="relationship_list"),
    path(f"{REL}/<str:relationship_id>", views.RelationshipDetailApi.as_view(), name="relationship_detail"),
    path(
        f"{REL}/<str:relationship_id>/requests",
        views.RelationshipRequestListCreateApi.as_view(),
        name="request_list",
    ),
    path(
        f"{REL}/<str:relationship_id>/requests/<uuid:request_id>",
        views.RelationshipRequestDetailApi.as_view(),
        name="request_detail",
    ),
    path(
        f"{REL}/<str:relationship_id>/accessAssignments",
        views.AccessAssignmentListCreateApi.as_view(),
        name="assignment_list",
    ),
    path(
        f"{REL}/<str:relationship_id>/accessAssignments/<uuid:assignment_id>",
        views.AccessAssignmentDetailApi.as_view(),
        name="assignment_detail",
    ),
    path(f"{REL}/<str:relationship_id>/operations", views.OperationListApi.as_view(), name="operation_list"),
    path(
        f"{REL}/<str:relationship_id>/operations/<uuid:operation_id>",
        views.OperationDetailApi.as_view(),
        name="operation_detail",
    ),
    path(CUST, views.DelegatedAdminCustomerListApi.as_view(), name="customer_list"),
    path(
        f"{CUST}/<uuid:customer_id>", views.DelegatedAdminCustomerDetailApi.as_view(), name="customer_detail"
    ),
    path(
        f"{CUST}/<uuid:customer_id>/serviceManagementDetails",
        views.ServiceManagementDetailListApi.as_view(),
        name="service_management_details",
    ),
    path("", include("partners.api.urls")),
]
