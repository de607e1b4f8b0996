"""The baseline endpoint: a bare DRF create of a service request row (see the package docstring)."""

from rest_framework import serializers
from rest_framework.generics import CreateAPIView

from servicerequests.models import ServiceRequest


class BaselineRowSerializer(serializers.ModelSerializer):
    """The columns filing fills from the client's body, plus the eligibility snapshot (sent by the
    client, so that the row has the size of a filed one). A bare insert: the customer and the
    support topic are taken as ids, not looked up (a related field's validation would run a SELECT
    for each, which filing does not run either); the database's foreign keys still check them."""

    customer = serializers.UUIDField(source="customer_id")
    support_topic = serializers.IntegerField(source="support_topic_id")

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "customer",
            "workload",
            "title",
            "description",
            "severity",
            "support_topic",
            "contact_first_name",
            "contact_last_name",
            "contact_email",
            "contact_phone",
            "portal",
            "eligibility",
        ]
        read_only_fields = ["id"]


class BaselineRowCreateApi(CreateAPIView):
    """POST /bench/baseline/servicerequests: insert one row; 201 with it. Same authentication,
    permission and throttle classes as ``/v1`` (the REST framework defaults)."""

    serializer_class = BaselineRowSerializer

    def perform_create(self, serializer):
        serializer.save(partner_id=self.request.user.partner_id, created_by=self.request.user)
