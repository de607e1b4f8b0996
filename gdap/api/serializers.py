"""Graph wire format of GDAP resources: input serializers (types and shapes only, the GDAP rules live
in ``gdap.services``) and output serializers with explicit camelCase fields."""

from __future__ import annotations

from rest_framework import serializers

from core.api.graph import etag
from gdap.choices import RelationshipStatus
from gdap.durations import format_iso_duration, parse_iso_duration
from gdap.rules import REQUEST_ACTIONS
from gdap.services import invitation_path

# ---------------------------------------------------------------------------------------------
# input


class IsoDurationField(serializers.CharField):
    """An ISO 8601 duration (``P730D``), validated and returned as a ``timedelta``."""

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return parse_iso_duration(text)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, value):
        return format_iso_duration(value)


class RoleRefSerializer(serializers.Serializer):
    roleDefinitionId = serializers.UUIDField()


class AccessDetailsSerializer(serializers.Serializer):
    unifiedRoles = RoleRefSerializer(many=True)


class CustomerRefInputSerializer(serializers.Serializer):
    tenantId = serializers.UUIDField()
    displayName = serializers.CharField(required=False, allow_blank=True)


class RelationshipCreateInputSerializer(serializers.Serializer):
    displayName = serializers.CharField(allow_blank=True, trim_whitespace=True)
    duration = IsoDurationField()
    customer = CustomerRefInputSerializer()
    accessDetails = AccessDetailsSerializer()
    autoExtendDuration = IsoDurationField(required=False)
    createdForResellerTenantId = serializers.UUIDField(
        required=False,
        help_text="Extension (not a Graph property; see docs/fidelity.md). Indirect providers only: the "
        "indirect reseller this relationship is for (GDAP-INDIRECT-RESELLER); it is then read back as "
        "Graph's resellerDelegatedAdminRelationship.",
    )


class RelationshipUpdateInputSerializer(serializers.Serializer):
    """PATCH: every field optional; only those sent change."""

    displayName = serializers.CharField(required=False, allow_blank=True)
    duration = IsoDurationField(required=False)
    customer = CustomerRefInputSerializer(required=False)
    accessDetails = AccessDetailsSerializer(required=False)
    autoExtendDuration = IsoDurationField(required=False)


class RelationshipRequestInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(REQUEST_ACTIONS))


class AccessContainerSerializer(serializers.Serializer):
    accessContainerId = serializers.UUIDField()
    accessContainerType = serializers.ChoiceField(choices=["securityGroup"], default="securityGroup")


class AccessAssignmentCreateInputSerializer(serializers.Serializer):
    accessContainer = AccessContainerSerializer()
    accessDetails = AccessDetailsSerializer()


class AccessAssignmentUpdateInputSerializer(serializers.Serializer):
    accessDetails = AccessDetailsSerializer()


def role_ids(access_details: dict) -> list:
    return [ref["roleDefinitionId"] for ref in access_details["unifiedRoles"]]


# ---------------------------------------------------------------------------------------------
# output


def _access_details(roles) -> dict:
    return {"unifiedRoles": [{"roleDefinitionId": str(r.pk)} for r in sorted(roles, key=lambda r: str(r.pk))]}


class CustomerRefSerializer(serializers.Serializer):
    tenantId = serializers.UUIDField(source="id")
    displayName = serializers.CharField(source="name")


class UnifiedRolesSerializer(serializers.Serializer):
    unifiedRoles = RoleRefSerializer(many=True)


class RelationshipSerializer(serializers.Serializer):
    """``delegatedAdminRelationship`` (``resellerDelegatedAdminRelationship`` when an indirect provider
    created it for a reseller). ``invitationLink`` is this portal's addition: the approval page."""

    id = serializers.CharField()
    displayName = serializers.CharField(source="display_name")
    duration = serializers.SerializerMethodField()
    customer = CustomerRefSerializer()
    accessDetails = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=RelationshipStatus.choices)
    autoExtendDuration = IsoDurationField(source="auto_extend_duration")
    createdDateTime = serializers.DateTimeField(source="created_at")
    lastModifiedDateTime = serializers.DateTimeField(source="last_modified_at")
    activatedDateTime = serializers.DateTimeField(source="activated_at", allow_null=True)
    endDateTime = serializers.DateTimeField(source="end_at", allow_null=True)
    invitationLink = serializers.SerializerMethodField()

    def get_accessDetails(self, obj) -> dict:
        return _access_details(obj.roles.all())

    def get_duration(self, obj) -> str:
        """As the partner sent it (``P2Y`` stays ``P2Y``); ``P<days>D`` when it was given in days."""
        return obj.duration_iso or format_iso_duration(obj.duration)

    def get_invitationLink(self, obj) -> str | None:
        if obj.locked_at is None:
            return None
        request = self.context.get("request")
        path = invitation_path(obj)
        return request.build_absolute_uri(path) if request is not None else path

    def to_representation(self, instance):
        data = super().to_representation(instance)
        head = {"@odata.etag": etag(instance.version)}
        if instance.created_for_reseller_id:
            head["@odata.type"] = "#microsoft.graph.resellerDelegatedAdminRelationship"
            data["indirectProviderTenantId"] = str(instance.partner_id)
            data["isPartnerConsentPending"] = instance.is_partner_consent_pending
        else:
            head["@odata.type"] = "#microsoft.graph.delegatedAdminRelationship"
        return head | data


class RelationshipRequestSerializer(serializers.Serializer):
    """``delegatedAdminRelationshipRequest``."""

    id = serializers.UUIDField()
    action = serializers.CharField()
    status = serializers.CharField()
    createdDateTime = serializers.DateTimeField(source="created_at")
    lastModifiedDateTime = serializers.DateTimeField(source="last_modified_at")

    def to_representation(self, instance):
        return {
            "@odata.type": "#microsoft.graph.delegatedAdminRelationshipRequest"
        } | super().to_representation(instance)


class AccessAssignmentSerializer(serializers.Serializer):
    """``delegatedAdminAccessAssignment``. ``accessContainer`` (the security group) only when the
    context's ``show_groups`` is true: the holding partner's users; others never see group ids."""

    id = serializers.UUIDField()
    accessContainer = serializers.SerializerMethodField()
    accessDetails = serializers.SerializerMethodField()
    status = serializers.CharField()
    createdDateTime = serializers.DateTimeField(source="created_at")
    lastModifiedDateTime = serializers.DateTimeField(source="last_modified_at")

    def get_accessContainer(self, obj) -> dict:
        return {"accessContainerId": str(obj.security_group_id), "accessContainerType": "securityGroup"}

    def get_accessDetails(self, obj) -> dict:
        return _access_details(obj.roles.all())

    def to_representation(self, instance):
        head = {
            "@odata.type": "#microsoft.graph.delegatedAdminAccessAssignment",
            "@odata.etag": etag(instance.version),
        }
        data = super().to_representation(instance)
        if not self.context.get("show_groups", False):
            data.pop("accessContainer")
        return head | data


class OperationSerializer(serializers.Serializer):
    """``delegatedAdminRelationshipOperation``."""

    id = serializers.UUIDField()
    operationType = serializers.CharField(source="operation_type")
    data = serializers.CharField()
    status = serializers.CharField()
    createdDateTime = serializers.DateTimeField(source="created_at")
    lastModifiedDateTime = serializers.DateTimeField(source="last_modified_at")

    def to_representation(self, instance):
        return {
            "@odata.type": "#microsoft.graph.delegatedAdminRelationshipOperation"
        } | super().to_representation(instance)


class DelegatedAdminCustomerSerializer(serializers.Serializer):
    """``delegatedAdminCustomer``: ``id`` and ``tenantId`` are the customer's tenant id."""

    id = serializers.UUIDField()
    tenantId = serializers.UUIDField(source="id")
    displayName = serializers.CharField(source="name")

    def to_representation(self, instance):
        return {"@odata.type": "#microsoft.graph.delegatedAdminCustomer"} | super().to_representation(
            instance
        )


class ServiceManagementDetailSerializer(serializers.Serializer):
    """``delegatedAdminServiceManagementDetail``."""

    id = serializers.CharField()
    serviceName = serializers.CharField()
    serviceManagementUrl = serializers.URLField()
