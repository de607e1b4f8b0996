"""Graph shapes of a partner's security groups (``group``) and their members (``user``)."""

from rest_framework import serializers


class GroupSerializer(serializers.Serializer):
    """A Graph ``group``: always a security group (``securityEnabled``), never mail-enabled."""

    id = serializers.UUIDField()
    displayName = serializers.CharField(source="name")
    description = serializers.CharField()
    securityEnabled = serializers.SerializerMethodField()
    mailEnabled = serializers.SerializerMethodField()

    def get_securityEnabled(self, obj) -> bool:
        return True

    def get_mailEnabled(self, obj) -> bool:
        return False

    def to_representation(self, instance):
        return {"@odata.type": "#microsoft.graph.group"} | super().to_representation(instance)


class GroupMemberSerializer(serializers.Serializer):
    """A Graph ``user`` as a group member."""

    id = serializers.CharField(source="pk")
    displayName = serializers.SerializerMethodField()
    userPrincipalName = serializers.CharField(source="username")
    mail = serializers.EmailField(source="email")

    def get_displayName(self, obj) -> str:
        return obj.get_full_name() or obj.username

    def to_representation(self, instance):
        return {"@odata.type": "#microsoft.graph.user"} | super().to_representation(instance)
