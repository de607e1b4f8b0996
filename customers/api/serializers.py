"""Output serializers of the ``/v1`` customer resources (camelCase field names: the wire format)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import DateOrMinField, ResourceAttributesField
from customers.choices import HealthClassification, HealthStatus
from customers.models import Customer, ServiceHealthIssue, Subscription


class CompanyProfileSerializer(serializers.Serializer):
    tenantId = serializers.UUIDField(source="id")
    domain = serializers.CharField(source="default_domain")
    companyName = serializers.CharField(source="name")
    attributes = ResourceAttributesField("CustomerCompanyProfile")


class CustomerSerializer(serializers.ModelSerializer):
    """Partner Center ``Customer``. Expects the annotations of ``customers.api.views.customer_queryset``."""

    companyProfile = CompanyProfileSerializer(source="*")
    relationshipToPartner = serializers.CharField(source="relationship_to_partner", default="none")
    allowDelegatedAccess = serializers.BooleanField(source="allow_delegated_access")
    customDomains = serializers.SerializerMethodField()
    cloud = serializers.CharField()
    countryCode = serializers.CharField(source="country")
    links = serializers.SerializerMethodField()
    attributes = ResourceAttributesField("Customer")

    class Meta:
        model = Customer
        fields = [
            "id",
            "companyProfile",
            "relationshipToPartner",
            "allowDelegatedAccess",
            "customDomains",
            "cloud",
            "countryCode",
            "links",
            "attributes",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_customDomains(self, customer) -> list[str]:
        return [d.domain for d in customer.domains.all() if not d.is_default]

    @extend_schema_field({"type": "object", "properties": {"self": {"type": "object"}}})
    def get_links(self, customer) -> dict:
        return {"self": {"uri": f"/v1/customers/{customer.id}", "method": "GET", "headers": []}}


class SubscriptionSerializer(serializers.ModelSerializer):
    """Partner Center ``Subscription`` (the fields this portal models)."""

    offerName = serializers.CharField(source="offer")
    isTrial = serializers.BooleanField(source="is_trial")
    entitlementId = serializers.UUIDField(source="azure_subscription_id", allow_null=True)
    partnerId = serializers.UUIDField(source="reseller_id", allow_null=True)
    providerId = serializers.UUIDField(source="provider_id", allow_null=True)
    creationDate = serializers.DateTimeField(source="created_at")
    isMicrosoftProduct = serializers.SerializerMethodField()
    publisherName = serializers.SerializerMethodField()
    attributes = ResourceAttributesField("Subscription")

    class Meta:
        model = Subscription
        fields = [
            "id",
            "offerName",
            "workload",
            "channel",
            "isTrial",
            "status",
            "entitlementId",
            "partnerId",
            "providerId",
            "creationDate",
            "isMicrosoftProduct",
            "publisherName",
            "attributes",
        ]

    def get_isMicrosoftProduct(self, subscription) -> bool:
        return subscription.isv_id is None

    def get_publisherName(self, subscription) -> str:
        return subscription.isv.name if subscription.isv_id else "Microsoft Corporation"


class PartnerSupportContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    url = serializers.CharField()


class SupportOptionsSerializer(serializers.Serializer):
    """SUPPORT-OPTIONS-TRIAL / SUPPORT-OPTIONS-PAID for one customer."""

    canContactPartner = serializers.BooleanField(source="can_contact_partner")
    canOpenWithMicrosoft = serializers.BooleanField(source="can_open_with_microsoft")
    partnerSupportContact = PartnerSupportContactSerializer(source="partner_support_contact", allow_null=True)
    ruleIds = serializers.ListField(source="rule_ids", child=serializers.CharField())
    explanation = serializers.CharField()
    attributes = ResourceAttributesField("SupportOptions")


class ManagedServiceLinksSerializer(serializers.Serializer):
    adminService = serializers.DictField()
    serviceHealth = serializers.DictField()
    serviceTicket = serializers.DictField()


class ManagedServiceSerializer(serializers.Serializer):
    """Partner Center ``ManagedService``: admin and support links for one service of the customer."""

    id = serializers.CharField()
    name = serializers.CharField()
    groupName = serializers.CharField(source="group_name")
    links = ManagedServiceLinksSerializer()
    attributes = ResourceAttributesField("ManagedService")


#: Partner Center's ``ServiceIncidentStatus`` values, least to most severe.
INCIDENT_STATUSES = ("normal", "information", "warning", "critical")


def incident_status(issue: ServiceHealthIssue) -> str:
    """The Partner Center ``ServiceIncidentStatus`` of a Graph-shaped issue: ``normal`` once resolved,
    ``information`` for an advisory, ``critical`` for a service interruption, ``warning`` otherwise."""
    if issue.is_resolved:
        return "normal"
    if issue.classification == HealthClassification.ADVISORY:
        return "information"
    if issue.status == HealthStatus.SERVICE_INTERRUPTION:
        return "critical"
    return "warning"


class ServiceIncidentHistorySerializer(serializers.Serializer):
    """Partner Center ``ServiceIncidentHistory``: one published message of an incident."""

    publishedTime = serializers.DateTimeField()
    messageText = serializers.CharField()


class ServiceIncidentDetailSerializer(serializers.Serializer):
    """Partner Center ``ServiceIncidentDetail`` of one service health issue."""

    id = serializers.CharField(source="issue_id")
    messageType = serializers.SerializerMethodField()
    startTime = serializers.DateTimeField(source="start_at")
    endTime = DateOrMinField(source="end_at")
    status = serializers.SerializerMethodField()
    resolved = serializers.BooleanField(source="is_resolved")
    messages = serializers.SerializerMethodField()
    workload = serializers.CharField(source="service")
    affectedWorkloadNames = serializers.SerializerMethodField()
    impactedArea = serializers.CharField(source="feature")
    severity = serializers.SerializerMethodField()

    def get_messageType(self, issue) -> str:
        return "incident"

    @extend_schema_field(serializers.ChoiceField(choices=INCIDENT_STATUSES))
    def get_status(self, issue) -> str:
        return incident_status(issue)

    @extend_schema_field(
        serializers.CharField(help_text="A ServiceIncidentStatus, as status: " + ", ".join(INCIDENT_STATUSES))
    )
    def get_severity(self, issue) -> str:
        return incident_status(issue)

    def get_affectedWorkloadNames(self, issue) -> list[str]:
        return [issue.service]

    @extend_schema_field(ServiceIncidentHistorySerializer(many=True))
    def get_messages(self, issue) -> list[dict]:
        """The title and impact as the first message (as the Office 365 messages read), then each
        post of the issue."""
        first = f"Title: {issue.title}"
        if issue.impact_description:
            first += f"\nUser impact: {issue.impact_description}"
        messages = [
            {
                "publishedTime": serializers.DateTimeField().to_representation(issue.start_at),
                "messageText": first,
            }
        ]
        for post in issue.posts or []:
            if isinstance(post, dict):
                messages.append(
                    {
                        "publishedTime": post.get("createdDateTime", ""),
                        "messageText": post.get("description", ""),
                    }
                )
        return messages


class ServiceIncidentsSerializer(serializers.Serializer):
    """Partner Center ``ServiceIncidents``: one workload's incidents and its cumulative status
    (``{"workload", "incidents", "status"}``, built by :func:`service_incidents_by_workload`)."""

    workload = serializers.CharField()
    incidents = ServiceIncidentDetailSerializer(many=True)
    status = serializers.ChoiceField(choices=INCIDENT_STATUSES)
    messageCenterMessages = serializers.ListField(child=serializers.DictField(), default=list)
    attributes = serializers.SerializerMethodField()

    @extend_schema_field({"type": "object", "properties": {"objectType": {"type": "string"}}})
    def get_attributes(self, group) -> dict:
        return {"objectType": "ServiceIncidents"}


def service_incidents_by_workload(issues) -> list[dict]:
    """Issues grouped as Partner Center's ``ServiceIncidents``: one item per workload (the service's
    name, e.g. Exchange Online), alphabetical, each with its incidents in the given order and its
    cumulative status (the most severe of its incidents; ``normal`` when all are resolved)."""
    groups: dict[str, list] = {}
    for issue in issues:
        groups.setdefault(issue.service, []).append(issue)
    return [
        {
            "workload": workload,
            "incidents": incidents,
            "status": max((incident_status(i) for i in incidents), key=INCIDENT_STATUSES.index),
            "messageCenterMessages": [],
        }
        for workload, incidents in sorted(groups.items())
    ]


class ServiceIncidentsCollectionSerializer(serializers.Serializer):
    """The ``ResourceCollection`` of ``ServiceIncidents``."""

    totalCount = serializers.IntegerField()
    items = ServiceIncidentsSerializer(many=True)
    links = serializers.DictField()
    attributes = serializers.DictField()


class GraphItemBodySerializer(serializers.Serializer):
    contentType = serializers.CharField()
    content = serializers.CharField()


class GraphServiceHealthIssuePostSerializer(serializers.Serializer):
    createdDateTime = serializers.CharField()
    postType = serializers.CharField()
    description = GraphItemBodySerializer()


class ServiceHealthIssueSerializer(serializers.ModelSerializer):
    """Graph ``serviceHealthIssue`` (``/graph/v1.0/admin/serviceAnnouncement/issues``)."""

    id = serializers.CharField(source="issue_id")
    featureGroup = serializers.CharField(source="feature_group")
    impactDescription = serializers.CharField(source="impact_description")
    startDateTime = serializers.DateTimeField(source="start_at")
    endDateTime = serializers.DateTimeField(source="end_at", allow_null=True)
    isResolved = serializers.BooleanField(source="is_resolved")
    lastModifiedDateTime = serializers.DateTimeField(source="last_modified_at")
    origin = serializers.SerializerMethodField()
    posts = serializers.SerializerMethodField()

    class Meta:
        model = ServiceHealthIssue
        fields = [
            "id",
            "title",
            "impactDescription",
            "classification",
            "origin",
            "status",
            "service",
            "feature",
            "featureGroup",
            "isResolved",
            "startDateTime",
            "endDateTime",
            "lastModifiedDateTime",
            "posts",
        ]

    def get_origin(self, issue) -> str:
        return "microsoft"

    @extend_schema_field(GraphServiceHealthIssuePostSerializer(many=True))
    def get_posts(self, issue) -> list[dict]:
        return [
            {
                "createdDateTime": post.get("createdDateTime", ""),
                "postType": post.get("postType", "regular"),
                "description": {"contentType": "text", "content": post.get("description", "")},
            }
            for post in issue.posts or []
            if isinstance(post, dict)
        ]
