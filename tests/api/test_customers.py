"""/v1/customers and what hangs under it: subscriptions, support options, managed services, incidents."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from customers.choices import Channel, Workload
from customers.models import CustomerDomain
from gdap.choices import RelationshipStatus
from partners.choices import PartnerCenterRole
from tests.factories import (
    CustomerFactory,
    CustomerPartnerRelationshipFactory,
    PartnerFactory,
    RelationshipFactory,
    ServiceHealthIssueFactory,
    SubscriptionFactory,
    UserFactory,
)

from .conftest import client_for
from .test_conventions import assert_error


def customer_json(customer, *, relationship="reseller", delegated=True, custom_domains=()):
    return {
        "id": str(customer.id),
        "companyProfile": {
            "tenantId": str(customer.id),
            "domain": customer.default_domain,
            "companyName": customer.name,
            "attributes": {"objectType": "CustomerCompanyProfile"},
        },
        "relationshipToPartner": relationship,
        "allowDelegatedAccess": delegated,
        "customDomains": list(custom_domains),
        "cloud": "commercial",
        "countryCode": "US",
        "links": {"self": {"uri": f"/v1/customers/{customer.id}", "method": "GET", "headers": []}},
        "attributes": {"objectType": "Customer"},
    }


@pytest.mark.django_db
class TestCustomerList:
    def test_lists_only_the_partners_customers(self, api, world):
        CustomerDomain.objects.create(customer=world.customer, domain="fabrikam.example")
        response = api.get("/v1/customers")
        assert response.status_code == 200
        assert response.json() == {
            "totalCount": 1,
            "items": [customer_json(world.customer, custom_domains=["fabrikam.example"])],
            "links": {"self": {"uri": "/v1/customers?offset=0&size=50", "method": "GET", "headers": []}},
            "attributes": {"objectType": "Collection"},
        }

    def test_allow_delegated_access_needs_an_active_unexpired_relationship(self, api, world):
        expired = CustomerFactory(name="Expired GDAP")
        CustomerPartnerRelationshipFactory(customer=expired, partner=world.partner, relationship="advisor")
        RelationshipFactory(
            partner=world.partner,
            customer=expired,
            status=RelationshipStatus.EXPIRED,
            activated_at=timezone.now() - timedelta(days=800),
        )
        items = {i["companyProfile"]["companyName"]: i for i in api.get("/v1/customers").json()["items"]}
        assert items["Expired GDAP"]["allowDelegatedAccess"] is False
        assert items["Expired GDAP"]["relationshipToPartner"] == "advisor"
        assert items[world.customer.name]["allowDelegatedAccess"] is True

    def test_paging_links(self, api, world):
        for n in range(4):
            CustomerPartnerRelationshipFactory(
                customer=CustomerFactory(name=f"Zeta {n}"), partner=world.partner
            )
        body = api.get("/v1/customers?size=2&offset=2").json()
        # As in Partner Center's ResourceCollection: the number of items in this page.
        assert body["totalCount"] == 2
        assert [i["companyProfile"]["companyName"] for i in body["items"]] == ["Zeta 1", "Zeta 2"]
        assert body["links"]["self"]["uri"] == "/v1/customers?offset=2&size=2"
        assert body["links"]["next"]["uri"] == "/v1/customers?offset=4&size=2"
        assert body["links"]["previous"]["uri"] == "/v1/customers?offset=0&size=2"
        last = api.get("/v1/customers?size=2&offset=4").json()
        assert last["totalCount"] == 1
        assert "next" not in last["links"]
        # A page that ends exactly at the last item has no next link either.
        exact = api.get("/v1/customers?size=2&offset=3").json()
        assert exact["totalCount"] == 2
        assert "next" not in exact["links"]
        assert exact["links"]["previous"]["uri"] == "/v1/customers?offset=1&size=2"

    @pytest.mark.parametrize(
        ("query", "field", "reason"),
        [
            ("size=0", "size", "must be between 1 and 500."),
            ("size=501", "size", "must be between 1 and 500."),
            ("size=abc", "size", "must be an integer, not 'abc'."),
            ("offset=-1", "offset", "must be at least 0."),
        ],
    )
    def test_bad_paging_names_the_field(self, api, query, field, reason):
        body = assert_error(api.get(f"/v1/customers?{query}"), 400, 3000)
        assert body["data"] == [{"field": field, "reason": reason}]

    @pytest.mark.parametrize(
        ("spec", "expected"),
        [
            ({"Field": "CompanyName", "Value": "fab", "Operator": "starts_with"}, ["Fabrikam of Contoso"]),
            ({"Field": "CompanyName", "Value": "Tail", "Operator": "starts_with"}, ["Tailspin"]),
            ({"Field": "Domain", "Value": "tailspin.ex", "Operator": "starts_with"}, ["Tailspin"]),
            ({"Field": "Domain", "Value": "nope", "Operator": "starts_with"}, []),
            (
                {"Field": "CompanyName", "Value": "Tail", "Operator": "not_starts_with"},
                ["Fabrikam of Contoso"],
            ),
            (
                {
                    "LeftFilter": {"Field": "CompanyName", "Value": "Fab", "Operator": "starts_with"},
                    "RightFilter": {"Field": "Domain", "Value": "tailspin", "Operator": "starts_with"},
                    "Operator": "or",
                },
                ["Fabrikam of Contoso", "Tailspin"],
            ),
        ],
    )
    def test_filter(self, api, world, spec, expected):
        tailspin = CustomerFactory(name="Tailspin")
        CustomerDomain.objects.create(customer=tailspin, domain="tailspin.example")
        CustomerPartnerRelationshipFactory(customer=tailspin, partner=world.partner)
        body = api.get("/v1/customers", {"filter": json.dumps(spec)}).json()
        assert [i["companyProfile"]["companyName"] for i in body["items"]] == expected
        assert body["totalCount"] == len(expected)

    @pytest.mark.parametrize(
        ("raw", "data"),
        [
            ("{bad", [{"field": "filter", "reason": "is not valid JSON"}]),
            ("[]", [{"field": "filter", "reason": "must be a JSON object"}]),
            (
                '{"Field": "Country", "Value": "US", "Operator": "equals"}',
                [
                    {
                        "field": "filter.Field",
                        "reason": "'Country' is not a field this list filters "
                        "(one of CompanyName, Domain, IndirectReseller)",
                    }
                ],
            ),
            (
                '{"Field": "Domain", "Value": "x", "Operator": "less_than"}',
                [
                    {
                        "field": "filter.Operator",
                        "reason": "'less_than' does not apply to Domain "
                        "(one of equals, starts_with, substring)",
                    }
                ],
            ),
            (
                '{"Field": "Domain", "Value": "", "Operator": "starts_with"}',
                [{"field": "filter.Value", "reason": "Domain: must be a non-empty string"}],
            ),
            (
                '{"Field": "IndirectReseller", "Value": "reseller-1", "Operator": "starts_with"}',
                [
                    {
                        "field": "filter.Value",
                        "reason": "IndirectReseller: 'reseller-1' is not a tenant id (GUID)",
                    }
                ],
            ),
        ],
    )
    def test_bad_filter_names_the_field(self, api, raw, data):
        body = assert_error(api.get("/v1/customers", {"filter": raw}), 400, 3000)
        assert body["data"] == data

    def test_filter_by_indirect_reseller(self, api, world):
        """Partner Center's documented query: the customers an indirect reseller sells to."""
        reseller = PartnerFactory(name="Reseller Co")
        tailspin = CustomerFactory(name="Tailspin")
        for partner in (world.partner, reseller):
            CustomerPartnerRelationshipFactory(customer=tailspin, partner=partner)
        spec = {"Field": "IndirectReseller", "Value": str(reseller.pk), "Operator": "starts_with"}
        body = api.get("/v1/customers", {"filter": json.dumps(spec)}).json()
        assert [i["companyProfile"]["companyName"] for i in body["items"]] == ["Tailspin"]

    def test_query_count_does_not_grow_with_page_size(self, api, world, django_assert_num_queries):
        for n in range(30):
            customer = CustomerFactory(name=f"Bulk {n:02}")
            CustomerDomain.objects.create(customer=customer, domain=f"bulk{n}.example")
            CustomerPartnerRelationshipFactory(customer=customer, partner=world.partner)
            RelationshipFactory(partner=world.partner, customer=customer)
        # token, page, domains prefetch (no COUNT)
        with django_assert_num_queries(3):
            assert len(api.get("/v1/customers?size=2").json()["items"]) == 2
        with django_assert_num_queries(3):
            assert len(api.get("/v1/customers?size=500").json()["items"]) == 31


@pytest.mark.django_db
class TestCustomerDetail:
    def test_get(self, api, world):
        response = api.get(f"/v1/customers/{world.customer.id}")
        assert response.status_code == 200
        assert response.json() == customer_json(world.customer)

    def test_another_partners_customer_is_404(self, api, world):
        body = assert_error(api.get(f"/v1/customers/{world.other_customer.id}"), 404, 60003)
        assert body["description"] == f"Customer {world.other_customer.id} was not found."

    @pytest.mark.parametrize(
        "suffix", ["", "/subscriptions", "/supportoptions", "/managedservices", "/serviceincidents/office"]
    )
    def test_every_customer_resource_is_404_for_another_partner(self, api, world, suffix):
        assert_error(api.get(f"/v1/customers/{world.other_customer.id}{suffix}"), 404, 60003)

    @pytest.mark.parametrize(
        "suffix", ["", "/subscriptions", "/supportoptions", "/managedservices", "/serviceincidents/office"]
    )
    def test_every_customer_resource_needs_a_token(self, client, world, suffix):
        assert_error(client.get(f"/v1/customers/{world.customer.id}{suffix}"), 401, 800001)


@pytest.mark.django_db
class TestSubscriptions:
    def test_list_and_get(self, api, world):
        azure = SubscriptionFactory(
            customer=world.customer, workload=Workload.AZURE, offer="Azure plan", provider=world.partner
        )
        body = api.get(f"/v1/customers/{world.customer.id}/subscriptions").json()
        assert body["totalCount"] == 2
        expected = {
            "id": str(azure.id),
            "offerName": "Azure plan",
            "workload": "azure",
            "channel": "csp",
            "isTrial": False,
            "status": "active",
            "entitlementId": str(azure.azure_subscription_id),
            "partnerId": None,
            "providerId": str(world.partner.id),
            "creationDate": azure.created_at.isoformat().replace("+00:00", "Z"),
            "isMicrosoftProduct": True,
            "publisherName": "Microsoft Corporation",
            "attributes": {"objectType": "Subscription"},
        }
        assert body["items"][0] == expected
        assert api.get(f"/v1/customers/{world.customer.id}/subscriptions/{azure.id}").json() == expected

    def test_another_customers_subscription_is_404(self, api, world):
        foreign = SubscriptionFactory(customer=world.other_customer)
        response = api.get(f"/v1/customers/{world.customer.id}/subscriptions/{foreign.id}")
        assert_error(response, 404, 1000)


@pytest.mark.django_db
class TestSupportOptions:
    @pytest.mark.parametrize(
        ("direct_trial", "can_open", "rule_ids"),
        [(True, False, ["SUPPORT-OPTIONS-TRIAL"]), (False, True, ["SUPPORT-OPTIONS-PAID"])],
    )
    def test_rules(self, api, world, direct_trial, can_open, rule_ids):
        SubscriptionFactory(
            customer=world.customer, channel=Channel.DIRECT, provider=None, is_trial=direct_trial
        )
        body = api.get(f"/v1/customers/{world.customer.id}/supportoptions").json()
        assert body["canContactPartner"] is True
        assert body["canOpenWithMicrosoft"] is can_open
        assert body["ruleIds"] == rule_ids
        assert body["partnerSupportContact"] == {
            "name": world.partner.name,
            "email": "help@partner.example",
            "phone": "+1 425 555 0100",
            "url": "",
        }
        assert body["attributes"] == {"objectType": "SupportOptions"}


@pytest.mark.django_db
def test_managed_services_link_the_stub_portals(api, world):
    SubscriptionFactory(
        customer=world.customer, workload=Workload.AZURE, offer="Azure plan", provider=world.partner
    )
    tid = world.customer.id
    body = api.get(f"/v1/customers/{tid}/managedservices").json()
    assert body["totalCount"] == 2
    assert [i["id"] for i in body["items"]] == ["Azure", "Office365"]
    assert body["items"][1] == {
        "id": "Office365",
        "name": "Microsoft 365",
        "groupName": "Office",
        "links": {
            "adminService": {"uri": f"/portals/m365/{tid}/", "method": "GET", "headers": []},
            "serviceHealth": {
                "uri": f"/v1/customers/{tid}/serviceincidents/office",
                "method": "GET",
                "headers": [],
            },
            "serviceTicket": {"uri": f"/portals/m365/{tid}/tickets/", "method": "GET", "headers": []},
        },
        "attributes": {"objectType": "ManagedService"},
    }


@pytest.mark.django_db
class TestServiceIncidents:
    def test_lists_own_and_global_issues_as_partner_center_service_incidents(self, api, world):
        own = ServiceHealthIssueFactory(
            customer=world.customer,
            issue_id="EX1",
            feature="Mail flow",
            impact_description="Mail is late.",
            posts=[
                {"createdDateTime": "2026-11-25T08:30:00Z", "postType": "regular", "description": "Looking."}
            ],
        )
        ServiceHealthIssueFactory(
            customer=None,
            issue_id="TM2",
            service="Microsoft Teams",
            is_resolved=True,
            status="serviceRestored",
            end_at=own.start_at,
            start_at=own.start_at - timedelta(hours=1),
        )
        ServiceHealthIssueFactory(
            customer=None,
            issue_id="EX4",
            status="serviceInterruption",
            start_at=own.start_at - timedelta(hours=2),
        )
        ServiceHealthIssueFactory(customer=world.other_customer, issue_id="EX3")
        ServiceHealthIssueFactory(customer=None, issue_id="AZ5", service="Virtual Machines", workload="azure")
        url = f"/v1/customers/{world.customer.id}/serviceincidents/office"
        body = api.get(url).json()
        assert body["attributes"] == {"objectType": "Collection"}
        assert body["totalCount"] == 2
        assert [(i["workload"], i["status"]) for i in body["items"]] == [
            ("Exchange Online", "critical"),
            ("Microsoft Teams", "normal"),
        ]
        exchange, teams = body["items"]
        assert exchange["attributes"] == {"objectType": "ServiceIncidents"}
        assert exchange["messageCenterMessages"] == []
        assert [i["id"] for i in exchange["incidents"]] == ["EX1", "EX4"]
        assert exchange["incidents"][0] == {
            "id": "EX1",
            "messageType": "incident",
            "startTime": own.start_at.isoformat().replace("+00:00", "Z"),
            "endTime": "0001-01-01T00:00:00",
            "status": "warning",
            "resolved": False,
            "messages": [
                {
                    "publishedTime": own.start_at.isoformat().replace("+00:00", "Z"),
                    "messageText": "Title: Delays sending mail\nUser impact: Mail is late.",
                },
                {"publishedTime": "2026-11-25T08:30:00Z", "messageText": "Looking."},
            ],
            "workload": "Exchange Online",
            "affectedWorkloadNames": ["Exchange Online"],
            "impactedArea": "Mail flow",
            "severity": "warning",
        }
        assert teams["incidents"][0]["resolved"] is True
        assert teams["incidents"][0]["endTime"] == own.start_at.isoformat().replace("+00:00", "Z")

    @pytest.mark.parametrize(
        ("query", "ids"),
        [
            ('filter={"Field":"Resolved","Value":"false","Operator":"equals"}', ["EX1"]),
            ('filter={"field":"resolved","value":false,"operator":"equals"}', ["EX1"]),
            ('filter={"Field":"Resolved","Value":"false","Operator":"not_equals"}', ["TM2"]),
            ("resolved=false", ["EX1"]),
            ("resolved=true", ["TM2"]),
        ],
    )
    def test_partner_center_resolved_filter_and_the_shorthand(self, api, world, query, ids):
        ServiceHealthIssueFactory(customer=world.customer, issue_id="EX1")
        ServiceHealthIssueFactory(customer=None, issue_id="TM2", service="Microsoft Teams", is_resolved=True)
        body = api.get(f"/v1/customers/{world.customer.id}/serviceincidents/office?{query}").json()
        assert [i["id"] for item in body["items"] for i in item["incidents"]] == ids

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ('filter={"Field":"Status","Value":"open","Operator":"equals"}', "filter.Field"),
            ('filter={"Field":"Resolved","Value":"false","Operator":"substring"}', "filter.Operator"),
            ('filter={"Field":"Resolved","Value":"maybe","Operator":"equals"}', "filter.Value"),
            ("resolved=maybe", "resolved"),
        ],
    )
    def test_bad_filters_name_their_part(self, api, world, query, field):
        body = assert_error(
            api.get(f"/v1/customers/{world.customer.id}/serviceincidents/office?{query}"), 400, 3000
        )
        assert [d["field"] for d in body["data"]] == [field]

    def test_needs_a_gdap_role_with_service_health(self, world):
        world.relationship.access_assignments.all().delete()
        body = assert_error(
            client_for(world.admin).get(f"/v1/customers/{world.customer.id}/serviceincidents/office"),
            403,
            2032,
        )
        assert [d["ruleId"] for d in body["data"]] == ["HEALTH-BEFORE-ESCALATION"]
        assert "service_health" in body["data"][0]["reason"]

    def test_needs_the_admin_agent_role(self, world):
        helpdesk = UserFactory(
            partner=world.partner, roles=[PartnerCenterRole.HELPDESK_AGENT], groups_in=[world.group]
        )
        body = assert_error(
            client_for(helpdesk).get(f"/v1/customers/{world.customer.id}/serviceincidents/office"), 403, 2032
        )
        assert body["data"] == [
            {
                "ruleId": "HEALTH-BEFORE-ESCALATION",
                "reason": "Viewing a customer's service health needs the Partner Center admin_agent role.",
            }
        ]
