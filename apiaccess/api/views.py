"""``/v1/applications`` (GET, POST), ``/v1/applications/{id}`` (GET, DELETE),
``/v1/applications/{id}/secrets`` (POST) and ``/v1/applications/{id}/secrets/{keyId}`` (DELETE).

An extension (Partner Center has no such API; partners register apps in Entra): labelled
``x-extension`` in the OpenAPI document and listed in docs/fidelity.md. The partner's admin agents
only, with a person's token (others: 403; app tokens: 403, ``core.api.scopes.USER_ONLY``). POSTs
that answer a secret are not replayed through ``MS-RequestId`` (the stored answer would hold it).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status as http_status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api.errors import ApiError, django_validation_detail
from core.api.headers import request_id_for
from core.api.schema import CORRELATION_ID_PARAMETER, errors
from core.api.views import PartnerCenterApiView

from ..applications import (
    application_create,
    application_registrations_visible,
    application_remove,
    application_secret_add,
    application_secret_revoke,
)
from ..models import AppRegistration, AppSecret
from ..selectors import application_get, application_list
from .serializers import (
    ApplicationCreatedSerializer,
    ApplicationCreateSerializer,
    ApplicationSerializer,
    SecretCreatedSerializer,
    SecretCreateSerializer,
)

EXTENSION = {"x-extension": True}
TAGS = ["applications"]
APPLICATION_ID = OpenApiParameter(
    "application_id", str, OpenApiParameter.PATH, description="The registration's id."
)
KEY_ID = OpenApiParameter("key_id", str, OpenApiParameter.PATH, description="The secret's keyId.")
CREATE_EXAMPLE = OpenApiExample(
    "Register",
    request_only=True,
    value={"displayName": "PSA sync", "scopes": ["servicerequests.read", "servicerequests.write"]},
)


def _validation_error(exc: DjangoValidationError) -> ApiError:
    detail = django_validation_detail(exc)
    problems = [
        {"field": field, "reason": str(reason)} for field, reasons in detail.items() for reason in reasons
    ]
    fields = ", ".join(sorted({p["field"] for p in problems}))
    return ApiError("validation", f"Invalid property: {fields}.", problems)


def _no_store(response: Response) -> Response:
    response["Cache-Control"] = "no-store"
    return response


class _ApplicationApi(PartnerCenterApiView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        request_id_for(request)  # settle MS-RequestId before any service writes the audit trail
        if not application_registrations_visible(actor=request.user):
            raise PermissionDenied(_("Only the partner's admin agents manage app registrations."))

    def registration(self, application_id) -> AppRegistration:
        try:
            return application_get(actor=self.request.user, registration_id=application_id)
        except (AppRegistration.DoesNotExist, DjangoValidationError, ValueError):
            raise ApiError("not_found", f"No application {application_id}.") from None


class ApplicationListApi(_ApplicationApi):
    serializer_class = ApplicationSerializer

    @extend_schema(
        operation_id="applications_list",
        summary="The partner's app registrations",
        responses={200: ApplicationSerializer(many=True), **errors(403)},
        tags=TAGS,
        extensions=EXTENSION,
    )
    def get(self, request):
        return self.paginated_response(application_list(actor=request.user), ApplicationSerializer)

    @extend_schema(
        operation_id="applications_create",
        summary="Register an application; the answer holds its clientId and a clientSecret, once",
        parameters=[CORRELATION_ID_PARAMETER],
        request=ApplicationCreateSerializer,
        responses={201: ApplicationCreatedSerializer, **errors(400, 403)},
        examples=[CREATE_EXAMPLE],
        tags=TAGS,
        extensions=EXTENSION,
    )
    def post(self, request):
        serializer = ApplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            registration, _row, secret = application_create(
                actor=request.user,
                display_name=data["displayName"],
                scopes=data["scopes"],
                security_group_ids=data["securityGroupIds"],
                secret_description=data["secretDisplayName"],
                secret_expires_in_days=data["secretExpiresInDays"],
            )
        except DjangoValidationError as exc:
            raise _validation_error(exc) from None
        registration = application_get(actor=request.user, registration_id=registration.pk)
        registration.secret = secret
        response = Response(
            ApplicationCreatedSerializer(registration).data, status=http_status.HTTP_201_CREATED
        )
        response["Location"] = f"/v1/applications/{registration.pk}"
        return _no_store(response)


class ApplicationDetailApi(_ApplicationApi):
    serializer_class = ApplicationSerializer

    @extend_schema(
        operation_id="applications_retrieve",
        summary="One app registration (its secrets without their values)",
        parameters=[APPLICATION_ID],
        responses={200: ApplicationSerializer, **errors(403, 404)},
        tags=TAGS,
        extensions=EXTENSION,
    )
    def get(self, request, application_id):
        return Response(ApplicationSerializer(self.registration(application_id)).data)

    @extend_schema(
        operation_id="applications_delete",
        summary="Remove an application: its tokens stop working at once",
        parameters=[APPLICATION_ID, CORRELATION_ID_PARAMETER],
        request=None,
        responses={204: None, **errors(403, 404)},
        tags=TAGS,
        extensions=EXTENSION,
    )
    def delete(self, request, application_id):
        registration = self.registration(application_id)
        application_remove(actor=request.user, registration_id=registration.pk)
        return Response(status=http_status.HTTP_204_NO_CONTENT)


class ApplicationSecretListApi(_ApplicationApi):
    serializer_class = SecretCreatedSerializer

    @extend_schema(
        operation_id="applications_secrets_create",
        summary="Add a client secret (rotation: the others stay usable until revoked or expired)",
        parameters=[APPLICATION_ID, CORRELATION_ID_PARAMETER],
        request=SecretCreateSerializer,
        responses={201: SecretCreatedSerializer, **errors(400, 403, 404)},
        tags=TAGS,
        extensions=EXTENSION,
    )
    def post(self, request, application_id):
        registration = self.registration(application_id)
        serializer = SecretCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            row, secret = application_secret_add(
                actor=request.user,
                registration_id=registration.pk,
                description=serializer.validated_data["displayName"],
                expires_in_days=serializer.validated_data["expiresInDays"],
            )
        except DjangoValidationError as exc:
            raise _validation_error(exc) from None
        row.secret = secret
        return _no_store(Response(SecretCreatedSerializer(row).data, status=http_status.HTTP_201_CREATED))


class ApplicationSecretDetailApi(_ApplicationApi):
    serializer_class = SecretCreatedSerializer

    @extend_schema(
        operation_id="applications_secrets_delete",
        summary="Revoke a client secret: token requests with it fail from now on",
        parameters=[APPLICATION_ID, KEY_ID, CORRELATION_ID_PARAMETER],
        request=None,
        responses={204: None, **errors(403, 404)},
        tags=TAGS,
        extensions=EXTENSION,
    )
    def delete(self, request, application_id, key_id):
        registration = self.registration(application_id)
        try:
            application_secret_revoke(actor=request.user, registration_id=registration.pk, secret_id=key_id)
        except (AppSecret.DoesNotExist, DjangoValidationError, ValueError):
            raise ApiError(
                "not_found", f"No usable secret {key_id} of application {application_id}."
            ) from None
        return Response(status=http_status.HTTP_204_NO_CONTENT)
