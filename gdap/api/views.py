"""``/graph/v1.0/tenantRelationships/...``: GDAP in Microsoft Graph's shape. Thin views: parse, fetch
through the scoped selectors (another partner's object is a 404), call one service, render."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from core.api.graph import etag, graph_collection, if_match_version, status_filter
from customers.models import Customer
from gdap import selectors, services
from gdap.choices import AUTO_EXTEND_OFF, RelationshipStatus, RequestAction

from . import serializers as s
from .graph import GdapGraphApiView

TAGS = ["Graph: GDAP"]
TOP = OpenApiParameter("$top", int, description="Page size (1–999, default 100).")
SKIPTOKEN = OpenApiParameter("$skiptoken", str, description="Opaque paging token from @odata.nextLink.")
FILTER = OpenApiParameter("$filter", str, description="Only `status eq '<status>'`.")
IF_MATCH = OpenApiParameter(
    "If-Match", str, location=OpenApiParameter.HEADER, required=True, description="The @odata.etag last read."
)
COLLECTION = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"@odata.context", "value": [...], "@odata.nextLink"}'
)
GRAPH_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"error": {"code", "message", "innerError": {"request-id", "date"}}}'
)
ERRORS = {400: GRAPH_ERROR, 401: GRAPH_ERROR, 403: GRAPH_ERROR, 404: GRAPH_ERROR}


def _relationship(request, relationship_id):
    return selectors.relationship_get(actor=request.user, relationship_id=relationship_id)


def _relationship_url(request, relationship_id) -> str:
    return request.build_absolute_uri(reverse("graph:relationship_detail", args=[relationship_id]))


def _relationship_response(request, relationship, http_status=status.HTTP_200_OK, headers=None):
    relationship = _relationship(request, relationship.pk)  # fresh, with roles
    data = s.RelationshipSerializer(relationship, context={"request": request}).data
    return Response(data, status=http_status, headers={"ETag": etag(relationship.version), **(headers or {})})


class RelationshipListCreateApi(GdapGraphApiView):
    """The caller's delegated admin relationships."""

    @extend_schema(
        operation_id="delegatedAdminRelationships_list",
        tags=TAGS,
        parameters=[TOP, SKIPTOKEN, FILTER],
        responses={200: COLLECTION, **ERRORS},
    )
    def get(self, request):
        qs = (
            selectors.relationship_list(actor=request.user)
            .select_related("customer")
            .prefetch_related("roles")
        )
        wanted = status_filter(request, RelationshipStatus.values)
        if wanted:
            qs = qs.filter(status=wanted)
        return graph_collection(
            request,
            qs,
            ordering=("created_at", "id"),
            serialize=lambda rows: (
                s.RelationshipSerializer(rows, many=True, context={"request": request}).data
            ),
            entity_set="tenantRelationships/delegatedAdminRelationships",
        )

    @extend_schema(
        operation_id="delegatedAdminRelationships_create",
        tags=TAGS,
        request=s.RelationshipCreateInputSerializer,
        responses={201: s.RelationshipSerializer, **ERRORS},
    )
    def post(self, request):
        data = _valid(s.RelationshipCreateInputSerializer, request.data)
        relationship = services.relationship_create(
            actor=request.user,
            customer_id=data["customer"]["tenantId"],
            display_name=data["displayName"],
            duration=data["duration"],
            role_ids=s.role_ids(data["accessDetails"]),
            auto_extend_duration=data.get("autoExtendDuration", AUTO_EXTEND_OFF),
            created_for_reseller_id=data.get("createdForResellerTenantId"),
        )
        return _relationship_response(
            request,
            relationship,
            status.HTTP_201_CREATED,
            headers={"Location": _relationship_url(request, relationship.pk)},
        )


def _valid(serializer_class, data, partial=False) -> dict:
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class RelationshipDetailApi(GdapGraphApiView):
    """One relationship: read, update (``If-Match``), delete (``If-Match``, only while ``created``)."""

    @extend_schema(
        operation_id="delegatedAdminRelationships_get",
        tags=TAGS,
        responses={200: s.RelationshipSerializer, **ERRORS},
    )
    def get(self, request, relationship_id):
        return _relationship_response(request, _relationship(request, relationship_id))

    @extend_schema(
        operation_id="delegatedAdminRelationships_update",
        tags=TAGS,
        parameters=[IF_MATCH],
        request=s.RelationshipUpdateInputSerializer,
        responses={
            200: s.RelationshipSerializer,
            202: OpenApiResponse(
                description="Accepted: removing Global Administrator from an active relationship; "
                "Location: the delegatedAdminRelationshipUpdate operation"
            ),
            412: GRAPH_ERROR,
            428: GRAPH_ERROR,
            **ERRORS,
        },
    )
    def patch(self, request, relationship_id):
        relationship = _relationship(request, relationship_id)
        version = if_match_version(request)
        data = _valid(s.RelationshipUpdateInputSerializer, request.data, partial=True)
        changes = {}
        for wire, name in (
            ("displayName", "display_name"),
            ("duration", "duration"),
            ("autoExtendDuration", "auto_extend_duration"),
        ):
            if wire in data:
                changes[name] = data[wire]
        if "accessDetails" in data:
            changes["role_ids"] = s.role_ids(data["accessDetails"])
        if "customer" in data:
            changes["customer_id"] = data["customer"]["tenantId"]
        if relationship.status == RelationshipStatus.ACTIVE and set(changes) == {"role_ids"}:
            # Graph: on an active relationship, removing Global Administrator is a long-running
            # delegatedAdminRelationshipUpdate operation (202 + Location); nothing else may change.
            operation = services.relationship_remove_roles(
                actor=request.user,
                relationship_id=relationship.pk,
                role_ids=changes["role_ids"],
                expected_version=version,
            )
            if operation is not None:
                location = request.build_absolute_uri(
                    reverse("graph:operation_detail", args=[relationship.pk, operation.pk])
                )
                return Response(
                    status=status.HTTP_202_ACCEPTED, headers={"Location": location, "Retry-After": "10"}
                )
            return _relationship_response(request, relationship)
        relationship = services.relationship_update(
            actor=request.user, relationship_id=relationship.pk, expected_version=version, **changes
        )
        return _relationship_response(request, relationship)

    @extend_schema(
        operation_id="delegatedAdminRelationships_delete",
        tags=TAGS,
        parameters=[IF_MATCH],
        responses={204: None, 412: GRAPH_ERROR, 428: GRAPH_ERROR, **ERRORS},
    )
    def delete(self, request, relationship_id):
        relationship = _relationship(request, relationship_id)
        version = if_match_version(request)
        services.relationship_delete(
            actor=request.user, relationship_id=relationship.pk, expected_version=version
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


REQUEST_SERVICES = {
    RequestAction.LOCK_FOR_APPROVAL: services.relationship_lock_for_approval,
    RequestAction.APPROVE: services.relationship_approve,
    RequestAction.REJECT: services.relationship_reject,
    RequestAction.TERMINATE: services.relationship_terminate,
}


class RelationshipRequestListCreateApi(GdapGraphApiView):
    """Actions on a relationship: ``lockForApproval`` and ``terminate`` (partner), ``approve`` /
    ``reject`` by the indirect reseller a provider created the relationship for (Graph's own use of
    these actions, GDAP-INDIRECT-RESELLER); the customer's ``approve`` / ``reject`` and
    ``terminate`` here are this portal's extension (Microsoft's customers answer in the Microsoft 365
    admin center). The created request is answered with its own status, ``created``, as Graph does."""

    @extend_schema(
        operation_id="delegatedAdminRelationshipRequests_list",
        tags=TAGS,
        parameters=[TOP, SKIPTOKEN],
        responses={200: COLLECTION, **ERRORS},
    )
    def get(self, request, relationship_id):
        relationship = _relationship(request, relationship_id)
        return graph_collection(
            request,
            selectors.request_list(relationship=relationship),
            ordering=("created_at", "id"),
            serialize=lambda rows: s.RelationshipRequestSerializer(rows, many=True).data,
            entity_set=f"tenantRelationships/delegatedAdminRelationships('{relationship.pk}')/requests",
        )

    @extend_schema(
        operation_id="delegatedAdminRelationshipRequests_create",
        tags=TAGS,
        request=s.RelationshipRequestInputSerializer,
        responses={201: s.RelationshipRequestSerializer, **ERRORS},
    )
    def post(self, request, relationship_id):
        relationship = _relationship(request, relationship_id)
        data = _valid(s.RelationshipRequestInputSerializer, request.data)
        _, relationship_request = REQUEST_SERVICES[data["action"]](
            actor=request.user, relationship_id=relationship.pk
        )
        location = request.build_absolute_uri(
            reverse("graph:request_detail", args=[relationship.pk, relationship_request.pk])
        )
        return Response(
            s.RelationshipRequestSerializer(relationship_request).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


class RelationshipRequestDetailApi(GdapGraphApiView):
    @extend_schema(
        operation_id="delegatedAdminRelationshipRequests_get",
        tags=TAGS,
        responses={200: s.RelationshipRequestSerializer, **ERRORS},
    )
    def get(self, request, relationship_id, request_id):
        relationship = _relationship(request, relationship_id)
        item = selectors.request_list(relationship=relationship).get(pk=request_id)
        return Response(s.RelationshipRequestSerializer(item).data)


def _assignment_context(request, relationship) -> dict:
    """Security group ids are the holding partner's internal data: shown only to its users (never to
    the customer, nor to an indirect provider for its reseller's groups)."""
    return {
        "show_groups": request.user.partner_id is not None
        and request.user.partner_id == relationship.holder_id
    }


def _assignment_response(request, relationship, assignment, http_status=status.HTTP_200_OK, headers=None):
    return Response(
        s.AccessAssignmentSerializer(assignment, context=_assignment_context(request, relationship)).data,
        status=http_status,
        headers={"ETag": etag(assignment.version), **(headers or {})},
    )


class AccessAssignmentListCreateApi(GdapGraphApiView):
    """Access assignments of a relationship (deleted ones are not listed)."""

    @extend_schema(
        operation_id="accessAssignments_list",
        tags=TAGS,
        parameters=[TOP, SKIPTOKEN, FILTER],
        responses={200: COLLECTION, **ERRORS},
    )
    def get(self, request, relationship_id):
        relationship = _relationship(request, relationship_id)
        qs = selectors.assignment_list(relationship=relationship)
        wanted = status_filter(request, ["pending", "active", "deleting", "deleted", "error"])
        if wanted:
            qs = selectors.assignment_list(relationship=relationship, include_deleted=True).filter(
                status=wanted
            )
        return graph_collection(
            request,
            qs,
            ordering=("created_at", "id"),
            serialize=lambda rows: (
                s.AccessAssignmentSerializer(
                    rows, many=True, context=_assignment_context(request, relationship)
                ).data
            ),
            entity_set=f"tenantRelationships/delegatedAdminRelationships('{relationship.pk}')/accessAssignments",
        )

    @extend_schema(
        operation_id="accessAssignments_create",
        tags=TAGS,
        request=s.AccessAssignmentCreateInputSerializer,
        responses={201: s.AccessAssignmentSerializer, **ERRORS},
    )
    def post(self, request, relationship_id):
        relationship = _relationship(request, relationship_id)
        data = _valid(s.AccessAssignmentCreateInputSerializer, request.data)
        assignment = services.assignment_create(
            actor=request.user,
            relationship_id=relationship.pk,
            security_group_id=data["accessContainer"]["accessContainerId"],
            role_ids=s.role_ids(data["accessDetails"]),
        )
        location = request.build_absolute_uri(
            reverse("graph:assignment_detail", args=[relationship.pk, assignment.pk])
        )
        assignment = selectors.assignment_get(relationship=relationship, assignment_id=assignment.pk)
        return _assignment_response(
            request, relationship, assignment, status.HTTP_201_CREATED, {"Location": location}
        )


class AccessAssignmentDetailApi(GdapGraphApiView):
    """One access assignment: read; PATCH its roles (202 + operation); DELETE."""

    @extend_schema(
        operation_id="accessAssignments_get",
        tags=TAGS,
        responses={200: s.AccessAssignmentSerializer, **ERRORS},
    )
    def get(self, request, relationship_id, assignment_id):
        relationship = _relationship(request, relationship_id)
        return _assignment_response(
            request,
            relationship,
            selectors.assignment_get(relationship=relationship, assignment_id=assignment_id),
        )

    @extend_schema(
        operation_id="accessAssignments_update",
        tags=TAGS,
        parameters=[IF_MATCH],
        request=s.AccessAssignmentUpdateInputSerializer,
        responses={
            200: s.AccessAssignmentSerializer,
            202: OpenApiResponse(description="Accepted; Location: the operation"),
            412: GRAPH_ERROR,
            428: GRAPH_ERROR,
            **ERRORS,
        },
    )
    def patch(self, request, relationship_id, assignment_id):
        relationship = _relationship(request, relationship_id)
        assignment = selectors.assignment_get(relationship=relationship, assignment_id=assignment_id)
        version = if_match_version(request)
        data = _valid(s.AccessAssignmentUpdateInputSerializer, request.data)
        assignment, operation = services.assignment_update(
            actor=request.user,
            relationship_id=relationship.pk,
            assignment_id=assignment.pk,
            role_ids=s.role_ids(data["accessDetails"]),
            expected_version=version,
        )
        if operation is None:
            return _assignment_response(request, relationship, assignment)
        location = request.build_absolute_uri(
            reverse("graph:operation_detail", args=[relationship.pk, operation.pk])
        )
        return Response(status=status.HTTP_202_ACCEPTED, headers={"Location": location, "Retry-After": "10"})

    @extend_schema(
        operation_id="accessAssignments_delete",
        tags=TAGS,
        parameters=[IF_MATCH],
        responses={204: None, 412: GRAPH_ERROR, 428: GRAPH_ERROR, **ERRORS},
    )
    def delete(self, request, relationship_id, assignment_id):
        relationship = _relationship(request, relationship_id)
        assignment = selectors.assignment_get(relationship=relationship, assignment_id=assignment_id)
        version = if_match_version(request)
        services.assignment_delete(
            actor=request.user,
            relationship_id=relationship.pk,
            assignment_id=assignment.pk,
            expected_version=version,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class OperationListApi(GdapGraphApiView):
    @extend_schema(
        operation_id="operations_list",
        tags=TAGS,
        parameters=[TOP, SKIPTOKEN],
        responses={200: COLLECTION, **ERRORS},
    )
    def get(self, request, relationship_id):
        relationship = _relationship(request, relationship_id)
        return graph_collection(
            request,
            selectors.operation_list(relationship=relationship),
            ordering=("created_at", "id"),
            serialize=lambda rows: s.OperationSerializer(rows, many=True).data,
            entity_set=f"tenantRelationships/delegatedAdminRelationships('{relationship.pk}')/operations",
        )


class OperationDetailApi(GdapGraphApiView):
    @extend_schema(operation_id="operations_get", tags=TAGS, responses={200: s.OperationSerializer, **ERRORS})
    def get(self, request, relationship_id, operation_id):
        relationship = _relationship(request, relationship_id)
        operation = selectors.operation_list(relationship=relationship).get(pk=operation_id)
        return Response(s.OperationSerializer(operation).data)


class DelegatedAdminCustomerListApi(GdapGraphApiView):
    """Customers with at least one live relationship of the caller's partner."""

    @extend_schema(
        operation_id="delegatedAdminCustomers_list",
        tags=TAGS,
        parameters=[TOP, SKIPTOKEN],
        responses={200: COLLECTION, **ERRORS},
    )
    def get(self, request):
        return graph_collection(
            request,
            selectors.delegated_admin_customer_list(actor=request.user),
            ordering=("name", "id"),
            serialize=lambda rows: s.DelegatedAdminCustomerSerializer(rows, many=True).data,
            entity_set="tenantRelationships/delegatedAdminCustomers",
        )


def _customer(request, customer_id) -> Customer:
    return selectors.delegated_admin_customer_list(actor=request.user).get(pk=customer_id)


class DelegatedAdminCustomerDetailApi(GdapGraphApiView):
    @extend_schema(
        operation_id="delegatedAdminCustomers_get",
        tags=TAGS,
        responses={200: s.DelegatedAdminCustomerSerializer, **ERRORS},
    )
    def get(self, request, customer_id):
        return Response(s.DelegatedAdminCustomerSerializer(_customer(request, customer_id)).data)


# Per-service management links: the simulated workload portals' home in the customer's tenant
# (``portals:home``, reversed by name: the portals sit above gdap).
SERVICE_MANAGEMENT = (
    ("azure", "Microsoft Azure"),
    ("m365", "Microsoft 365 admin center"),
    ("dynamics", "Dynamics 365 (Power Platform admin center)"),
)


class ServiceManagementDetailListApi(GdapGraphApiView):
    """``delegatedAdminServiceManagementDetail`` rows for one customer."""

    @extend_schema(
        operation_id="serviceManagementDetails_list", tags=TAGS, responses={200: COLLECTION, **ERRORS}
    )
    def get(self, request, customer_id):
        customer = _customer(request, customer_id)
        rows = [
            {
                "id": f"{customer.pk}-{key}",
                "serviceName": name,
                "serviceManagementUrl": request.build_absolute_uri(
                    reverse("portals:home", args=[key, customer.pk])
                ),
            }
            for key, name in SERVICE_MANAGEMENT
        ]
        root = request.build_absolute_uri("/graph/v1.0/")
        entity_set = f"tenantRelationships/delegatedAdminCustomers('{customer.pk}')/serviceManagementDetails"
        return Response(
            {
                "@odata.context": f"{root}$metadata#{entity_set}",
                "value": s.ServiceManagementDetailSerializer(rows, many=True).data,
            }
        )
