"""``/graph/v1.0``: every GDAP endpoint, Graph collection and error shapes, If-Match, scoping."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import resolve
from rest_framework.test import APIClient

from audit.models import AuditEvent
from gdap.choices import AssignmentStatus, RelationshipStatus
from gdap.models import AccessAssignment, Relationship
from partners.choices import PartnerCenterRole
from tests.factories import (
    AccessAssignmentFactory,
    CustomerFactory,
    RelationshipFactory,
    SecurityGroupFactory,
    UserFactory,
)
from tests.graph import assert_graph_error, client_for

from .conftest import GA, GR, SSA

S = RelationshipStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def api(admin_agent):
    return client_for(admin_agent)


BASE = "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"


def create_body(customer, **kw):
    return {
        "displayName": "Contoso help desk",
        "duration": "P730D",
        "customer": {"tenantId": str(customer.pk)},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": SSA}, {"roleDefinitionId": GR}]},
    } | kw


# --- relationships -----------------------------------------------------------------------------------


def test_create_returns_201_with_graph_shape_location_and_etag(api, customer):
    response = api.post(BASE, create_body(customer), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    rel = Relationship.objects.get()
    assert response["Location"] == f"http://testserver{BASE}/{rel.pk}"
    assert response["ETag"] == 'W/"1"'
    assert body == {
        "@odata.etag": 'W/"1"',
        "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
        "id": rel.pk,
        "displayName": "Contoso help desk",
        "duration": "P730D",
        "customer": {"tenantId": str(customer.pk), "displayName": "Fabrikam"},
        "accessDetails": {
            "unifiedRoles": sorted([{"roleDefinitionId": SSA}, {"roleDefinitionId": GR}], key=str)
        },
        "status": "created",
        "autoExtendDuration": "PT0S",
        "createdDateTime": body["createdDateTime"],
        "lastModifiedDateTime": body["lastModifiedDateTime"],
        "activatedDateTime": None,
        "endDateTime": None,
        "invitationLink": None,
    }
    assert body["createdDateTime"].endswith("Z")


def test_create_accepts_pascal_case(api, customer):
    body = {
        "DisplayName": "Pascal",
        "Duration": "P2Y",
        "Customer": {"TenantId": str(customer.pk)},
        "AccessDetails": {"UnifiedRoles": [{"RoleDefinitionId": SSA}]},
        "AutoExtendDuration": "P180D",
    }
    response = api.post(BASE, body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["duration"], response.json()["autoExtendDuration"]) == ("P2Y", "P180D")


@pytest.mark.parametrize(
    ("changes", "code", "target"),
    [
        ({"duration": "PT23H"}, "GDAP-DURATION", "duration"),
        ({"duration": "P731D"}, "GDAP-DURATION", "duration"),
        ({"duration": "two years"}, "BadRequest", "duration"),
        ({"displayName": "x" * 51}, "GDAP-NAME", "displayName"),
        ({"autoExtendDuration": "P90D"}, "GDAP-AUTO-EXTEND", "autoExtendDuration"),
        (
            {
                "autoExtendDuration": "P180D",
                "accessDetails": {"unifiedRoles": [{"roleDefinitionId": GA}]},
            },
            "GDAP-AUTO-EXTEND-NO-GA",
            "autoExtendDuration",
        ),
        (
            {"accessDetails": {"unifiedRoles": [{"roleDefinitionId": "nope"}]}},
            "BadRequest",
            "accessDetails.unifiedRoles[0].roleDefinitionId",
        ),
        ({"customer": {"tenantId": "00000000-0000-0000-0000-000000000000"}}, "BadRequest", "customer"),
    ],
)
def test_create_errors_name_the_rule_and_field(api, customer, changes, code, target):
    response = api.post(BASE, create_body(customer) | changes, format="json")
    error = assert_graph_error(response, 400, code, target=target)
    if code.startswith("GDAP-"):
        assert error["message"].startswith(f"{code}: ")
    assert Relationship.objects.count() == 0


def test_list_is_a_graph_collection_with_keyset_paging(api, partner, customer):
    rels = [
        RelationshipFactory(
            partner=partner, customer=customer, display_name=f"R{i}", role_names=["Global Reader"]
        )
        for i in range(5)
    ]
    RelationshipFactory()  # another partner's
    response = api.get(BASE, {"$top": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["@odata.context"] == (
        "http://testserver/graph/v1.0/$metadata#tenantRelationships/delegatedAdminRelationships"
    )
    seen = [item["id"] for item in body["value"]]
    while "@odata.nextLink" in body:
        assert "$skiptoken=" in body["@odata.nextLink"]
        body = api.get(body["@odata.nextLink"]).json()
        seen += [item["id"] for item in body["value"]]
    expected = [r.pk for r in sorted(rels, key=lambda r: (r.created_at, r.pk))]
    assert seen == expected


def test_list_filters_by_status(api, partner, customer):
    active = RelationshipFactory(partner=partner, customer=customer)
    RelationshipFactory(partner=partner, customer=customer, status=S.EXPIRED)
    body = api.get(BASE, {"$filter": "status eq 'active'"}).json()
    assert [item["id"] for item in body["value"]] == [active.pk]
    assert "@odata.nextLink" not in body


@pytest.mark.parametrize(
    "params",
    [
        {"$filter": "displayName eq 'x'"},
        {"$filter": "status eq 'bogus'"},
        {"$top": "0"},
        {"$skiptoken": "!!"},
    ],
)
def test_bad_query_options_are_graph_400s(api, params):
    assert_graph_error(api.get(BASE, params), 400, "BadRequest")


def test_list_query_count_does_not_grow_with_rows(api, partner, customer, django_assert_max_num_queries):
    for _ in range(3):
        RelationshipFactory(
            partner=partner, customer=customer, role_names=["Global Reader", "Directory Readers"]
        )
    with django_assert_max_num_queries(4):
        small = api.get(BASE)
    for _ in range(20):
        RelationshipFactory(
            partner=partner, customer=customer, role_names=["Global Reader", "Directory Readers"]
        )
    with django_assert_max_num_queries(4):
        large = api.get(BASE)
    assert (len(small.json()["value"]), len(large.json()["value"])) == (3, 23)


def test_get_one_and_another_partners_is_404(api, make_relationship, other_admin_agent):
    rel = make_relationship()
    body = api.get(f"{BASE}/{rel.pk}").json()
    assert (body["id"], body["status"], body["@odata.etag"]) == (rel.pk, "active", 'W/"1"')
    assert body["endDateTime"] is not None
    assert_graph_error(client_for(other_admin_agent).get(f"{BASE}/{rel.pk}"), 404, "ResourceNotFound")
    assert_graph_error(client_for(other_admin_agent).delete(f"{BASE}/{rel.pk}"), 404, "ResourceNotFound")


def test_unauthenticated_is_401(make_relationship):
    response = APIClient().get(BASE)
    assert_graph_error(response, 401, "InvalidAuthenticationToken")


def test_patch_needs_if_match_and_refuses_stale_versions(api, make_relationship):
    rel = make_relationship(status=S.CREATED)
    url = f"{BASE}/{rel.pk}"
    assert_graph_error(api.patch(url, {"displayName": "New"}, format="json"), 428, "PreconditionRequired")
    assert_graph_error(
        api.patch(url, {"displayName": "New"}, format="json", HTTP_IF_MATCH='W/"9"'),
        412,
        "PreconditionFailed",
    )
    rel.refresh_from_db()
    assert (rel.display_name, rel.version) != ("New", 2)
    response = api.patch(url, {"displayName": "New"}, format="json", HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 200
    assert (response.json()["displayName"], response.json()["@odata.etag"], response["ETag"]) == (
        "New",
        'W/"2"',
        'W/"2"',
    )


def test_patch_of_active_relationship_only_changes_auto_extend(api, make_relationship):
    rel = make_relationship(status=S.ACTIVE)
    url = f"{BASE}/{rel.pk}"
    error = assert_graph_error(
        api.patch(url, {"duration": "P10D"}, format="json", HTTP_IF_MATCH="*"),
        400,
        "GDAP-EDIT-CREATED-ONLY",
        "status",
    )
    assert "'active'" in error["message"]
    response = api.patch(url, {"autoExtendDuration": "P180D"}, format="json", HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 200
    assert response.json()["autoExtendDuration"] == "P180D"


def test_patch_auto_extend_refused_with_global_admin(api, make_relationship):
    rel = make_relationship(status=S.ACTIVE, roles=["Global Administrator"])
    response = api.patch(
        f"{BASE}/{rel.pk}", {"autoExtendDuration": "P180D"}, format="json", HTTP_IF_MATCH="*"
    )
    assert_graph_error(response, 400, "GDAP-AUTO-EXTEND-NO-GA", "autoExtendDuration")


@pytest.mark.parametrize(
    ("status", "expected"), [(S.CREATED, 204), (S.ACTIVE, 400), (S.APPROVAL_PENDING, 400)]
)
def test_delete_only_while_created(api, make_relationship, status, expected):
    rel = make_relationship(status=status)
    assert_graph_error(api.delete(f"{BASE}/{rel.pk}"), 428, "PreconditionRequired")
    response = api.delete(f"{BASE}/{rel.pk}", HTTP_IF_MATCH='W/"1"')
    assert response.status_code == expected
    assert Relationship.objects.filter(pk=rel.pk).exists() == (expected != 204)
    if expected == 400:
        assert response.json()["error"]["code"] == "GDAP-EDIT-CREATED-ONLY"


def test_sales_agent_reads_but_cannot_write(make_relationship, sales_agent):
    rel = make_relationship(status=S.CREATED)
    client = client_for(sales_agent)
    assert client.get(f"{BASE}/{rel.pk}").status_code == 200
    response = client.post(f"{BASE}/{rel.pk}/requests", {"action": "lockForApproval"}, format="json")
    assert_graph_error(response, 403, "GDAP-LOCK")
    denial = AuditEvent.objects.get(action="auth.permission_denied")
    assert denial.actor_id == sales_agent.pk
    assert denial.after["surface"] == "graph"


# --- requests ------------------------------------------------------------------------------------------


def test_request_flow_lock_approve_terminate(api, make_relationship, customer_admin):
    rel = make_relationship(status=S.CREATED)
    url = f"{BASE}/{rel.pk}/requests"
    response = api.post(url, {"action": "lockForApproval"}, format="json")
    assert response.status_code == 201
    body = response.json()
    # Graph's documented answer: the request object with its own status, ``created``.
    assert (body["action"], body["status"], body["@odata.type"]) == (
        "lockForApproval",
        "created",
        "#microsoft.graph.delegatedAdminRelationshipRequest",
    )
    assert response["Location"] == f"http://testserver{url}/{body['id']}"
    again = api.get(response["Location"]).json()
    assert (again["id"], again["status"]) == (body["id"], "succeeded")
    relationship = api.get(f"{BASE}/{rel.pk}").json()
    assert relationship["status"] == "approvalPending"
    assert relationship["invitationLink"] == f"http://testserver/gdap/invitations/{rel.pk}/"

    customer_client = client_for(customer_admin)
    assert customer_client.post(url, {"action": "approve"}, format="json").status_code == 201
    assert api.get(f"{BASE}/{rel.pk}").json()["status"] == "active"

    assert api.post(url, {"action": "terminate"}, format="json").json()["status"] == "created"
    assert api.get(f"{BASE}/{rel.pk}").json()["status"] == "terminationRequested"
    listed = api.get(url).json()
    assert [(r["action"], r["status"]) for r in listed["value"]] == [
        ("lockForApproval", "succeeded"),
        ("approve", "succeeded"),
        ("terminate", "pending"),
    ]


def test_partner_cannot_approve_and_other_customer_cannot_see(api, make_relationship):
    rel = make_relationship(status=S.APPROVAL_PENDING)
    url = f"{BASE}/{rel.pk}/requests"
    assert_graph_error(api.post(url, {"action": "approve"}, format="json"), 403, "GDAP-APPROVE")
    stranger = client_for(UserFactory(partner=None, customer=CustomerFactory()))
    assert_graph_error(stranger.post(url, {"action": "approve"}, format="json"), 404, "ResourceNotFound")


def test_unknown_request_action_is_400(api, make_relationship):
    rel = make_relationship(status=S.CREATED)
    response = api.post(f"{BASE}/{rel.pk}/requests", {"action": "restore"}, format="json")
    assert_graph_error(response, 400, "BadRequest", "action")


# --- access assignments, operations -------------------------------------------------------------------------


def assignment_body(group, *roles):
    return {
        "accessContainer": {"accessContainerId": str(group.pk), "accessContainerType": "securityGroup"},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": r} for r in roles]},
    }


def test_assignment_create_list_patch_delete_and_operations(api, make_relationship, group):
    rel = make_relationship(status=S.ACTIVE)
    url = f"{BASE}/{rel.pk}/accessAssignments"
    response = api.post(url, assignment_body(group, SSA), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assignment = AccessAssignment.objects.get()
    assert created == {
        "@odata.type": "#microsoft.graph.delegatedAdminAccessAssignment",
        "@odata.etag": 'W/"1"',
        "id": str(assignment.pk),
        "accessContainer": {"accessContainerId": str(group.pk), "accessContainerType": "securityGroup"},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": SSA}]},
        "status": "pending",
        "createdDateTime": created["createdDateTime"],
        "lastModifiedDateTime": created["lastModifiedDateTime"],
    }
    assert response["Location"] == f"http://testserver{url}/{assignment.pk}"
    assert [a["id"] for a in api.get(url).json()["value"]] == [str(assignment.pk)]

    one = f"{url}/{assignment.pk}"
    assert_graph_error(
        api.patch(one, {"accessDetails": {"unifiedRoles": []}}, format="json"), 428, "PreconditionRequired"
    )
    same = api.patch(one, assignment_body(group, SSA) | {}, format="json", HTTP_IF_MATCH='W/"1"')
    assert same.status_code == 200
    changed = api.patch(
        one,
        {"accessDetails": assignment_body(group, SSA, GR)["accessDetails"]},
        format="json",
        HTTP_IF_MATCH='W/"1"',
    )
    assert changed.status_code == 202
    assert changed["Retry-After"] == "10"
    operation = api.get(changed["Location"]).json()
    assert (operation["operationType"], operation["status"]) == (
        "delegatedAdminAccessAssignmentUpdate",
        "notStarted",
    )
    operations = api.get(f"{BASE}/{rel.pk}/operations").json()
    assert [o["id"] for o in operations["value"]] == [operation["id"]]

    assert api.delete(one, HTTP_IF_MATCH="*").status_code == 204
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DELETING


def test_assignment_roles_must_be_subset_and_group_the_partners(api, make_relationship, group):
    rel = make_relationship(status=S.ACTIVE, roles=["Global Reader"])
    url = f"{BASE}/{rel.pk}/accessAssignments"
    assert_graph_error(
        api.post(url, assignment_body(group, SSA), format="json"),
        400,
        "GDAP-ASSIGNMENT-SUBSET",
        "accessDetails",
    )
    assert_graph_error(
        api.post(url, assignment_body(SecurityGroupFactory(), GR), format="json"),
        400,
        "GDAP-ASSIGNMENT-SUBSET",
        "accessContainer",
    )
    assert AccessAssignment.objects.count() == 0


def test_assignments_of_another_partner_are_404(make_relationship, group, other_admin_agent):
    rel = make_relationship(status=S.ACTIVE)
    assignment = AccessAssignmentFactory(relationship=rel, security_group=group)
    client = client_for(other_admin_agent)
    assert_graph_error(
        client.get(f"{BASE}/{rel.pk}/accessAssignments/{assignment.pk}"), 404, "ResourceNotFound"
    )
    assert_graph_error(client.get(f"{BASE}/{rel.pk}/operations"), 404, "ResourceNotFound")


# --- delegated admin customers -----------------------------------------------------------------------


def test_delegated_admin_customers_and_service_management(
    api, make_relationship, customer, other_admin_agent, admin_agent
):
    make_relationship(status=S.ACTIVE)
    ended = CustomerFactory(name="Ended Ltd")
    RelationshipFactory(partner=make_relationship().partner, customer=ended, status=S.TERMINATED)
    body = api.get("/graph/v1.0/tenantRelationships/delegatedAdminCustomers").json()
    assert body["value"] == [
        {
            "@odata.type": "#microsoft.graph.delegatedAdminCustomer",
            "id": str(customer.pk),
            "tenantId": str(customer.pk),
            "displayName": "Fabrikam",
        }
    ]
    one = api.get(f"/graph/v1.0/tenantRelationships/delegatedAdminCustomers/{customer.pk}")
    assert one.json()["displayName"] == "Fabrikam"
    details = api.get(
        f"/graph/v1.0/tenantRelationships/delegatedAdminCustomers/{customer.pk}/serviceManagementDetails"
    ).json()["value"]
    assert [(d["serviceName"], d["serviceManagementUrl"]) for d in details] == [
        ("Microsoft Azure", f"http://testserver/portals/azure/{customer.pk}/"),
        ("Microsoft 365 admin center", f"http://testserver/portals/m365/{customer.pk}/"),
        (
            "Dynamics 365 (Power Platform admin center)",
            f"http://testserver/portals/dynamics/{customer.pk}/",
        ),
    ]
    # Each link is a real page of the simulated portal in the customer's tenant, not a 404.
    browser = Client()
    browser.force_login(admin_agent)
    for d in details:
        path = d["serviceManagementUrl"].removeprefix("http://testserver")
        assert resolve(path).url_name == "home"
        assert browser.get(path).status_code == 200, path
    other = client_for(other_admin_agent)
    assert_graph_error(
        other.get(f"/graph/v1.0/tenantRelationships/delegatedAdminCustomers/{customer.pk}"),
        404,
        "ResourceNotFound",
    )
    assert_graph_error(
        api.get(f"/graph/v1.0/tenantRelationships/delegatedAdminCustomers/{ended.pk}"),
        404,
        "ResourceNotFound",
    )


def test_reseller_relationship_has_graph_subtype(provider_admin_relationship):
    client, rel, provider = provider_admin_relationship
    body = client.get(f"{BASE}/{rel.pk}").json()
    assert body["@odata.type"] == "#microsoft.graph.resellerDelegatedAdminRelationship"
    assert (body["indirectProviderTenantId"], body["isPartnerConsentPending"]) == (str(provider.pk), True)


@pytest.fixture
def provider_admin_relationship(db):
    from partners.choices import PartnerType
    from tests.factories import CustomerPartnerRelationshipFactory, PartnerFactory

    provider = PartnerFactory(type=PartnerType.INDIRECT_PROVIDER)
    reseller = PartnerFactory(type=PartnerType.INDIRECT_RESELLER, indirect_provider=provider)
    customer = CustomerFactory()
    CustomerPartnerRelationshipFactory(customer=customer, partner=reseller)
    rel = RelationshipFactory(
        partner=provider,
        customer=customer,
        created_for_reseller=reseller,
        status=S.APPROVAL_PENDING,
        activated_at=None,
        duration=timedelta(days=90),
    )
    reseller_agent = UserFactory(partner=reseller, roles=[PartnerCenterRole.ADMIN_AGENT])
    return client_for(reseller_agent), rel, provider


def test_openapi_documents_every_graph_endpoint():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    graph_paths = sorted(p for p in schema["paths"] if p.startswith("/graph/v1.0/"))
    assert len(graph_paths) == 15  # 14 of GDAP and groups, and admin/serviceAnnouncement/issues
    operation = schema["paths"][BASE]["post"]
    assert operation["operationId"] == "delegatedAdminRelationships_create"
    assert schema["paths"][f"{BASE}/{{relationship_id}}"]["patch"]["operationId"] == (
        "delegatedAdminRelationships_update"
    )
