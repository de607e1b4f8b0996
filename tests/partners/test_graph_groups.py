"""``/graph/v1.0/groups``: the partner's security groups and their members, in Graph's shapes, and
the Graph conventions of ``core.api.graph`` as a view without domain errors sees them."""

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from audit.models import AuditEvent
from core.api.graph import GraphApiView
from partners.choices import PartnerCenterRole
from tests.factories import PartnerFactory, SecurityGroupFactory, UserFactory
from tests.graph import assert_graph_error, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(admin_agent):
    return client_for(admin_agent)


@pytest.fixture
def partner(db):
    return PartnerFactory(name="Contoso Partners")


@pytest.fixture
def admin_agent(partner):
    return UserFactory(partner=partner, username="alice", roles=[PartnerCenterRole.ADMIN_AGENT])


@pytest.fixture
def other_admin_agent(db):
    return UserFactory(username="mallory", roles=[PartnerCenterRole.ADMIN_AGENT])


@pytest.fixture
def group(partner):
    return SecurityGroupFactory(partner=partner, name="Support desk")


def test_groups_members_and_scoping(api, partner, group, admin_agent, other_admin_agent):
    member = UserFactory(
        partner=partner, username="bob", first_name="Bob", last_name="Agent", groups_in=[group]
    )
    SecurityGroupFactory()  # another partner's
    body = api.get("/graph/v1.0/groups").json()
    assert body["value"] == [
        {
            "@odata.type": "#microsoft.graph.group",
            "id": str(group.pk),
            "displayName": "Support desk",
            "description": "",
            "securityEnabled": True,
            "mailEnabled": False,
        }
    ]
    assert api.get(f"/graph/v1.0/groups/{group.pk}").json()["displayName"] == "Support desk"
    members = api.get(f"/graph/v1.0/groups/{group.pk}/members").json()["value"]
    assert members == [
        {
            "@odata.type": "#microsoft.graph.user",
            "id": str(member.pk),
            "displayName": "Bob Agent",
            "userPrincipalName": "bob",
            "mail": member.email,
        }
    ]
    assert_graph_error(
        client_for(other_admin_agent).get(f"/graph/v1.0/groups/{group.pk}"), 404, "ResourceNotFound"
    )
    assert_graph_error(
        client_for(other_admin_agent).get(f"/graph/v1.0/groups/{group.pk}/members"), 404, "ResourceNotFound"
    )


def test_groups_paging(api, partner):
    for i in range(3):
        SecurityGroupFactory(partner=partner, name=f"G{i}")
    first = api.get("/graph/v1.0/groups", {"$top": 2}).json()
    assert [g["displayName"] for g in first["value"]] == ["G0", "G1"]
    second = api.get(first["@odata.nextLink"]).json()
    assert [g["displayName"] for g in second["value"]] == ["G2"]
    assert "@odata.nextLink" not in second


@pytest.mark.parametrize(
    "params", [{"$top": "0"}, {"$top": "1000"}, {"$top": "x"}, {"$skiptoken": "not-a-token"}]
)
def test_groups_refuse_bad_paging_parameters(api, group, params):
    assert_graph_error(api.get("/graph/v1.0/groups", params), 400, "BadRequest")


def test_groups_need_a_signed_in_caller(group):
    response = APIClient().get("/graph/v1.0/groups")
    assert_graph_error(response, 401, "InvalidAuthenticationToken")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


class _RefusingView(GraphApiView):
    def get(self, request):
        raise PermissionDenied("not for you")


def test_a_graph_403_is_audited_with_surface_graph(admin_agent):
    request = APIRequestFactory().get("/graph/v1.0/somewhere")
    force_authenticate(request, user=admin_agent)
    response = _RefusingView.as_view()(request)
    assert response.status_code == 403
    assert response.data["error"]["code"] == "Forbidden"
    denial = AuditEvent.objects.get(action="auth.permission_denied")
    assert (denial.actor_id, denial.after["reason"], denial.after["surface"]) == (
        admin_agent.pk,
        "not for you",
        "graph",
    )
