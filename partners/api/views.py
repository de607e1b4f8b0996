"""``/graph/v1.0/groups``: the caller's partner's security groups and their members, so that a client
can find the ``accessContainerId`` of a GDAP access assignment. Another partner's group is a 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from core.api.graph import GraphApiView, graph_collection
from partners.selectors import security_group_list, security_group_members

from .serializers import GroupMemberSerializer, GroupSerializer

TAGS = ["Graph: groups"]
PAGING = [
    OpenApiParameter("$top", int, description="Page size (1–999, default 100)."),
    OpenApiParameter("$skiptoken", str, description="Opaque paging token from @odata.nextLink."),
]
COLLECTION = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"@odata.context", "value", "@odata.nextLink"}'
)
# Graph errors these endpoints answer ($top out of range, not signed in, another partner's group).
GRAPH_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT, description='{"error": {"code", "message", "innerError": {"request-id", "date"}}}'
)
ERRORS = {400: GRAPH_ERROR, 401: GRAPH_ERROR, 404: GRAPH_ERROR}


class GroupListApi(GraphApiView):
    @extend_schema(
        operation_id="groups_list", tags=TAGS, parameters=PAGING, responses={200: COLLECTION, **ERRORS}
    )
    def get(self, request):
        return graph_collection(
            request,
            security_group_list(actor=request.user),
            ordering=("name", "id"),
            serialize=lambda rows: GroupSerializer(rows, many=True).data,
            entity_set="groups",
        )


class GroupDetailApi(GraphApiView):
    @extend_schema(operation_id="groups_get", tags=TAGS, responses={200: GroupSerializer, **ERRORS})
    def get(self, request, group_id):
        return Response(GroupSerializer(security_group_list(actor=request.user).get(pk=group_id)).data)


class GroupMemberListApi(GraphApiView):
    @extend_schema(
        operation_id="groups_members_list",
        tags=TAGS,
        parameters=PAGING,
        responses={200: COLLECTION, **ERRORS},
    )
    def get(self, request, group_id):
        group = security_group_list(actor=request.user).get(pk=group_id)
        return graph_collection(
            request,
            security_group_members(group=group),
            ordering=("username", "id"),
            serialize=lambda rows: GroupMemberSerializer(rows, many=True).data,
            entity_set=f"groups('{group.pk}')/members",
        )
