"""``/v1`` service requests: list, get, file (with the eligibility dry run), update, support topics.

Filing and the dry run are in ``filing.py`` (the filing pipeline of ``servicerequests.services``), mixed
into the list endpoints' POST here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from core.api.errors import ApiError
from core.api.headers import (
    etag_for,
    if_match_versions,
)
from core.api.idempotency import run_idempotent
from core.api.schema import (
    CORRELATION_ID_PARAMETER,
    IF_MATCH_PARAMETER,
    REQUEST_ID_PARAMETER,
    TENANT_ID_PARAMETER,
    X_EXTENSION,
    errors,
)
from core.api.views import PartnerCenterApiView
from core.text import ascii_digits
from customers.api.mixins import CustomerScopedMixin
from customers.choices import Workload
from customers.selectors import sees_customers_through_partner
from partners.models import Partner
from partners.selectors import partner_users
from servicerequests.filters import ServiceRequestFilterSet
from servicerequests.models import Note, ServiceRequest, SupportTopic
from servicerequests.selectors import service_request_list, support_topic_get
from servicerequests.services import UNSET, service_request_update

from . import examples
from .filing import FilingMixin, wire_validation_error
from .serializers import (
    OwnServiceRequestCreateSerializer,
    ServiceRequestCreateSerializer,
    ServiceRequestSerializer,
    ServiceRequestSummarySerializer,
    ServiceRequestUpdateSerializer,
    SupportTopicSerializer,
)
from .summaries import SummaryRow, summary_rows


def _detail_queryset(queryset):
    return queryset.select_related(
        "customer", "partner", "support_topic", "subscription", "created_by", "assigned_to"
    ).prefetch_related(Prefetch("notes", queryset=Note.objects.select_related("created_by")), "attachments")


def _summary_relations(rows: list[SummaryRow]) -> None:
    """Attach to a collection page's rows the relations only some rows have: the support topic (from
    the process's copy of the topic table, ``support_topic_get``), the partner (requests without a
    customer) and the snapshot's portal URL (requests not yet routed to a customer's portal, see
    ``portal_uri``). At most one query each for the last two, and none when no row on the page
    needs it."""
    topic_ids = {r.support_topic_id for r in rows if r.support_topic_id}
    own = [r for r in rows if r.customer_id is None]
    unrouted = [r.pk for r in rows if not (r.customer_id and r.portal)]
    topics = {topic_id: support_topic_get(topic_id) for topic_id in topic_ids}
    partner = Partner.objects.only("id", "name", "support_phone").get(pk=own[0].partner_id) if own else None
    portal_urls = (
        dict(
            ServiceRequest.objects.filter(pk__in=unrouted).values_list(
                "pk", KeyTextTransform("url", KeyTransform("portal", "eligibility"))
            )
        )
        if unrouted
        else {}
    )
    for row in rows:
        row.support_topic = topics.get(row.support_topic_id)
        if row.customer_id is None:
            row.partner = partner
        row.eligibility_portal_url = portal_urls.get(row.pk)


class ServiceRequestFilterBackend(DjangoFilterBackend):
    """``ServiceRequestFilterSet`` over a list view's scoped queryset; a bad parameter is a 400 in
    the ``/v1`` error shape naming it (the first one, in the filter set's order). Only the
    parameters the query string carries are built and validated (``only_given``)."""

    def get_filterset_kwargs(self, request, queryset, view):
        return {**super().get_filterset_kwargs(request, queryset, view), "only_given": True}

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        error = filterset.first_error()
        if error is not None:
            field, reason = error
            raise ApiError(
                "validation",
                _("Invalid property: %(field)s.") % {"field": field},
                [{"field": field, "reason": reason}],
            )
        return filterset.qs


def _enum_param(raw: str, field: str, values: list[str], integers: dict[int, str]) -> list[str]:
    result = []
    for part in raw.split(","):
        part = part.strip()
        if ascii_digits(part) and int(part) in integers:
            result.append(str(integers[int(part)]))
        elif part in values:
            result.append(part)
        else:
            raise ApiError(
                "validation",
                _("Invalid property: %(field)s.") % {"field": field},
                [
                    {
                        "field": field,
                        "reason": _("%(value)r is not one of %(values)s")
                        % {"value": part, "values": ", ".join(values)},
                    }
                ],
            )
    return result


class ServiceRequestListApi(FilingMixin, PartnerCenterApiView):
    """GET /v1/servicerequests: the partner's requests; POST: one about the partner's own subscription."""

    selector = staticmethod(service_request_list)
    page_ids_first = True  # deep offsets: the page's ids from the index, then the rows
    page_rows = staticmethod(summary_rows)  # a page's rows as values (``SummaryRow``)
    keyset_paging = True  # continuationToken / seekOperation=Next (an extension, docs/fidelity.md)
    serializer_class = ServiceRequestSummarySerializer
    filter_backends = [ServiceRequestFilterBackend]
    filterset_class = ServiceRequestFilterSet
    queryset = ServiceRequest.objects.none()  # the model, for the OpenAPI document; rows: selector

    @extend_schema(
        operation_id="servicerequests_list",
        summary="The partner's service requests",
        responses={200: ServiceRequestSummarySerializer(many=True), **errors(400)},
        examples=[examples.SERVICE_REQUEST_SUMMARY],
        tags=["service requests"],
    )
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        return self.paginated_response(queryset, ServiceRequestSummarySerializer, prepare=_summary_relations)

    @extend_schema(
        operation_id="servicerequests_create_own",
        extensions=X_EXTENSION,
        summary="File a request about the partner's own subscription (SR-OWN-SUBSCRIPTION-ENTITLEMENT)",
        description=(
            "This portal's extension at the path of Partner Center's decommissioned create "
            "(POST /v1/servicerequests/{agent-locale}); supportTopicId is required, as it was there."
        ),
        parameters=[REQUEST_ID_PARAMETER, CORRELATION_ID_PARAMETER],
        request=OwnServiceRequestCreateSerializer,
        responses={201: ServiceRequestSerializer, **errors(400, 403, 409)},
        examples=[examples.OWN_CREATE_REQUEST, examples.SERVICE_REQUEST, examples.DENIED_OWN],
        tags=["service requests"],
    )
    def post(self, request):
        return run_idempotent(
            self,
            request,
            lambda: self._file(request, customer_id=None, serializer_class=OwnServiceRequestCreateSerializer),
        )


class CustomerServiceRequestListApi(CustomerScopedMixin, FilingMixin, PartnerCenterApiView):
    """GET /v1/customers/{tenantId}/servicerequests; POST files one on behalf of the customer."""

    selector = staticmethod(service_request_list)
    page_ids_first = True  # deep offsets: the page's ids from the index, then the rows
    page_rows = staticmethod(summary_rows)  # a page's rows as values (``SummaryRow``)
    keyset_paging = True  # continuationToken / seekOperation=Next (an extension, docs/fidelity.md)
    serializer_class = ServiceRequestSummarySerializer
    filter_backends = [ServiceRequestFilterBackend]
    filterset_class = ServiceRequestFilterSet
    queryset = ServiceRequest.objects.none()  # the model, for the OpenAPI document; rows: selector

    @extend_schema(
        operation_id="customer_servicerequests_list",
        summary="The partner's service requests for one customer",
        parameters=[TENANT_ID_PARAMETER],
        responses={200: ServiceRequestSummarySerializer(many=True), **errors(400, 404)},
        examples=[examples.SERVICE_REQUEST_SUMMARY],
        tags=["service requests"],
    )
    def get(self, request, tenant_id):
        customer = self.get_customer()
        queryset = self.get_queryset().filter(customer=customer)
        return self.paginated_response(
            self.filter_queryset(queryset),
            ServiceRequestSummarySerializer,
            prepare=_summary_relations,
        )

    @extend_schema(
        operation_id="customer_servicerequests_create",
        extensions=X_EXTENSION,
        summary="File a service request on behalf of the customer",
        description=(
            "This portal's extension: Partner Center has no such call (on-behalf requests are filed in "
            "the workload portals). Runs the eligibility rules and files through the same pipeline as "
            "the browser. Without supportTopicId the request gets its workload's general topic."
        ),
        parameters=[TENANT_ID_PARAMETER, REQUEST_ID_PARAMETER, CORRELATION_ID_PARAMETER],
        request=ServiceRequestCreateSerializer,
        responses={
            201: ServiceRequestSerializer,
            **errors(
                400,
                403,
                404,
                409,
                s422=OpenApiResponse(
                    description="SR-MARKETPLACE-ISV: a marketplace product; data holds the ISV's contact.",
                    response=errors(422)[422].response,
                    examples=[examples.MARKETPLACE_ERROR],
                ),
            ),
        },
        examples=[
            examples.CREATE_REQUEST,
            examples.CREATE_REQUEST_PASCAL,
            examples.SERVICE_REQUEST,
            examples.DENIED,
        ],
        tags=["service requests"],
    )
    def post(self, request, tenant_id):
        # A partner's user: the eligibility decision reads the customer, and answers 404 for one the
        # partner cannot see (``CustomerNotVisible``). Anyone else: looked up here, as for a GET.
        customer = None if sees_customers_through_partner(request.user) else self.get_customer()
        return run_idempotent(
            self,
            request,
            lambda: self._file(
                request,
                customer_id=tenant_id,
                customer=customer,
                serializer_class=ServiceRequestCreateSerializer,
                default_topic=True,
            ),
        )


class ServiceRequestDetailApi(PartnerCenterApiView):
    """GET and PATCH /v1/servicerequests/{id}."""

    selector = staticmethod(service_request_list)
    serializer_class = ServiceRequestSerializer

    def get_object(self) -> ServiceRequest:
        queryset = _detail_queryset(self.get_queryset())
        customer_id = self.kwargs.get("tenant_id")
        if customer_id is not None:
            queryset = queryset.filter(customer_id=customer_id)
        service_request = queryset.filter(pk=self.kwargs["request_id"]).first()
        if service_request is None:
            raise ApiError(
                "not_found", _("Service request %(id)s was not found.") % {"id": self.kwargs["request_id"]}
            )
        return service_request

    def _respond(self, service_request: ServiceRequest) -> Response:
        return Response(
            ServiceRequestSerializer(service_request).data,
            headers={"ETag": etag_for(service_request.version)},
        )

    @extend_schema(
        operation_id="servicerequests_retrieve",
        summary="One service request",
        responses={200: ServiceRequestSerializer, **errors(404)},
        examples=[examples.SERVICE_REQUEST],
        tags=["service requests"],
    )
    def get(self, request, request_id, tenant_id=None):
        return self._respond(self.get_object())

    @extend_schema(
        operation_id="servicerequests_update",
        summary="Add a note, change status or severity, assign (support managers)",
        parameters=[IF_MATCH_PARAMETER, CORRELATION_ID_PARAMETER],
        request=ServiceRequestUpdateSerializer,
        responses={200: ServiceRequestSerializer, **errors(400, 403, 404, 412)},
        examples=[examples.UPDATE_REQUEST, examples.SERVICE_REQUEST],
        tags=["service requests"],
    )
    def patch(self, request, request_id, tenant_id=None):
        service_request = self.get_object()
        serializer = ServiceRequestUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        expected_version = self._expected_version(service_request)
        assigned_to = UNSET
        if "assignedTo" in data:
            assigned_to = self._assignee(data["assignedTo"])
        note = data.get("newNote") or None
        try:
            service_request_update(
                actor=request.user,
                service_request=service_request,
                status=data.get("status"),
                severity=data.get("severity"),
                assigned_to=assigned_to,
                note_text=note["text"] if note is not None else None,
                expected_version=expected_version,
            )
        except DjangoValidationError as exc:
            raise wire_validation_error(exc) from None
        return self._respond(self.get_object())

    def _expected_version(self, service_request: ServiceRequest) -> int | None:
        versions = if_match_versions(self.request.headers.get("If-Match"))
        if versions is None or "*" in versions:
            return None
        current = str(service_request.version)
        if current in versions:
            return service_request.version
        number = next((v for v in versions if ascii_digits(v)), None)
        if number is None:
            raise ApiError(
                "validation",
                _("Invalid property: %(field)s.") % {"field": "If-Match"},
                [{"field": "If-Match", "reason": _('must be an ETag of this resource, e.g. "3"')}],
            )
        return int(number)

    def _assignee(self, username):
        if not username:
            return None
        user = (
            partner_users(actor=self.request.user).prefetch_related("roles").filter(username=username).first()
        )
        if user is None:
            raise ApiError(
                "validation",
                _("Invalid property: %(field)s.") % {"field": "assignedTo"},
                [
                    {
                        "field": "assignedTo",
                        "reason": _("no user %(username)r in your partner") % {"username": username},
                    }
                ],
            )
        return user


class CustomerServiceRequestDetailApi(CustomerScopedMixin, ServiceRequestDetailApi):
    """GET and PATCH /v1/customers/{tenantId}/servicerequests/{id}."""

    @extend_schema(
        operation_id="customer_servicerequests_retrieve",
        summary="One service request of the customer",
        parameters=[TENANT_ID_PARAMETER],
        responses={200: ServiceRequestSerializer, **errors(404)},
        examples=[examples.SERVICE_REQUEST],
        tags=["service requests"],
    )
    def get(self, request, request_id, tenant_id=None):
        self.get_customer()
        return super().get(request, request_id, tenant_id)

    @extend_schema(
        operation_id="customer_servicerequests_update",
        summary="Add a note, change status or severity, assign (support managers)",
        parameters=[TENANT_ID_PARAMETER, IF_MATCH_PARAMETER, CORRELATION_ID_PARAMETER],
        request=ServiceRequestUpdateSerializer,
        responses={200: ServiceRequestSerializer, **errors(400, 403, 404, 412)},
        examples=[examples.UPDATE_REQUEST, examples.SERVICE_REQUEST],
        tags=["service requests"],
    )
    def patch(self, request, request_id, tenant_id=None):
        self.get_customer()
        return super().patch(request, request_id, tenant_id)


class SupportTopicListApi(PartnerCenterApiView):
    """GET /v1/servicerequests/supporttopics."""

    serializer_class = SupportTopicSerializer

    @extend_schema(
        operation_id="servicerequests_support_topics",
        summary="Support topics (optionally of one workload)",
        parameters=[OpenApiParameter("workload", str, enum=Workload.values)],
        responses={200: SupportTopicSerializer(many=True), **errors(400)},
        examples=[examples.SUPPORT_TOPIC],
        tags=["service requests"],
    )
    def get(self, request):
        queryset = SupportTopic.objects.order_by("workload", "name", "id")
        workload = request.query_params.get("workload")
        if workload:
            queryset = queryset.filter(workload__in=_enum_param(workload, "workload", Workload.values, {}))
        return self.paginated_response(queryset, SupportTopicSerializer)
