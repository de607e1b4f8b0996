"""``/v1/webhooks/registration`` (GET, POST, DELETE) and ``/v1/webhooks/test`` (POST).

Admin agents and support managers of the partner only (others: 403). The registration's POST is
not replayed through ``MS-RequestId`` idempotency on purpose: the stored answer would hold the
signing secret; a retried POST gets 409 (the partner already has a registration).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status as http_status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api.errors import ApiError, django_validation_detail
from core.api.headers import request_id_for
from core.api.schema import CORRELATION_ID_PARAMETER, X_EXTENSION, errors
from core.api.views import PartnerCenterApiView

from ..selectors import webhook_registration_get, webhooks_visible
from ..services import (
    WebhookRegistrationExists,
    WebhookRegistrationMissing,
    webhook_registration_create,
    webhook_registration_delete,
    webhook_test_send,
)
from .serializers import (
    WebhookRegistrationCreatedSerializer,
    WebhookRegistrationCreateSerializer,
    WebhookRegistrationSerializer,
    WebhookTestEventSerializer,
)

WIRE_FIELD_NAMES = {"url": "webhookUrl", "events": "webhookEvents"}

REGISTRATION_EXAMPLE = OpenApiExample(
    "Registration",
    response_only=True,
    value={
        "subscriberId": "6f1c2a4e-8d5b-4c1a-9e2f-3a4b5c6d7e8f",
        "registrationId": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "webhookUrl": "https://hooks.contosopartners.com/partnercenter",
        "webhookEvents": ["servicerequest-created", "servicerequest-updated"],
        "secretHint": "…x3Qk",
        "createdDate": "2026-03-01T10:15:30.123456Z",
        "attributes": {"objectType": "WebhookRegistration"},
    },
)
CREATE_EXAMPLE = OpenApiExample(
    "Register",
    request_only=True,
    value={
        "webhookUrl": "https://hooks.contosopartners.com/partnercenter",
        "webhookEvents": ["servicerequest-created", "servicerequest-updated", "gdap-relationship-updated"],
    },
)


class _WebhookApi(PartnerCenterApiView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Settle the MS-RequestId (a fresh one when the client sent none) before any service runs,
        # so that the audit trail (``core.context.request_context()``) records the one answered.
        request_id_for(request)
        if not webhooks_visible(actor=request.user):
            raise PermissionDenied(_("Only the partner's admin agents and support managers manage webhooks."))


class WebhookRegistrationApi(_WebhookApi):
    """The partner's webhook registration."""

    serializer_class = WebhookRegistrationSerializer

    @extend_schema(
        operation_id="webhooks_registration_retrieve",
        summary="The partner's webhook registration",
        responses={200: WebhookRegistrationSerializer, **errors(403, 404)},
        examples=[REGISTRATION_EXAMPLE],
        tags=["webhooks"],
    )
    def get(self, request):
        registration = webhook_registration_get(actor=request.user)
        if registration is None:
            raise ApiError("not_found", "The partner has no webhook registration.")
        return Response(WebhookRegistrationSerializer(registration).data)

    @extend_schema(
        operation_id="webhooks_registration_create",
        summary="Register a URL for webhook events; the answer holds the signing secret, once",
        parameters=[CORRELATION_ID_PARAMETER],
        request=WebhookRegistrationCreateSerializer,
        responses={201: WebhookRegistrationCreatedSerializer, **errors(400, 403, 409)},
        examples=[CREATE_EXAMPLE, REGISTRATION_EXAMPLE],
        tags=["webhooks"],
    )
    def post(self, request):
        serializer = WebhookRegistrationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            registration, secret = webhook_registration_create(
                actor=request.user,
                url=data["webhookUrl"],
                events=data["webhookEvents"],
            )
        except DjangoValidationError as exc:
            detail = django_validation_detail(exc)
            problems = [
                {"field": WIRE_FIELD_NAMES.get(field, field), "reason": str(reason)}
                for field, reasons in detail.items()
                for reason in reasons
            ]
            fields = ", ".join(sorted({p["field"] for p in problems}))
            raise ApiError("validation", f"Invalid property: {fields}.", problems) from None
        except WebhookRegistrationExists as exc:
            raise ApiError("conflict", str(exc)) from None
        registration.secret = secret
        response = Response(
            WebhookRegistrationCreatedSerializer(registration).data, status=http_status.HTTP_201_CREATED
        )
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        operation_id="webhooks_registration_delete",
        summary="Delete the partner's webhook registration",
        parameters=[CORRELATION_ID_PARAMETER],
        request=None,
        responses={204: None, **errors(403, 404)},
        tags=["webhooks"],
    )
    def delete(self, request):
        if not webhook_registration_delete(actor=request.user):
            raise ApiError("not_found", "The partner has no webhook registration.")
        return Response(status=http_status.HTTP_204_NO_CONTENT)


class WebhookTestApi(_WebhookApi):
    """POST /v1/webhooks/test: a ``test-created`` event to the registration, now."""

    serializer_class = WebhookTestEventSerializer

    @extend_schema(
        operation_id="webhooks_test",
        extensions=X_EXTENSION,
        summary="Send a test-created event to the registered URL",
        parameters=[CORRELATION_ID_PARAMETER],
        request=None,
        responses={202: WebhookTestEventSerializer, **errors(403, 404)},
        tags=["webhooks"],
    )
    def post(self, request):
        try:
            event = webhook_test_send(actor=request.user)
        except WebhookRegistrationMissing as exc:
            raise ApiError("not_found", str(exc)) from None
        return Response(WebhookTestEventSerializer(event).data, status=http_status.HTTP_202_ACCEPTED)
