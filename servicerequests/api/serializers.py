"""Input and output serializers of the ``/v1`` service request resources (camelCase wire names)."""

from __future__ import annotations

import functools
import uuid

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.representation import PlannedRepresentationMixin
from core.api.serializers import DateOrMinField, ResourceAttributesField, SharedChoices, SharedMapping
from core.text import ascii_digits
from customers.choices import WORKLOAD_LABELS, Workload
from partners.models import User
from servicerequests.choices import (
    SEVERITY_INTEGERS,
    STATUS_INTEGERS,
    IssueType,
    Portal,
    Severity,
    Status,
    SupportLanguage,
    SupportPlan,
)
from servicerequests.eligibility import record_as_dict
from servicerequests.models import Note, ServiceRequest, SupportTopic
from servicerequests.support_topics import SUPPORT_PRODUCTS

from .attachments import file_links

# Enum values that mean "no change" in a PATCH (the real API's defaults: Unknown = 0, None = 0).
SEVERITY_UNSET = ("unknown", 0)
STATUS_UNSET = ("none", 0)


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class EnumField(serializers.Field):
    """A snake_case enum string; also accepts the real API's integer value (``integers``) and
    PascalCase names (``AttentionNeeded`` → ``attention_needed``)."""

    def __init__(self, choices, integers: dict[int, str], unset=(), **kwargs):
        self.values = list(choices)
        self.integers = integers
        self.unset = unset
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail_invalid(data)
        if isinstance(data, int) or (isinstance(data, str) and ascii_digits(data.strip())):
            number = int(data)
            if number in self.integers:
                return str(self.integers[number])
            if number in self.unset:
                return None
            self.fail_invalid(data)
        if isinstance(data, str):
            text = data.strip()
            if text.lower() in self.unset:
                return None
            snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in text).lstrip("_")
            for candidate in (text, text.lower(), snake):
                if candidate in self.values:
                    return candidate
        self.fail_invalid(data)

    def fail_invalid(self, data):
        integers = ", ".join(f"{k} ({v})" for k, v in sorted(self.integers.items()))
        raise serializers.ValidationError(
            _("%(value)r is not valid: use one of %(values)s (or the integers %(integers)s).")
            % {"value": data, "values": ", ".join(self.values), "integers": integers}
        )

    def to_representation(self, value):
        return value


def severity_field(**kwargs) -> EnumField:
    return EnumField(SharedChoices(Severity.values), SharedMapping(SEVERITY_INTEGERS), **kwargs)


def status_field(**kwargs) -> EnumField:
    return EnumField(SharedChoices(Status.values), SharedMapping(STATUS_INTEGERS), **kwargs)


class ContactInputSerializer(serializers.Serializer):
    firstName = serializers.CharField(required=False, allow_blank=True, max_length=100)
    lastName = serializers.CharField(required=False, allow_blank=True, max_length=100)
    email = serializers.EmailField(required=False, allow_blank=True)
    phoneNumber = serializers.CharField(required=False, allow_blank=True, max_length=64)


class EligibilityInputSerializer(serializers.Serializer):
    """What the eligibility dry run needs (the create body; title and description optional)."""

    workload = serializers.ChoiceField(choices=SharedChoices(Workload.choices))
    severity = severity_field(required=False, default=Severity.MINIMAL)
    subscriptionId = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    issueType = serializers.ChoiceField(
        choices=SharedChoices(IssueType.choices), required=False, allow_blank=True
    )
    supportPlan = serializers.ChoiceField(
        choices=SharedChoices(SupportPlan.choices), required=False, allow_blank=True
    )
    primaryContact = ContactInputSerializer(required=False)
    supportEntitlementId = serializers.CharField(required=False, allow_blank=True, max_length=64)
    title = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    supportTopicId = serializers.IntegerField(required=False, allow_null=True)


class ServiceRequestCreateSerializer(EligibilityInputSerializer):
    """The body of ``POST /v1/customers/{tenantId}/servicerequests`` (and of ``/v1/servicerequests``)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000)
    severity = severity_field()
    supportLanguage = serializers.ChoiceField(
        choices=SharedChoices(SupportLanguage.choices),
        required=False,
        help_text=(
            "The language the customer wants support to answer in (BCP 47). Defaults to the "
            "user's language, else X-Locale / Accept-Language, else en-US."
        ),
    )


class OwnServiceRequestCreateSerializer(ServiceRequestCreateSerializer):
    """The body of ``POST /v1/servicerequests``: a request about the partner's own subscription.
    ``supportTopicId`` is required, as Partner Center's create required ``SupportTopicId``."""

    supportEntitlementId = serializers.CharField(max_length=64)
    supportTopicId = serializers.IntegerField()


class NoteInputSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=10000)


class ServiceRequestUpdateSerializer(serializers.Serializer):
    """The body of a PATCH: only the values to change (``none``/``unknown``/null mean no change)."""

    newNote = NoteInputSerializer(required=False, allow_null=True)
    status = status_field(required=False, allow_null=True, unset=STATUS_UNSET)
    severity = severity_field(required=False, allow_null=True, unset=SEVERITY_UNSET)
    assignedTo = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Username of the assignee; null unassigns.",
    )


class ContactSerializer(serializers.Serializer):
    """Partner Center ``ServiceRequestContact``."""

    contactId = serializers.UUIDField(
        help_text="Stable per person: derived from the contact's e-mail address."
    )
    firstName = serializers.CharField()
    lastName = serializers.CharField()
    email = serializers.CharField()
    phoneNumber = serializers.CharField()


class OrganizationSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    phoneNumber = serializers.CharField()


class NoteSerializer(serializers.ModelSerializer):
    """Partner Center ``ServiceRequestNote``."""

    createdByName = serializers.CharField(source="created_by_name")
    createdDate = serializers.DateTimeField(source="created_at")

    class Meta:
        model = Note
        fields = ["createdByName", "createdDate", "text"]


class AssigneeSerializer(PlannedRepresentationMixin, serializers.Serializer):
    """The partner user a request is assigned to."""

    representation_model = User
    shared_representation_plan = True

    id = serializers.IntegerField()
    userName = serializers.CharField(source="username")
    displayName = serializers.SerializerMethodField()

    def get_displayName(self, user) -> str:
        return user.get_full_name() or user.username


#: The namespace of ``contactId`` values (a UUID 5 of the lower-cased e-mail address).
CONTACT_ID_NAMESPACE = uuid.UUID("6f0c5d0e-2a4b-5c8d-9e1f-3a2b4c5d6e7f")


@functools.lru_cache(maxsize=4096)
def contact_id(email: str) -> str:
    """The ``contactId`` of the person with this e-mail address: the same GUID on every request
    (the nil GUID for a contact without an address). Remembered for the addresses seen most
    recently (a page of requests repeats a few contacts)."""
    email = (email or "").strip().lower()
    return str(uuid.uuid5(CONTACT_ID_NAMESPACE, email) if email else uuid.UUID(int=0))


def _contact(first, last, email, phone) -> dict:
    return {
        "contactId": contact_id(email),
        "firstName": first or "",
        "lastName": last or "",
        "email": email or "",
        "phoneNumber": phone or "",
    }


class ServiceRequestSummarySerializer(PlannedRepresentationMixin, serializers.Serializer):
    """A service request in a collection (no notes, no eligibility snapshot)."""

    # Written through a plan of its declared fields (PlannedRepresentationMixin), as are its
    # subclasses, made once per class: no field here reads the serializer's context. Every field
    # is declared (the model's own as a ModelSerializer would build them), so that making the
    # fields (for validation, the OpenAPI document) does not introspect the model again; the wire
    # order is ``wire_fields``.
    representation_model = ServiceRequest
    shared_representation_plan = True

    id = serializers.CharField(read_only=True)
    title = serializers.CharField(max_length=ServiceRequest._meta.get_field("title").max_length)
    severity = serializers.ChoiceField(choices=SharedChoices(Severity.choices), required=False)
    status = serializers.ChoiceField(choices=SharedChoices(Status.choices), required=False)
    workload = serializers.ChoiceField(choices=SharedChoices(Workload.choices))
    portal = serializers.ChoiceField(choices=SharedChoices(Portal.choices), allow_blank=True, required=False)
    supportTopicId = serializers.SerializerMethodField()
    supportTopicName = serializers.SerializerMethodField()
    organization = serializers.SerializerMethodField()
    primaryContact = serializers.SerializerMethodField()
    productName = serializers.SerializerMethodField()
    productId = serializers.SerializerMethodField()
    createdDate = serializers.DateTimeField(source="created_at")
    lastModifiedDate = serializers.DateTimeField(source="updated_at")
    lastClosedDate = DateOrMinField(source="closed_at")
    countryCode = serializers.CharField(source="country_code")
    customerId = serializers.UUIDField(source="customer_id", allow_null=True)
    issueType = serializers.CharField(source="issue_type")
    subscriptionId = serializers.UUIDField(source="subscription_id", allow_null=True)
    externalTicketId = serializers.CharField(source="external_ticket_id")
    supportLanguage = serializers.CharField(source="support_language")
    slaDueDate = serializers.DateTimeField(source="sla_due_at", allow_null=True)
    slaBreached = serializers.BooleanField(source="sla_breached")
    assignedTo = AssigneeSerializer(source="assigned_to", allow_null=True)
    links = serializers.SerializerMethodField()
    attributes = ResourceAttributesField("ServiceRequest", etag_source="version")

    wire_fields = (
        "id",
        "title",
        "severity",
        "supportTopicId",
        "supportTopicName",
        "status",
        "organization",
        "primaryContact",
        "productName",
        "productId",
        "createdDate",
        "lastModifiedDate",
        "lastClosedDate",
        "countryCode",
        "customerId",
        "workload",
        "issueType",
        "subscriptionId",
        "externalTicketId",
        "portal",
        "supportLanguage",
        "slaDueDate",
        "slaBreached",
        "assignedTo",
        "links",
        "attributes",
    )

    def get_fields(self):
        fields = super().get_fields()
        return {name: fields[name] for name in self.wire_fields}

    def get_supportTopicId(self, sr) -> str:
        return str(sr.support_topic_id) if sr.support_topic_id else ""

    def get_supportTopicName(self, sr) -> str:
        topic = sr.support_topic if sr.support_topic_id else None
        return topic.name if topic is not None else ""

    @extend_schema_field(OrganizationSerializer)
    def get_organization(self, sr) -> dict:
        if sr.customer_id:
            return {"id": str(sr.customer_id), "name": sr.customer.name, "phoneNumber": ""}
        return {"id": str(sr.partner_id), "name": sr.partner.name, "phoneNumber": sr.partner.support_phone}

    @extend_schema_field(ContactSerializer)
    def get_primaryContact(self, sr) -> dict:
        return _contact(sr.contact_first_name, sr.contact_last_name, sr.contact_email, sr.contact_phone)

    def get_productName(self, sr) -> str:
        return SUPPORT_PRODUCTS.get(sr.workload, ("", WORKLOAD_LABELS.get(sr.workload, sr.workload)))[1]

    def get_productId(self, sr) -> str:
        return SUPPORT_PRODUCTS.get(sr.workload, ("",))[0]

    @extend_schema_field(
        {"type": "object", "properties": {"self": {"type": "object"}, "portal": {"type": "object"}}}
    )
    def get_links(self, sr) -> dict:
        uri = (
            f"/v1/customers/{sr.customer_id}/servicerequests/{sr.id}"
            if sr.customer_id
            else f"/v1/servicerequests/{sr.id}"
        )
        links = {"self": {"uri": uri, "method": "GET", "headers": []}}
        portal = portal_uri(sr)
        if portal:
            links["portal"] = {"uri": portal, "method": "GET", "headers": []}
        return links


def portal_uri(sr: ServiceRequest) -> str:
    """The stub workload portal's page of this request (``portals:request``, in the customer's
    tenant context); for a request without a customer, the portal the decision routed it to."""
    if sr.customer_id and sr.portal:
        return f"/portals/{sr.portal}/{sr.customer_id}/requests/{sr.id}/"
    if hasattr(sr, "eligibility_portal_url"):  # a collection's row: looked up, snapshot not loaded
        return sr.eligibility_portal_url or ""
    portal = (sr.eligibility or {}).get("portal") or {}
    return portal.get("url", "")


class ServiceRequestSerializer(ServiceRequestSummarySerializer):
    """Partner Center ``ServiceRequest`` with this portal's extra fields."""

    lastUpdatedBy = serializers.SerializerMethodField()
    notes = NoteSerializer(many=True)
    fileLinks = serializers.SerializerMethodField()
    eligibility = serializers.SerializerMethodField()

    description = serializers.CharField(
        max_length=ServiceRequest._meta.get_field("description").max_length,
        style={"base_template": "textarea.html"},
    )

    wire_fields = (
        *ServiceRequestSummarySerializer.wire_fields[:2],
        "description",
        *ServiceRequestSummarySerializer.wire_fields[2:8],
        "lastUpdatedBy",
        *ServiceRequestSummarySerializer.wire_fields[8:-2],
        "notes",
        "fileLinks",
        "eligibility",
        *ServiceRequestSummarySerializer.wire_fields[-2:],
    )

    @extend_schema_field(serializers.JSONField())
    def get_eligibility(self, sr) -> dict:
        """The recorded decision, its messages in the request's language (rule ids unchanged)."""
        return record_as_dict(sr.eligibility)

    @extend_schema_field(ContactSerializer)
    def get_lastUpdatedBy(self, sr) -> dict:
        author = self.last_updater(sr)
        if author is None:
            return _contact("", "", "", "")
        return _contact(author.first_name, author.last_name, author.email, author.phone)

    def last_updater(self, sr):
        """The author of the request's latest note with one, else its filer (None when neither)."""
        notes = list(sr.notes.all())
        return next((n.created_by for n in reversed(notes) if n.created_by_id), None) or sr.created_by

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_fileLinks(self, sr) -> list:
        return file_links(sr)


class FiledServiceRequestSerializer(ServiceRequestSerializer):
    """``ServiceRequestSerializer`` of a request filed a moment ago (the filing's 201), built from
    the objects the filing used without reading anything back: such a request has no notes and no
    attachments yet, and the filer last updated it. ``test_filing_answer_equals_the_get`` holds
    its body equal to a GET of the same request."""

    notes = serializers.SerializerMethodField()

    def get_notes(self, sr) -> list:
        return []

    def get_fileLinks(self, sr) -> list:
        return []

    def last_updater(self, sr):
        return sr.created_by


class SupportTopicSerializer(serializers.ModelSerializer):
    """Partner Center ``SupportTopic`` (integer id) with its workload."""

    attributes = ResourceAttributesField("SupportTopic")

    class Meta:
        model = SupportTopic
        fields = ["id", "name", "description", "workload", "attributes"]


class OutcomeSerializer(serializers.Serializer):
    ruleId = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["passed", "failed", "not_applicable"])
    message = serializers.CharField()
    remedy = serializers.CharField()


class EligibilityDecisionSerializer(serializers.Serializer):
    """The eligibility dry run's answer (``Decision.as_dict()``)."""

    allowed = serializers.BooleanField()
    outcomes = OutcomeSerializer(many=True)
    portal = serializers.DictField(allow_null=True)
    isvContact = serializers.DictField(allow_null=True)
    attributes = serializers.DictField()
