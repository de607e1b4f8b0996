"""``/v1`` filing: filing a request (mixed into the list endpoints' POST) and the eligibility dry run.

Both go through the filing pipeline of ``servicerequests.services.filing`` — the same
eligibility request, check and filing service as the browser and the stub portals. A service
``ValidationError`` is answered here, naming the ``/v1`` fields; the pipeline's refusals are
answered by the API's exception handler (``core.api.errors``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status as http_status
from rest_framework.response import Response

from core.api.errors import ApiError, django_validation_detail
from core.api.headers import etag_for
from core.api.idempotency import run_idempotent
from core.api.schema import (
    CORRELATION_ID_PARAMETER,
    REQUEST_ID_PARAMETER,
    TENANT_ID_PARAMETER,
    X_EXTENSION,
    errors,
)
from core.api.views import PartnerCenterApiView
from core.i18n import supported_language
from customers.api.mixins import CustomerScopedMixin
from servicerequests.choices import SupportLanguage
from servicerequests.exceptions import FilingRefused
from servicerequests.services import (
    eligibility_request_build,
    service_request_eligibility_check,
    service_request_file,
)
from servicerequests.support_topics import default_support_topic_id

from . import examples
from .serializers import (
    EligibilityDecisionSerializer,
    EligibilityInputSerializer,
    FiledServiceRequestSerializer,
    OwnServiceRequestCreateSerializer,
    ServiceRequestSerializer,
)

# Service-layer field names → ``/v1`` wire paths, for validation errors.
WIRE_FIELD_NAMES = {
    "support_topic_id": "supportTopicId",
    "contact_first_name": "primaryContact.firstName",
    "contact_last_name": "primaryContact.lastName",
    "contact_email": "primaryContact.email",
    "contact_phone": "primaryContact.phoneNumber",
    "subscription_id": "subscriptionId",
    "issue_type": "issueType",
    "support_plan": "supportPlan",
    "support_entitlement_id": "supportEntitlementId",
    "support_language": "supportLanguage",
    "note_text": "newNote.text",
    "text": "newNote.text",
    "assigned_to": "assignedTo",
}


def wire_validation_error(exc: DjangoValidationError) -> ApiError:
    """A service ``ValidationError`` as a 400 naming the ``/v1`` fields."""
    detail = django_validation_detail(exc)
    data = [
        {"field": WIRE_FIELD_NAMES.get(field, field if field != "__all__" else ""), "reason": str(reason)}
        for field, reasons in detail.items()
        for reason in reasons
    ]
    fields = ", ".join(sorted({d["field"] for d in data if d["field"]}))
    return ApiError(
        "validation", _("Invalid property: %(field)s.") % {"field": fields} if fields else "", data
    )


class FilingMixin:
    """Filing and dry runs through the filing pipeline (``servicerequests.services.filing``).

    The pipeline's refusals (``FilingError``: unknown customer, eligibility denied, marketplace)
    propagate to the API's exception handler, which answers each as the error it declares.
    """

    def _file(
        self,
        request,
        *,
        customer_id,
        serializer_class,
        customer=None,
        default_topic=False,
        support_language="",
    ):
        """File the body of ``serializer_class``. ``default_topic``: a request naming no
        ``supportTopicId`` gets its workload's default topic (``POST
        /v1/customers/{id}/servicerequests``, this portal's extension; see DEFAULT_SUPPORT_TOPICS).
        ``support_language``: the path's agent locale, which wins over the body's ``supportLanguage``."""
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        contact = data.get("primaryContact") or {}
        topic_id = data.get("supportTopicId")
        if topic_id is None and default_topic:
            topic_id = default_support_topic_id(data["workload"], data.get("issueType", ""))
        try:
            service_request = service_request_file(
                actor=request.user,
                customer_id=customer_id,
                customer=customer,
                workload=data["workload"],
                title=data["title"],
                description=data["description"],
                severity=data["severity"],
                support_topic_id=topic_id,
                contact_first_name=contact.get("firstName", ""),
                contact_last_name=contact.get("lastName", ""),
                contact_email=contact.get("email", ""),
                contact_phone=contact.get("phoneNumber", ""),
                subscription_id=data.get("subscriptionId") or None,
                issue_type=data.get("issueType", ""),
                support_plan=data.get("supportPlan", ""),
                support_entitlement_id=data.get("supportEntitlementId", ""),
                support_language=support_language or data.get("supportLanguage", ""),
            )
        except DjangoValidationError as exc:
            raise wire_validation_error(exc) from None
        body = FiledServiceRequestSerializer(service_request).data
        location = request.build_absolute_uri(body["links"]["self"]["uri"])
        return Response(
            body,
            status=http_status.HTTP_201_CREATED,
            headers={"Location": location, "ETag": etag_for(service_request.version)},
        )

    def _dry_run(self, request, *, customer_id):
        serializer = EligibilityInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        contact = data.get("primaryContact") or {}
        eligibility_request = eligibility_request_build(
            actor=request.user,
            customer_id=customer_id,
            workload=data["workload"],
            subscription_id=data.get("subscriptionId"),
            issue_type=data.get("issueType", ""),
            contact_email=contact.get("email", ""),
            contact_phone=contact.get("phoneNumber", ""),
            severity=data.get("severity", ""),
            support_plan=data.get("supportPlan", ""),
            support_entitlement_id=data.get("supportEntitlementId", ""),
        )
        try:
            decision = service_request_eligibility_check(
                actor=request.user, eligibility_request=eligibility_request
            )
        except FilingRefused as exc:  # the dry run reports a refusal instead of answering it
            decision = exc.decision
        return Response({**decision.as_dict(), "attributes": {"objectType": "EligibilityDecision"}})


class CustomerEligibilityApi(CustomerScopedMixin, FilingMixin, PartnerCenterApiView):
    """POST /v1/customers/{tenantId}/servicerequests/eligibility: the dry run (writes nothing)."""

    serializer_class = EligibilityDecisionSerializer

    @extend_schema(
        operation_id="customer_servicerequests_eligibility",
        extensions=X_EXTENSION,
        summary="Would this request be allowed? Every rule's outcome, without filing",
        parameters=[TENANT_ID_PARAMETER, REQUEST_ID_PARAMETER, CORRELATION_ID_PARAMETER],
        request=EligibilityInputSerializer,
        responses={200: EligibilityDecisionSerializer, **errors(400, 404, 409)},
        examples=[examples.ELIGIBILITY_REQUEST, examples.ELIGIBILITY_DECISION],
        tags=["service requests"],
    )
    def post(self, request, tenant_id):
        customer = self.get_customer()
        return run_idempotent(self, request, lambda: self._dry_run(request, customer_id=customer.pk))


AGENT_LOCALE_PARAMETER = OpenApiParameter(
    "agent_locale",
    str,
    OpenApiParameter.PATH,
    pattern="^[A-Za-z]{2}-[A-Za-z]{2}$",
    description=(
        "The language of the request (BCP 47, e.g. pt-BR): the request's supportLanguage and the "
        "language of this call's messages, as Partner Center's create took it. A path that is not "
        "a language and a region is no resource (404); an unknown one is a 400 naming agent-locale."
    ),
)


class AgentLocaleServiceRequestCreateApi(FilingMixin, PartnerCenterApiView):
    """POST /v1/servicerequests/{agent-locale}: Partner Center's create path, filing a request about
    the partner's own subscription in that locale. The locale becomes the request's
    ``supportLanguage`` and the language of the answer's texts; an unknown one is a 400 naming
    ``agent-locale``. The body is that of ``POST /v1/servicerequests``."""

    serializer_class = OwnServiceRequestCreateSerializer  # the body's fields, for OPTIONS (DRF's metadata)

    @extend_schema(
        operation_id="servicerequests_create_own_in_locale",
        summary="File a request about the partner's own subscription, in a locale",
        description=(
            "Partner Center's create path (POST /v1/servicerequests/{agent-locale}); supportTopicId "
            "is required, as it was there."
        ),
        parameters=[AGENT_LOCALE_PARAMETER, REQUEST_ID_PARAMETER, CORRELATION_ID_PARAMETER],
        request=OwnServiceRequestCreateSerializer,
        responses={201: ServiceRequestSerializer, **errors(400, 403, 404, 409)},
        examples=[examples.OWN_CREATE_REQUEST, examples.SERVICE_REQUEST],
        tags=["service requests"],
    )
    def post(self, request, agent_locale):
        support_language = _support_language_of_locale(agent_locale)
        if support_language is not None:
            # The answer's texts and its Content-Language follow the path's locale.
            translation.activate(supported_language(agent_locale) or translation.get_language())
            request.LANGUAGE_CODE = translation.get_language()
        else:
            raise ApiError(
                "validation",
                _("Invalid property: agent-locale."),
                [
                    {
                        "field": "agent-locale",
                        "reason": _("%(locale)r is not one of %(values)s")
                        % {"locale": agent_locale, "values": ", ".join(SupportLanguage.values)},
                    }
                ],
            )
        return run_idempotent(
            self,
            request,
            lambda: self._file(
                request,
                customer_id=None,
                serializer_class=OwnServiceRequestCreateSerializer,
                support_language=support_language,
            ),
        )


def _support_language_of_locale(locale: str) -> str | None:
    """The ``SupportLanguage`` value an agent locale names (case-insensitive), or None."""
    by_lower = {value.lower(): value for value in SupportLanguage.values}
    return by_lower.get(locale.lower())
