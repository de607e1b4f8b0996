"""GET /graph/v1.0/admin/serviceAnnouncement/issues: Graph's serviceHealthIssue shape, one tenant at a
time, under HEALTH-BEFORE-ESCALATION for a partner's users."""

import pytest

from tests.factories import ServiceHealthIssueFactory, UserFactory
from tests.graph import assert_graph_error

from .conftest import client_for

URL = "/graph/v1.0/admin/serviceAnnouncement/issues"


@pytest.mark.django_db
class TestServiceAnnouncementIssues:
    def test_partner_user_reads_a_customers_issues_in_graphs_shape(self, api, world):
        own = ServiceHealthIssueFactory(
            customer=world.customer,
            issue_id="EX1",
            feature="Mail flow",
            posts=[
                {"createdDateTime": "2026-11-25T08:30:00Z", "postType": "regular", "description": "Looking."}
            ],
        )
        ServiceHealthIssueFactory(customer=world.other_customer, issue_id="EX3")
        ServiceHealthIssueFactory(customer=None, issue_id="AZ5", service="Virtual Machines", workload="azure")
        response = api.get(URL, {"tenantId": str(world.customer.id)})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["@odata.context"].endswith("/graph/v1.0/$metadata#admin/serviceAnnouncement/issues")
        assert [i["id"] for i in body["value"]] == ["EX1"]
        issue = body["value"][0]
        assert issue == {
            "id": "EX1",
            "title": own.title,
            "impactDescription": "",
            "classification": "incident",
            "origin": "microsoft",
            "status": "serviceDegradation",
            "service": "Exchange Online",
            "feature": "Mail flow",
            "featureGroup": "",
            "isResolved": False,
            "startDateTime": issue["startDateTime"],
            "endDateTime": None,
            "lastModifiedDateTime": issue["lastModifiedDateTime"],
            "posts": [
                {
                    "createdDateTime": "2026-11-25T08:30:00Z",
                    "postType": "regular",
                    "description": {"contentType": "text", "content": "Looking."},
                }
            ],
        }

    def test_partner_user_must_name_the_tenant(self, api):
        assert_graph_error(api.get(URL), 400, "BadRequest", target="tenantId")

    def test_another_partners_customer_is_404(self, api, world):
        assert_graph_error(
            api.get(URL, {"tenantId": str(world.other_customer.id)}),
            404,
            "Request_ResourceNotFound",
            "tenantId",
        )
        assert_graph_error(api.get(URL, {"tenantId": "nope"}), 404, "Request_ResourceNotFound", "tenantId")

    def test_partner_user_needs_health_before_escalation(self, world):
        world.relationship.access_assignments.all().delete()
        error = assert_graph_error(
            client_for(world.admin).get(URL, {"tenantId": str(world.customer.id)}), 403, "Forbidden"
        )
        assert "HEALTH-BEFORE-ESCALATION" in error["message"]

    def test_customer_side_user_reads_its_own_tenant_only(self, world):
        ServiceHealthIssueFactory(customer=world.customer, issue_id="EX1")
        fiona = UserFactory(partner=None, customer=world.customer)
        client = client_for(fiona)
        body = client.get(URL).json()
        assert [i["id"] for i in body["value"]] == ["EX1"]
        assert_graph_error(
            client.get(URL, {"tenantId": str(world.other_customer.id)}),
            404,
            "Request_ResourceNotFound",
            "tenantId",
        )
