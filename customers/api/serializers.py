"""Output serializers of the ``/v1`` customer resources (camelCase field names: the wire format)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import ResourceAttributesField
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


class ServiceHealthIssueSerializer(serializers.ModelSerializer):
    """Graph ``serviceHealthIssue`` fields, as ``/v1/customers/{id}/serviceincidents/office`` items."""

    id = serializers.CharField(source="issue_id")
    featureGroup = serializers.CharField(source="feature_group")
    impactDescription = serializers.CharField(source="impact_description")
    startDateTime = serializers.DateTimeField(source="start_at")
    endDateTime = serializers.DateTimeField(source="end_at", allow_null=True)
    isResolved = serializers.BooleanField(source="is_resolved")
    lastModifiedDateTime = serializers.DateTimeField(source="last_modified_at")
    isGlobal = serializers.SerializerMethodField()
    attributes = ResourceAttributesField("ServiceHealthIssue")

    class Meta:
        model = ServiceHealthIssue
        fields = [
            "id",
            "service",
            "workload",
            "feature",
            "featureGroup",
            "classification",
            "status",
            "title",
            "impactDescription",
            "startDateTime",
            "endDateTime",
            "isResolved",
            "lastModifiedDateTime",
            "isGlobal",
            "posts",
            "attributes",
        ]

    def get_isGlobal(self, issue) -> bool:
        return issue.customer_id is None
