"""``/v1`` service request routes (included by ``partnercenter.api_urls``)."""

from django.urls import path, register_converter

from ..handoffs import api as handoffs
from . import attachments, filing, views


class ServiceRequestIdConverter:
    """A Partner Center service request id: 15 digits."""

    regex = "[0-9]{15}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


class AgentLocaleConverter:
    """An agent locale in Partner Center's create path: a language and a region (``pt-BR``)."""

    regex = "[A-Za-z]{2}-[A-Za-z]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(ServiceRequestIdConverter, "srid")
register_converter(AgentLocaleConverter, "agentlocale")

urlpatterns = [
    path("servicerequests", views.ServiceRequestListApi.as_view(), name="servicerequest-list"),
    path("servicerequests/handoffs", handoffs.HandoffListApi.as_view(), name="servicerequest-handoff-list"),
    path(
        "servicerequests/handoffs/<uuid:handoff_id>",
        handoffs.HandoffDetailApi.as_view(),
        name="servicerequest-handoff-detail",
    ),
    path(
        "servicerequests/handoffs/<uuid:handoff_id>/accept",
        handoffs.HandoffAcceptApi.as_view(),
        name="servicerequest-handoff-accept",
    ),
    path(
        "servicerequests/handoffs/<uuid:handoff_id>/decline",
        handoffs.HandoffDeclineApi.as_view(),
        name="servicerequest-handoff-decline",
    ),
    path(
        "servicerequests/handoffs/<uuid:handoff_id>/notes",
        handoffs.HandoffNoteApi.as_view(),
        name="servicerequest-handoff-notes",
    ),
    path(
        "customers/<uuid:tenant_id>/servicerequests/handoffs",
        handoffs.CustomerHandoffCreateApi.as_view(),
        name="customer-servicerequest-handoffs",
    ),
    path(
        "servicerequests/<agentlocale:agent_locale>",
        filing.AgentLocaleServiceRequestCreateApi.as_view(),
        name="servicerequest-create-in-locale",
    ),
    path("servicerequests/supporttopics", views.SupportTopicListApi.as_view(), name="supporttopic-list"),
    path(
        "servicerequests/<srid:request_id>",
        views.ServiceRequestDetailApi.as_view(),
        name="servicerequest-detail",
    ),
    path(
        "servicerequests/<srid:request_id>/attachments",
        attachments.ServiceRequestAttachmentListApi.as_view(),
        name="servicerequest-attachment-list",
    ),
    path(
        "servicerequests/<srid:request_id>/attachments/<uuid:attachment_id>",
        attachments.ServiceRequestAttachmentDetailApi.as_view(),
        name="servicerequest-attachment-detail",
    ),
    path(
        "customers/<uuid:tenant_id>/servicerequests",
        views.CustomerServiceRequestListApi.as_view(),
        name="customer-servicerequest-list",
    ),
    path(
        "customers/<uuid:tenant_id>/servicerequests/eligibility",
        filing.CustomerEligibilityApi.as_view(),
        name="customer-servicerequest-eligibility",
    ),
    path(
        "customers/<uuid:tenant_id>/servicerequests/<srid:request_id>",
        views.CustomerServiceRequestDetailApi.as_view(),
        name="customer-servicerequest-detail",
    ),
]
