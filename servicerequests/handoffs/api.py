"""``/v1`` hand-offs (an extension of Partner Center's contract, labelled ``x-extension`` in the
OpenAPI document; docs/fidelity.md says why):

- ``POST /v1/customers/{tenantId}/servicerequests/handoffs``: a reseller's admin agent asks the
  subscription's provider to file a non-technical Azure request (SR-AZURE-NONTECH-PROVIDER-ONLY);
- ``GET /v1/servicerequests/handoffs`` and ``GET /v1/servicerequests/handoffs/{id}``: what the
  partner sent or received (never another partner's);
- ``POST .../handoffs/{id}/accept`` (the provider's admin agent files it through the filing
  pipeline), ``POST .../handoffs/{id}/decline`` (with a reason), ``POST .../handoffs/{id}/notes``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework import status as http_status
from rest_framework.response import Response

from core.api.errors import ApiError
from core.api.idempotency import run_idempotent
from core.api.schema import CORRELATION_ID_PARAMETER, REQUEST_ID_PARAMETER, TENANT_ID_PARAMETER, errors
from core.api.serializers import ResourceAttributesField
from core.api.views import PartnerCenterApiView
from customers.api.mixins import CustomerScopedMixin

from ..api.filing import wire_validation_error
from .models import ServiceRequestHandoff
from .selectors import handoff_list, handoff_with_relations
from .services import (
    DECLINE_REASON_MAX,
    DESCRIPTION_MAX,
    handoff_accept,
    handoff_add_note,
    handoff_create,
    handoff_decline,
)

EXTENSION = {"x-extension": True}
TAGS = ["service request hand-offs"]
HANDOFF_ID_PARAMETER = OpenApiParameter(
    "handoff_id", str, OpenApiParameter.PATH, description="The hand-off's id (GUID)."
)

#: Service field names → wire names, for validation errors.
WIRE_FIELDS = {
    "subscription_id": "subscriptionId",
    "issue_type": "issueType",
    "contact_email": "primaryContact.email",
    "reason": "reason",
    "text": "text",
}


def _wire_error(exc: DjangoValidationError) -> ApiError:
    renamed = DjangoValidationError(
        {WIRE_FIELDS.get(field, field): messages for field, messages in exc.message_dict.items()}
    )
    return wire_validation_error(renamed)


class ContactSerializer(serializers.Serializer):
    firstName = serializers.CharField(required=False, allow_blank=True, max_length=100)
    lastName = serializers.CharField(required=False, allow_blank=True, max_length=100)
    email = serializers.EmailField(required=False, allow_blank=True)
    phoneNumber = serializers.CharField(required=False, allow_blank=True, max_length=64)


class HandoffCreateSerializer(serializers.Serializer):
    subscriptionId = serializers.UUIDField()
    issueType = serializers.CharField(help_text="billing, subscription_management or quota", max_length=32)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=DESCRIPTION_MAX)
    severity = serializers.CharField(help_text="critical, moderate or minimal", max_length=16)
    primaryContact = ContactSerializer(required=False)


class HandoffAcceptSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    severity = serializers.CharField(
        required=False, allow_blank=True, help_text="critical, moderate or minimal"
    )


class HandoffDeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=DECLINE_REASON_MAX)


class HandoffNoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10000)


class HandoffNoteOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    createdByName = serializers.CharField(source="created_by_name")
    partnerId = serializers.CharField(source="partner_id")
    createdDate = serializers.DateTimeField(source="created_at")


class HandoffSerializer(serializers.ModelSerializer):
    """A hand-off as both partners read it, with the filed request's id and status."""

    resellerId = serializers.CharField(source="reseller_id")
    resellerName = serializers.CharField(source="reseller.name")
    providerId = serializers.CharField(source="provider_id")
    providerName = serializers.CharField(source="provider.name")
    customerId = serializers.CharField(source="customer_id")
    customerName = serializers.CharField(source="customer.name")
    subscriptionId = serializers.CharField(source="subscription_id")
    issueType = serializers.CharField(source="issue_type")
    workload = serializers.CharField()
    severity = serializers.CharField()
    status = serializers.CharField(help_text="pending, accepted or declined")
    primaryContact = serializers.SerializerMethodField()
    dueDate = serializers.DateTimeField(source="due_at")
    declineReason = serializers.CharField(source="decline_reason")
    serviceRequestId = serializers.CharField(source="service_request_id", allow_null=True)
    serviceRequestStatus = serializers.SerializerMethodField()
    createdDate = serializers.DateTimeField(source="created_at")
    lastModifiedDate = serializers.DateTimeField(source="updated_at")
    notes = HandoffNoteOutSerializer(many=True, read_only=True)
    attributes = ResourceAttributesField("ServiceRequestHandoff")

    class Meta:
        model = ServiceRequestHandoff
        fields = [
            "id",
            "resellerId",
            "resellerName",
            "providerId",
            "providerName",
            "customerId",
            "customerName",
            "subscriptionId",
            "workload",
            "issueType",
            "title",
            "description",
            "severity",
            "status",
            "primaryContact",
            "dueDate",
            "declineReason",
            "serviceRequestId",
            "serviceRequestStatus",
            "createdDate",
            "lastModifiedDate",
            "notes",
            "attributes",
        ]

    def get_primaryContact(self, h) -> dict:
        return {
            "firstName": h.contact_first_name,
            "lastName": h.contact_last_name,
            "email": h.contact_email,
            "phoneNumber": h.contact_phone,
        }

    def get_serviceRequestStatus(self, h) -> str | None:
        return h.service_request.status if h.service_request_id else None


def _scoped(actor):
    return handoff_with_relations(handoff_list(actor=actor)).prefetch_related("notes")


def _one(view, handoff_id) -> ServiceRequestHandoff:
    try:
        return _scoped(view.request.user).get(pk=handoff_id)
    except (ServiceRequestHandoff.DoesNotExist, DjangoValidationError, ValueError):
        raise ApiError("not_found", _("Hand-off %(id)s was not found.") % {"id": handoff_id}) from None


def _answer(handoff_id, request, status=http_status.HTTP_200_OK) -> Response:
    handoff = _scoped(request.user).get(pk=handoff_id)
    return Response(HandoffSerializer(handoff).data, status=status)


class CustomerHandoffCreateApi(CustomerScopedMixin, PartnerCenterApiView):
    """POST /v1/customers/{tenantId}/servicerequests/handoffs."""

    serializer_class = HandoffSerializer
    queryset = ServiceRequestHandoff.objects.none()

    @extend_schema(
        operation_id="customer_servicerequest_handoffs_create",
        summary="Ask the subscription's provider to file a non-technical Azure request",
        parameters=[TENANT_ID_PARAMETER, REQUEST_ID_PARAMETER, CORRELATION_ID_PARAMETER],
        request=HandoffCreateSerializer,
        responses={201: HandoffSerializer, **errors(400, 403, 404, 409)},
        extensions=EXTENSION,
        tags=TAGS,
    )
    def post(self, request, tenant_id):
        customer = self.get_customer()

        def create():
            serializer = HandoffCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            contact = data.get("primaryContact") or {}
            try:
                handoff = handoff_create(
                    actor=request.user,
                    customer_id=customer.pk,
                    subscription_id=data["subscriptionId"],
                    issue_type=data["issueType"],
                    title=data["title"],
                    description=data["description"],
                    severity=data["severity"],
                    contact_first_name=contact.get("firstName", ""),
                    contact_last_name=contact.get("lastName", ""),
                    contact_email=contact.get("email", ""),
                    contact_phone=contact.get("phoneNumber", ""),
                )
            except DjangoValidationError as exc:
                raise _wire_error(exc) from None
            response = _answer(handoff.pk, request, status=http_status.HTTP_201_CREATED)
            response["Location"] = request.build_absolute_uri(f"/v1/servicerequests/handoffs/{handoff.pk}")
            return response

        return run_idempotent(self, request, create)


class HandoffListApi(PartnerCenterApiView):
    """GET /v1/servicerequests/handoffs: the hand-offs the partner sent or received."""

    selector = staticmethod(handoff_list)
    serializer_class = HandoffSerializer
    queryset = ServiceRequestHandoff.objects.none()

    @extend_schema(
        operation_id="servicerequest_handoffs_list",
        summary="The hand-offs the partner sent to its provider or received from its resellers",
        parameters=[
            OpenApiParameter("status", str, enum=["pending", "accepted", "declined"], required=False),
            OpenApiParameter("direction", str, enum=["sent", "received"], required=False),
        ],
        responses={200: HandoffSerializer(many=True), **errors(400)},
        extensions=EXTENSION,
        tags=TAGS,
    )
    def get(self, request):
        queryset = _scoped(request.user).order_by("-created_at", "-id")
        status = request.query_params.get("status", "")
        if status:
            if status not in ("pending", "accepted", "declined"):
                raise ApiError(
                    "validation",
                    _("Invalid property: %(field)s.") % {"field": "status"},
                    [
                        {
                            "field": "status",
                            "reason": _("%(value)r is not one of %(values)s")
                            % {"value": status, "values": "pending, accepted, declined"},
                        }
                    ],
                )
            queryset = queryset.filter(status=status)
        direction = request.query_params.get("direction", "")
        if direction == "sent":
            queryset = queryset.filter(reseller_id=request.user.partner_id)
        elif direction == "received":
            queryset = queryset.filter(provider_id=request.user.partner_id)
        elif direction:
            raise ApiError(
                "validation",
                _("Invalid property: %(field)s.") % {"field": "direction"},
                [
                    {
                        "field": "direction",
                        "reason": _("%(value)r is not one of %(values)s")
                        % {"value": direction, "values": "sent, received"},
                    }
                ],
            )
        return self.paginated_response(queryset, HandoffSerializer)


class HandoffDetailApi(PartnerCenterApiView):
    """GET /v1/servicerequests/handoffs/{id}."""

    selector = staticmethod(handoff_list)
    serializer_class = HandoffSerializer
    queryset = ServiceRequestHandoff.objects.none()

    @extend_schema(
        operation_id="servicerequest_handoffs_get",
        summary="One hand-off, with the filed request's id and status and both sides' notes",
        parameters=[HANDOFF_ID_PARAMETER],
        responses={200: HandoffSerializer, **errors(404)},
        extensions=EXTENSION,
        tags=TAGS,
    )
    def get(self, request, handoff_id):
        return Response(HandoffSerializer(_one(self, handoff_id)).data)


class HandoffAcceptApi(PartnerCenterApiView):
    """POST /v1/servicerequests/handoffs/{id}/accept: the provider's admin agent files it."""

    serializer_class = HandoffSerializer
    queryset = ServiceRequestHandoff.objects.none()

    @extend_schema(
        operation_id="servicerequest_handoffs_accept",
        summary="File the hand-off through the filing pipeline (the provider's admin agent)",
        parameters=[HANDOFF_ID_PARAMETER, REQUEST_ID_PARAMETER, CORRELATION_ID_PARAMETER],
        request=HandoffAcceptSerializer,
        responses={200: HandoffSerializer, **errors(400, 403, 404, 409)},
        extensions=EXTENSION,
        tags=TAGS,
    )
    def post(self, request, handoff_id):
        handoff = _one(self, handoff_id)

        def accept():
            serializer = HandoffAcceptSerializer(data=request.data or {})
            serializer.is_valid(raise_exception=True)
            try:
                handoff_accept(actor=request.user, handoff=handoff, **serializer.validated_data)
            except DjangoValidationError as exc:
                raise _wire_error(exc) from None
            return _answer(handoff.pk, request)

        return run_idempotent(self, request, accept)


class HandoffDeclineApi(PartnerCenterApiView):
    """POST /v1/servicerequests/handoffs/{id}/decline: the provider declines with a reason."""

    serializer_class = HandoffSerializer
    queryset = ServiceRequestHandoff.objects.none()

    @extend_schema(
        operation_id="servicerequest_handoffs_decline",
        summary="Decline the hand-off with a reason the reseller reads (the provider)",
        parameters=[HANDOFF_ID_PARAMETER, REQUEST_ID_PARAMETER, CORRELATION_ID_PARAMETER],
        request=HandoffDeclineSerializer,
        responses={200: HandoffSerializer, **errors(400, 403, 404, 409)},
        extensions=EXTENSION,
        tags=TAGS,
    )
    def post(self, request, handoff_id):
        handoff = _one(self, handoff_id)

        def decline():
            serializer = HandoffDeclineSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            try:
                handoff_decline(
                    actor=request.user, handoff=handoff, reason=serializer.validated_data["reason"]
                )
            except DjangoValidationError as exc:
                raise _wire_error(exc) from None
            return _answer(handoff.pk, request)

        return run_idempotent(self, request, decline)


class HandoffNoteApi(PartnerCenterApiView):
    """POST /v1/servicerequests/handoffs/{id}/notes: either side adds a note."""

    serializer_class = HandoffSerializer
    queryset = ServiceRequestHandoff.objects.none()

    @extend_schema(
        operation_id="servicerequest_handoffs_add_note",
        summary="Add a note to the hand-off (admin agents and support managers of either side)",
        parameters=[HANDOFF_ID_PARAMETER, REQUEST_ID_PARAMETER, CORRELATION_ID_PARAMETER],
        request=HandoffNoteSerializer,
        responses={201: HandoffSerializer, **errors(400, 403, 404, 409)},
        extensions=EXTENSION,
        tags=TAGS,
    )
    def post(self, request, handoff_id):
        handoff = _one(self, handoff_id)

        def note():
            serializer = HandoffNoteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            try:
                handoff_add_note(actor=request.user, handoff=handoff, text=serializer.validated_data["text"])
            except DjangoValidationError as exc:
                raise _wire_error(exc) from None
            return _answer(handoff.pk, request, status=http_status.HTTP_201_CREATED)

        return run_idempotent(self, request, note)
