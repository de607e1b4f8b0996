"""Graph's behaviour where the portal used to differ: what a customer sees (never a draft, never a
group id), durations echoed as sent, and removing Global Administrator from an active relationship."""

import pytest

from gdap.choices import OperationStatus, RelationshipStatus
from gdap.models import AccessAssignment, Operation
from tests.factories import AccessAssignmentFactory
from tests.graph import assert_graph_error, client_for

from .conftest import GA, GR, SSA

S = RelationshipStatus
pytestmark = pytest.mark.django_db
BASE = "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"


@pytest.fixture
def api(admin_agent):
    return client_for(admin_agent)


@pytest.fixture
def customer_api(customer_admin):
    return client_for(customer_admin)


# --- the customer's view -------------------------------------------------------------------------------


def test_customer_never_sees_a_draft_but_sees_it_once_sent(api, customer_api, make_relationship):
    draft = make_relationship(status=S.CREATED, activated_at=None, end_at=None)
    assert_graph_error(customer_api.get(f"{BASE}/{draft.pk}"), 404, "ResourceNotFound")
    assert customer_api.get(BASE).json()["value"] == []
    assert_graph_error(customer_api.get(f"{BASE}/{draft.pk}/requests"), 404, "ResourceNotFound")
    assert api.get(f"{BASE}/{draft.pk}").status_code == 200  # the partner's own draft

    api.post(f"{BASE}/{draft.pk}/requests", {"action": "lockForApproval"}, format="json")
    listed = customer_api.get(BASE).json()["value"]
    assert [(r["id"], r["status"]) for r in listed] == [(draft.pk, "approvalPending")]


def test_customer_view_has_no_security_group_ids(api, customer_api, make_relationship, group):
    pending = make_relationship(status=S.APPROVAL_PENDING, display_name="Pending one")
    body = customer_api.get(f"{BASE}/{pending.pk}").json()
    assert body["status"] == "approvalPending"
    assert str(group.pk) not in str(body)

    active = make_relationship(status=S.ACTIVE, display_name="Active one")
    assignment = AccessAssignmentFactory(
        relationship=active, security_group=group, role_names=["Service Support Administrator"]
    )
    own = api.get(f"{BASE}/{active.pk}/accessAssignments").json()["value"]
    assert own[0]["accessContainer"] == {
        "accessContainerId": str(group.pk),
        "accessContainerType": "securityGroup",
    }
    for url in (
        f"{BASE}/{active.pk}/accessAssignments",
        f"{BASE}/{active.pk}/accessAssignments/{assignment.pk}",
    ):
        response = customer_api.get(url)
        assert response.status_code == 200
        assert str(group.pk) not in response.content.decode()
        assert "accessContainer" not in str(response.json())


# --- durations -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sent", ["P2Y", "P730D", "P90D", "P1Y", "P4W"])
def test_duration_is_echoed_as_sent(api, customer, sent):
    body = {
        "displayName": f"Duration {sent}",
        "duration": sent,
        "customer": {"tenantId": str(customer.pk)},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": SSA}]},
    }
    created = api.post(BASE, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["duration"] == sent
    assert api.get(f"{BASE}/{created.json()['id']}").json()["duration"] == sent


def test_patched_duration_is_echoed_and_out_of_range_refused(api, make_relationship):
    rel = make_relationship(status=S.CREATED)
    response = api.patch(f"{BASE}/{rel.pk}", {"duration": "P1Y"}, format="json", HTTP_IF_MATCH="*")
    assert (response.status_code, response.json()["duration"]) == (200, "P1Y")
    assert_graph_error(
        api.patch(f"{BASE}/{rel.pk}", {"duration": "P3Y"}, format="json", HTTP_IF_MATCH="*"),
        400,
        "GDAP-DURATION",
        "duration",
    )


# --- removing roles from an active relationship --------------------------------------------------------


def roles_body(*ids):
    return {"accessDetails": {"unifiedRoles": [{"roleDefinitionId": i} for i in ids]}}


def test_global_administrator_can_be_removed_from_an_active_relationship(
    api, make_relationship, group, django_capture_on_commit_callbacks
):
    rel = make_relationship(status=S.ACTIVE, roles=("Global Administrator", "Service Support Administrator"))
    assignment = AccessAssignmentFactory(
        relationship=rel,
        security_group=group,
        role_names=["Global Administrator", "Service Support Administrator"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api.patch(f"{BASE}/{rel.pk}", roles_body(SSA), format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 202, response.content
    operation = Operation.objects.get(relationship=rel)
    assert response["Location"] == f"http://testserver{BASE}/{rel.pk}/operations/{operation.pk}"
    body = api.get(response["Location"]).json()
    assert (body["operationType"], body["status"]) == (
        "delegatedAdminRelationshipUpdate",
        OperationStatus.SUCCEEDED,
    )
    after = api.get(f"{BASE}/{rel.pk}").json()
    assert after["status"] == "active"
    assert after["accessDetails"]["unifiedRoles"] == [{"roleDefinitionId": SSA}]
    assert [str(r.pk) for r in AccessAssignment.objects.get(pk=assignment.pk).roles.all()] == [SSA]


@pytest.mark.parametrize(
    "wanted",
    [
        (GA,),  # removing another role
        (GA, SSA, GR),  # adding one
        (GR,),  # replacing
    ],
)
def test_other_role_changes_of_an_active_relationship_are_refused(api, make_relationship, wanted):
    rel = make_relationship(status=S.ACTIVE, roles=("Global Administrator", "Service Support Administrator"))
    assert_graph_error(
        api.patch(f"{BASE}/{rel.pk}", roles_body(*wanted), format="json", HTTP_IF_MATCH="*"),
        400,
        "GDAP-EDIT-CREATED-ONLY",
        "accessDetails",
    )
    assert not Operation.objects.filter(relationship=rel).exists()


def test_sending_the_same_roles_changes_nothing(api, make_relationship):
    rel = make_relationship(status=S.ACTIVE, roles=("Global Administrator", "Service Support Administrator"))
    response = api.patch(f"{BASE}/{rel.pk}", roles_body(GA, SSA), format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200
    assert not Operation.objects.filter(relationship=rel).exists()


def test_customer_cannot_remove_roles(customer_api, make_relationship):
    rel = make_relationship(status=S.ACTIVE, roles=("Global Administrator", "Service Support Administrator"))
    assert_graph_error(
        customer_api.patch(f"{BASE}/{rel.pk}", roles_body(SSA), format="json", HTTP_IF_MATCH="*"),
        403,
        "GDAP-EDIT-CREATED-ONLY",
    )
