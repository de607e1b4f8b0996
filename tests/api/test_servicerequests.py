"""/v1 service requests: filing through the eligibility engine, dry run, list, get, PATCH, idempotency."""

import json
import uuid
from datetime import UTC
from unittest import mock

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from audit.models import AuditEvent
from core.models import IdempotencyRecord
from customers.choices import Workload
from partners.choices import PartnerCenterRole
from servicerequests.api.serializers import CONTACT_ID_NAMESPACE
from servicerequests.models import Dispatch, Note, ServiceRequest
from servicerequests.support_topics import SUPPORT_PRODUCTS, default_support_topic_id
from tests.factories import (
    IsvPublisherFactory,
    ServiceRequestFactory,
    SubscriptionFactory,
    SupportEntitlementFactory,
    UserFactory,
)

from .conftest import client_for
from .test_conventions import assert_error

M365_BODY = {
    "title": "Mail stuck in the outbox",
    "description": "Since this morning mail to external recipients stays in the outbox.",
    "severity": "moderate",
    "workload": "m365",
    "supportTopicId": 32444611,
}


def file_url(world):
    return f"/v1/customers/{world.customer.id}/servicerequests"


@pytest.mark.django_db
class TestFiling:
    def test_files_through_the_engine_and_answers_201(self, api, world):
        response = api.post(file_url(world), M365_BODY, format="json")
        assert response.status_code == 201
        body = response.json()
        sr = ServiceRequest.objects.get()
        assert (
            response["Location"]
            == f"http://testserver/v1/customers/{world.customer.id}/servicerequests/{sr.id}"
        )
        assert response["ETag"] == '"1"'
        assert body["id"] == sr.id and len(sr.id) == 15
        assert body["status"] == "none"
        assert body["severity"] == "moderate"
        assert body["supportTopicId"] == "32444611"
        assert body["supportTopicName"] == "Exchange Online"
        assert body["organization"] == {
            "id": str(world.customer.id),
            "name": world.customer.name,
            "phoneNumber": "",
        }
        assert body["primaryContact"] == {
            "contactId": str(uuid.uuid5(CONTACT_ID_NAMESPACE, "alice@contosopartners.example")),
            "firstName": "Alice",
            "lastName": "Admin",
            "email": "alice@contosopartners.example",
            "phoneNumber": "+1 425 555 0101",
        }
        assert body["lastUpdatedBy"]["contactId"] == body["primaryContact"]["contactId"]
        assert (body["productId"], body["productName"]) == ("16002", "Microsoft 365")
        assert body["lastClosedDate"] == "0001-01-01T00:00:00"
        assert body["notes"] == []
        assert body["portal"] == "m365"
        assert body["links"]["portal"] == {
            "uri": f"/portals/m365/{world.customer.id}/requests/{sr.id}/",
            "method": "GET",
            "headers": [],
        }
        assert body["eligibility"]["allowed"] is True
        assert body["attributes"] == {"objectType": "ServiceRequest", "etag": '"1"'}
        assert Dispatch.objects.filter(request=sr).count() == 1
        assert AuditEvent.objects.filter(action="servicerequest.filed", object_id=sr.id).count() == 1

    def test_filing_answer_equals_the_get(self, api, world):
        """The 201 is built from the objects the service used, not read back: it must be what a GET
        of the same request answers (customer filing and own-subscription filing)."""
        entitlement = SupportEntitlementFactory(partner=world.partner, entitlement_id="PREM-7782")
        for url, payload in (
            (file_url(world), M365_BODY),
            ("/v1/servicerequests", {**M365_BODY, "supportEntitlementId": entitlement.entitlement_id}),
        ):
            response = api.post(url, payload, format="json")
            assert response.status_code == 201, response.json()
            got = api.get(response["Location"])
            assert got.status_code == 200
            assert response.json() == got.json()
            assert response["ETag"] == got["ETag"]

    def test_a_filing_runs_a_fixed_number_of_queries(self, api, world, django_assert_num_queries):
        """The whole POST, whatever the number of relationships, assignments and roles: the token,
        the two eligibility reads (the user with the customer, the relationships with the user's
        assignments), the
        request, its dispatch row, its audit event, the idempotency record of its ``MS-RequestId``,
        and the savepoint pair of the test's transaction (``run_idempotent``'s atomic block). The
        support topic is the process's copy (``support_topic_get``); the partner has no webhook
        registration, which the user's read tells, so none is looked up. The 201 reads nothing back
        (no notes, no attachments)."""

        def file():
            return api.post(file_url(world), M365_BODY, format="json", HTTP_MS_REQUESTID=str(uuid.uuid4()))

        file()  # warm: the first filing reads no more
        with django_assert_num_queries(9):
            response = file()
        assert response.status_code == 201, response.json()

    def test_a_partner_users_filing_reads_the_customer_once(self, api, world):
        """The eligibility decision's read of the customer is the filing's: the view does not look
        it up (``customer_get``), nor does the service read it again (its query count is pinned in
        ``test_services_file.py``)."""
        looked_up = AssertionError("the customer was looked up before the decision")
        with mock.patch("customers.api.mixins.customer_get", side_effect=looked_up):
            response = api.post(file_url(world), M365_BODY, format="json")
        assert response.status_code == 201, response.json()
        sr = ServiceRequest.objects.get(pk=response.json()["id"])
        assert (sr.customer_id, sr.country_code) == (world.customer.pk, world.customer.country)
        assert response.json()["organization"] == {
            "id": str(world.customer.pk),
            "name": world.customer.name,
            "phoneNumber": "",
        }

    def test_pascal_case_and_integer_enums(self, api, world):
        body = {k[0].upper() + k[1:]: v for k, v in M365_BODY.items()}
        body["Severity"] = 1
        body["PrimaryContact"] = {"PhoneNumber": "+1 425 555 0199"}
        response = api.post(file_url(world), body, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["severity"] == "critical"
        assert response.json()["primaryContact"]["phoneNumber"] == "+1 425 555 0199"

    def test_denied_is_403_with_the_failed_rules(self, api, world):
        world.relationship.access_assignments.get().roles.set(
            world.relationship.roles.filter(name="Global Reader")
        )
        body = assert_error(api.post(file_url(world), M365_BODY, format="json"), 403, 2032)
        assert [d["ruleId"] for d in body["data"]] == ["SR-GDAP-ROLE-TICKETS"]
        assert body["data"][0]["outcome"] == "failed"
        assert body["data"][0]["remedy"]
        assert "SR-GDAP-ROLE-TICKETS" in body["description"]
        assert ServiceRequest.objects.count() == 0

    def test_sales_agent_may_not_file(self, world):
        sales = UserFactory(
            partner=world.partner, roles=[PartnerCenterRole.SALES_AGENT], groups_in=[world.group]
        )
        body = assert_error(client_for(sales).post(file_url(world), M365_BODY, format="json"), 403, 2032)
        assert "SR-PC-ROLE-ADMIN-AGENT" in [d["ruleId"] for d in body["data"]]
        assert ServiceRequest.objects.count() == 0

    def test_a_request_filed_for_a_customer_without_a_topic_gets_its_workloads_default(self, api, world):
        payload = {key: value for key, value in M365_BODY.items() if key != "supportTopicId"}
        body = api.post(file_url(world), payload, format="json").json()
        assert (body["supportTopicId"], body["supportTopicName"]) == ("32444610", "Other Microsoft 365 issue")
        assert ServiceRequest.objects.get().support_topic_id == 32444610

    def test_the_default_topic_follows_the_workload_and_the_azure_issue_type(self):
        assert default_support_topic_id("azure") == 32444600
        assert default_support_topic_id("azure", "billing") == 32444605
        assert default_support_topic_id("azure", "quota") == 32444607
        assert default_support_topic_id("dynamics") == 32444630
        assert default_support_topic_id("marketplace") is None

    def test_own_subscription_request_needs_a_support_topic_as_partner_center_did(self, api, world):
        entitlement = SupportEntitlementFactory(partner=world.partner)
        payload = {key: value for key, value in M365_BODY.items() if key != "supportTopicId"}
        payload["supportEntitlementId"] = entitlement.entitlement_id
        body = assert_error(api.post("/v1/servicerequests", payload, format="json"), 400, 3000)
        assert [d["field"] for d in body["data"]] == ["supportTopicId"]
        assert ServiceRequest.objects.count() == 0

    def test_contact_id_is_the_same_for_the_same_person(self, api, world):
        first = api.post(file_url(world), M365_BODY, format="json").json()
        second = api.post(file_url(world), M365_BODY, format="json").json()
        other = api.post(
            file_url(world),
            {**M365_BODY, "primaryContact": {"email": "bob@contosopartners.example"}},
            format="json",
        ).json()
        assert first["primaryContact"]["contactId"] == second["primaryContact"]["contactId"]
        assert other["primaryContact"]["contactId"] != first["primaryContact"]["contactId"]
        assert str(uuid.UUID(other["primaryContact"]["contactId"])) == other["primaryContact"]["contactId"]

    def test_marketplace_is_422_with_the_isv_contact(self, api, world):
        isv = IsvPublisherFactory(name="Litware")
        product = SubscriptionFactory(
            customer=world.customer, workload=Workload.MARKETPLACE, offer="Litware Backup", isv=isv
        )
        payload = {**M365_BODY, "workload": "marketplace", "subscriptionId": str(product.id)}
        payload.pop("supportTopicId")
        body = assert_error(api.post(file_url(world), payload, format="json"), 422, 900141)
        assert body["data"][0]["ruleId"] == "SR-MARKETPLACE-ISV"
        assert body["data"][0]["isvContact"] == {
            "name": "Litware",
            "supportUrl": "https://support.isv.example",
            "supportEmail": "support@isv.example",
            "supportPhone": "+1 800 555 0199",
        }
        assert ServiceRequest.objects.count() == 0

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"title": ""}, "title"),
            ({"title": "x" * 201}, "title"),
            ({"description": None}, "description"),
            ({"severity": 7}, "severity"),
            ({"severity": "urgent"}, "severity"),
            ({"workload": "windows"}, "workload"),
            ({"supportTopicId": 99}, "supportTopicId"),
            ({"supportTopicId": 32444601}, "supportTopicId"),
            ({"primaryContact": {"email": "not-an-address"}}, "primaryContact.email"),
            ({"issueType": "billing"}, "issueType"),
        ],
    )
    def test_validation_errors_name_the_field(self, api, world, change, field):
        body = assert_error(api.post(file_url(world), {**M365_BODY, **change}, format="json"), 400, 3000)
        assert [d["field"] for d in body["data"]] == [field]
        assert body["data"][0]["reason"]
        assert ServiceRequest.objects.count() == 0

    def test_another_partners_customer_is_404(self, api, world):
        url = f"/v1/customers/{world.other_customer.id}/servicerequests"
        assert_error(api.post(url, M365_BODY, format="json"), 404, 60003)
        assert ServiceRequest.objects.count() == 0

    def test_needs_a_token(self, client, world):
        assert_error(client.post(file_url(world), M365_BODY, content_type="application/json"), 401, 800001)

    def test_own_subscription_request(self, api, world):
        entitlement = SupportEntitlementFactory(partner=world.partner, entitlement_id="PREM-7781")
        payload = {**M365_BODY, "supportEntitlementId": entitlement.entitlement_id}
        response = api.post("/v1/servicerequests", payload, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["customerId"] is None
        assert body["organization"] == {
            "id": str(world.partner.id),
            "name": world.partner.name,
            "phoneNumber": "+1 425 555 0100",
        }
        assert response["Location"] == f"http://testserver/v1/servicerequests/{body['id']}"

    def test_own_subscription_needs_an_entitlement_id(self, api):
        body = assert_error(api.post("/v1/servicerequests", M365_BODY, format="json"), 400, 3000)
        assert body["data"] == [{"field": "supportEntitlementId", "reason": "This field is required."}]

    def test_own_subscription_with_an_expired_entitlement_is_denied(self, api, world):
        SupportEntitlementFactory(
            partner=world.partner,
            entitlement_id="PREM-OLD",
            valid_until=timezone.now() - timezone.timedelta(days=1),
        )
        payload = {**M365_BODY, "supportEntitlementId": "PREM-OLD"}
        body = assert_error(api.post("/v1/servicerequests", payload, format="json"), 403, 2032)
        assert [d["ruleId"] for d in body["data"]] == ["SR-OWN-SUBSCRIPTION-ENTITLEMENT"]


@pytest.mark.django_db
class TestEligibilityDryRun:
    def test_allowed(self, api, world):
        response = api.post(f"{file_url(world)}/eligibility", {"workload": "m365"}, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["allowed"] is True
        assert body["portal"]["portal"] == "m365"
        assert body["isvContact"] is None
        assert {o["outcome"] for o in body["outcomes"]} <= {"passed", "not_applicable"}
        assert all(set(o) == {"ruleId", "outcome", "message", "remedy"} for o in body["outcomes"])
        assert ServiceRequest.objects.count() == 0

    def test_denied_lists_every_outcome(self, api, world):
        response = api.post(
            f"{file_url(world)}/eligibility", {"workload": "m365", "severity": "critical"}, format="json"
        )
        world.admin.refresh_from_db()
        body = response.json()
        assert response.status_code == 200
        # The admin has a phone, so critical passes; remove it to see SR-CRITICAL-NEEDS-PHONE fail.
        assert body["allowed"] is True
        world.admin.phone = ""
        world.admin.save()
        body = api.post(
            f"{file_url(world)}/eligibility", {"workload": "m365", "severity": 1}, format="json"
        ).json()
        assert body["allowed"] is False
        assert [o["ruleId"] for o in body["outcomes"] if o["outcome"] == "failed"] == [
            "SR-CRITICAL-NEEDS-PHONE"
        ]

    def test_another_partners_customer_is_404(self, api, world):
        url = f"/v1/customers/{world.other_customer.id}/servicerequests/eligibility"
        assert_error(api.post(url, {"workload": "m365"}, format="json"), 404, 60003)


@pytest.mark.django_db
class TestIdempotency:
    def test_retry_returns_the_first_response_and_creates_nothing(self, api, world):
        request_id = str(uuid.uuid4())
        first = api.post(file_url(world), M365_BODY, format="json", HTTP_MS_REQUESTID=request_id)
        # The same body, its keys in another order: the same request, replayed.
        reordered = dict(reversed(list(M365_BODY.items())))
        second = api.post(file_url(world), reordered, format="json", HTTP_MS_REQUESTID=request_id)
        assert first.status_code == second.status_code == 201
        assert second.json() == first.json()
        assert second["Location"] == first["Location"]
        assert second["Idempotent-Replayed"] == "true"
        assert second["MS-RequestId"] == request_id
        assert ServiceRequest.objects.count() == 1
        assert IdempotencyRecord.objects.get().status_code == 201

    def test_an_id_reused_with_another_body_is_refused_and_creates_nothing(self, api, world):
        request_id = str(uuid.uuid4())
        first = api.post(file_url(world), M365_BODY, format="json", HTTP_MS_REQUESTID=request_id)
        second = api.post(
            file_url(world), {**M365_BODY, "title": "changed"}, format="json", HTTP_MS_REQUESTID=request_id
        )
        assert first.status_code == 201
        assert second.status_code == 422
        assert second.json()["data"] == [
            {"field": "MS-RequestId", "reason": "already used with a different request body"}
        ]
        assert "Idempotent-Replayed" not in second
        assert list(ServiceRequest.objects.values_list("title", flat=True)) == [M365_BODY["title"]]
        assert IdempotencyRecord.objects.count() == 1

    def test_a_4xx_is_replayed_too(self, api, world):
        request_id = str(uuid.uuid4())
        invalid = {**M365_BODY, "title": ""}
        first = api.post(file_url(world), invalid, format="json", HTTP_MS_REQUESTID=request_id)
        second = api.post(file_url(world), invalid, format="json", HTTP_MS_REQUESTID=request_id)
        assert first.status_code == second.status_code == 400
        assert second["Idempotent-Replayed"] == "true"
        assert second.json() == first.json()
        assert ServiceRequest.objects.count() == 0
        # A corrected body is a new request: it needs a new id.
        corrected = api.post(file_url(world), M365_BODY, format="json", HTTP_MS_REQUESTID=request_id)
        assert corrected.status_code == 422
        assert ServiceRequest.objects.count() == 0

    def test_an_answer_after_a_failed_write_is_not_recorded_and_a_retry_files(self, api, world):
        """An error escaping the filing's writes (no savepoint of their own) marks the idempotent
        transaction for rollback: whatever the answer, nothing is kept or recorded."""
        request_id = str(uuid.uuid4())
        half_way = DjangoValidationError({"title": ["rejected half-way through the writes"]})
        with mock.patch("servicerequests.services.filing.audit_event_record", side_effect=half_way):
            first = api.post(file_url(world), M365_BODY, format="json", HTTP_MS_REQUESTID=request_id)
        assert first.status_code == 400
        assert (ServiceRequest.objects.count(), IdempotencyRecord.objects.count()) == (0, 0)
        retry = api.post(file_url(world), M365_BODY, format="json", HTTP_MS_REQUESTID=request_id)
        assert retry.status_code == 201
        assert (ServiceRequest.objects.count(), IdempotencyRecord.objects.count()) == (1, 1)

    def test_ids_are_per_user(self, api, world):
        colleague = UserFactory(
            partner=world.partner,
            roles=[PartnerCenterRole.ADMIN_AGENT],
            groups_in=[world.group],
            email="bob@contosopartners.example",
        )
        request_id = str(uuid.uuid4())
        assert (
            api.post(file_url(world), M365_BODY, format="json", HTTP_MS_REQUESTID=request_id).status_code
            == 201
        )
        other = client_for(colleague).post(
            file_url(world), M365_BODY, format="json", HTTP_MS_REQUESTID=request_id
        )
        assert other.status_code == 201
        assert ServiceRequest.objects.count() == 2

    def test_without_a_request_id_each_post_files(self, api, world):
        first = api.post(file_url(world), M365_BODY, format="json")
        second = api.post(file_url(world), M365_BODY, format="json")
        assert first["MS-RequestId"] != second["MS-RequestId"]
        assert ServiceRequest.objects.count() == 2
        assert IdempotencyRecord.objects.count() == 0

    def test_reuse_on_another_path_is_409(self, api, world):
        request_id = str(uuid.uuid4())
        api.post(file_url(world), M365_BODY, format="json", HTTP_MS_REQUESTID=request_id)
        response = api.post(
            f"{file_url(world)}/eligibility",
            {"workload": "m365"},
            format="json",
            HTTP_MS_REQUESTID=request_id,
        )
        body = assert_error(response, 409, 800014)
        assert body["data"] == [{"field": "MS-RequestId", "reason": "already used for another operation"}]

    def test_malformed_request_id_is_400(self, api, world):
        body = assert_error(
            api.post(file_url(world), M365_BODY, format="json", HTTP_MS_REQUESTID="abc"), 400, 3000
        )
        assert body["data"] == [{"field": "MS-RequestId", "reason": "must be a GUID"}]
        assert ServiceRequest.objects.count() == 0


def make_requests(world, n, **kwargs):
    return [
        ServiceRequestFactory(
            partner=world.partner, customer=world.customer, created_by=world.admin, **kwargs
        )
        for _ in range(n)
    ]


@pytest.mark.django_db
class TestList:
    def test_lists_only_the_partners_requests(self, api, world):
        own = make_requests(world, 2)
        ServiceRequestFactory(partner=world.other_partner, customer=world.other_customer)
        body = api.get("/v1/servicerequests").json()
        assert body["totalCount"] == 2
        assert {i["id"] for i in body["items"]} == {r.id for r in own}
        item = body["items"][0]
        assert "notes" not in item and "eligibility" not in item
        assert item["attributes"]["objectType"] == "ServiceRequest"

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("status=open", {"open-moderate"}),
            ("status=1", {"open-moderate"}),
            ("status=closed,attention_needed", {"closed-critical", "attention-minimal"}),
            ("severity=critical", {"closed-critical"}),
            ("severity=3", {"attention-minimal"}),
            ("workload=azure", {"closed-critical"}),
            ("slaBreached=true", {"attention-minimal"}),
            ("q=closed", {"closed-critical"}),
            ("assignedTo=none", {"open-moderate", "closed-critical"}),
        ],
    )
    def test_filters(self, api, world, query, expected):
        ServiceRequestFactory(partner=world.partner, customer=world.customer, title="open-moderate")
        ServiceRequestFactory(
            partner=world.partner,
            customer=world.customer,
            title="closed-critical",
            status="closed",
            closed_at=timezone.now(),
            severity="critical",
            workload="azure",
        )
        ServiceRequestFactory(
            partner=world.partner,
            customer=world.customer,
            title="attention-minimal",
            status="attention_needed",
            severity="minimal",
            sla_breached=True,
            assigned_to=world.admin,
        )
        body = api.get(f"/v1/servicerequests?{query}").json()
        assert {i["title"] for i in body["items"]} == expected
        assert body["totalCount"] == len(expected)

    def test_assigned_to_and_customer_and_id_search(self, api, world):
        mine, other = make_requests(world, 2)
        mine.assigned_to = world.admin
        mine.save()
        assert [
            i["id"] for i in api.get(f"/v1/servicerequests?assignedTo={world.admin.username}").json()["items"]
        ] == [mine.id]
        assert api.get(f"/v1/servicerequests?q={other.id[:9]}").json()["items"][0]["id"] == other.id
        assert api.get(f"/v1/servicerequests?customerId={world.other_customer.id}").json()["totalCount"] == 0

    def test_order_by(self, api, world):
        first, second = make_requests(world, 2)
        first.created_at = timezone.now() - timezone.timedelta(days=1)
        first.save()
        ids = [i["id"] for i in api.get("/v1/servicerequests?orderBy=createdDate").json()["items"]]
        assert ids == [first.id, second.id]
        ids = [i["id"] for i in api.get("/v1/servicerequests").json()["items"]]
        assert ids == [second.id, first.id]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("status=pending", "status"),
            ("severity=9", "severity"),
            ("workload=windows", "workload"),
            ("customerId=nope", "customerId"),
            ("slaBreached=maybe", "slaBreached"),
            ("orderBy=title", "orderBy"),
        ],
    )
    def test_bad_filters_name_the_field(self, api, query, field):
        body = assert_error(api.get(f"/v1/servicerequests?{query}"), 400, 3000)
        assert [d["field"] for d in body["data"]] == [field]

    def test_customer_list(self, api, world):
        own = make_requests(world, 1)[0]
        ServiceRequestFactory(partner=world.partner)  # another customer of the same partner
        body = api.get(file_url(world)).json()
        assert [i["id"] for i in body["items"]] == [own.id]
        assert_error(api.get(f"/v1/customers/{world.other_customer.id}/servicerequests"), 404, 60003)

    def test_roles_outside_sr_view_see_nothing(self, world):
        make_requests(world, 1)
        billing = UserFactory(partner=world.partner, roles=[PartnerCenterRole.BILLING_ADMIN])
        assert client_for(billing).get("/v1/servicerequests").json()["totalCount"] == 0

    @pytest.mark.parametrize("url", ["/v1/servicerequests", "/v1/customers/{tid}/servicerequests"])
    def test_query_count_does_not_grow_with_page_size(self, api, world, url, django_assert_num_queries):
        from servicerequests.models import SupportTopic

        topic = SupportTopic.objects.filter(workload=Workload.M365).first()
        subscription = SubscriptionFactory(customer=world.customer, provider=world.partner)
        entitlement = SupportEntitlementFactory(partner=world.partner)
        for _ in range(10):  # every kind of row on every page of 4 (newest first)
            make_requests(world, 1, assigned_to=world.admin, portal="m365")
            make_requests(world, 1, support_topic=topic, subscription=subscription, portal="m365")
            make_requests(world, 1, portal="")  # not routed yet: the snapshot's portal URL
            ServiceRequestFactory(partner=world.partner, customer=None, support_entitlement=entitlement)
        url = url.format(tid=world.customer.id)
        api.get(url)  # warm: the process's copy of the support topic table (support_topic_get)
        # token, (customer), page (the SR-VIEW roles checked in it), portal URLs, (the partner, for
        # requests without a customer); never a COUNT, nor a sweep of the user's other tokens, nor a
        # read of the user's roles of its own, nor of the support topics (the process's copy). The
        # product is the workload's (support_topics.SUPPORT_PRODUCTS): no subscription is read.
        expected = 4
        with django_assert_num_queries(expected):
            assert len(api.get(f"{url}?size=4").json()["items"]) == 4
        with django_assert_num_queries(expected):
            assert len(api.get(f"{url}?size=500").json()["items"]) == (40 if "customers" not in url else 30)

    def test_support_topics(self, api, django_assert_num_queries):
        with django_assert_num_queries(2):  # token, page
            body = api.get("/v1/servicerequests/supporttopics?workload=ems").json()
        assert body["totalCount"] == 4
        assert body["items"][0] == {
            "id": 32444623,
            "name": "Azure Information Protection",
            "description": "Labels, encryption and policies.",
            "workload": "ems",
            "attributes": {"objectType": "SupportTopic"},
        }
        assert api.get("/v1/servicerequests/supporttopics").json()["totalCount"] == 23


@pytest.mark.django_db
class TestDetailAndUpdate:
    @pytest.fixture
    def sr(self, world):
        return ServiceRequestFactory(
            partner=world.partner, customer=world.customer, created_by=world.admin, country_code="US"
        )

    @pytest.mark.parametrize("prefix", ["/v1/servicerequests", "/v1/customers/{tid}/servicerequests"])
    def test_get(self, api, world, sr, prefix):
        Note.objects.create(
            request=sr, text="First note", created_by=world.admin, created_by_name="Alice Admin"
        )
        response = api.get(f"{prefix.format(tid=world.customer.id)}/{sr.id}")
        assert response.status_code == 200
        assert response["ETag"] == '"1"'
        body = response.json()
        assert [n["text"] for n in body["notes"]] == ["First note"]
        assert body["notes"][0]["createdByName"] == "Alice Admin"
        assert body["lastUpdatedBy"]["email"] == world.admin.email
        assert body["fileLinks"] == []
        assert body["customerId"] == str(world.customer.id)

    @pytest.mark.parametrize("prefix", ["/v1/servicerequests", "/v1/customers/{tid}/servicerequests"])
    def test_another_partners_request_is_404(self, api, world, prefix):
        foreign = ServiceRequestFactory(partner=world.other_partner, customer=world.other_customer)
        url = f"{prefix.format(tid=world.customer.id)}/{foreign.id}"
        assert_error(api.get(url), 404, 1000)
        assert_error(api.patch(url, {"newNote": {"text": "x"}}, format="json"), 404, 1000)
        assert Note.objects.count() == 0

    def test_request_of_another_customer_path_is_404(self, api, world, sr):
        other_sr = ServiceRequestFactory(partner=world.partner)
        assert_error(api.get(f"/v1/customers/{world.customer.id}/servicerequests/{other_sr.id}"), 404, 1000)

    def test_patch_adds_a_note_and_closes(self, api, world, sr):
        response = api.patch(
            f"/v1/servicerequests/{sr.id}",
            {"Status": "closed", "NewNote": {"Text": "Fixed."}},
            format="json",
            HTTP_IF_MATCH='"1"',
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["status"] == "closed"
        assert body["lastClosedDate"] != "0001-01-01T00:00:00"
        assert [n["text"] for n in body["notes"]] == ["Fixed."]
        assert response["ETag"] == '"2"'
        assert AuditEvent.objects.filter(action="servicerequest.updated", object_id=sr.id).count() == 1

    @pytest.mark.parametrize(
        ("status", "expected"), [(3, "attention_needed"), ("AttentionNeeded", "attention_needed")]
    )
    def test_patch_accepts_integer_and_pascal_enums(self, api, sr, status, expected):
        body = api.patch(f"/v1/servicerequests/{sr.id}", {"status": status}, format="json").json()
        assert body["status"] == expected

    def test_default_enum_values_mean_no_change(self, api, sr):
        response = api.patch(
            f"/v1/servicerequests/{sr.id}", {"status": "none", "severity": "unknown"}, format="json"
        )
        assert response.status_code == 200
        sr.refresh_from_db()
        assert (sr.status, sr.severity, sr.version) == ("open", "moderate", 1)

    def test_stale_if_match_is_412_and_nothing_changes(self, api, world, sr):
        response = api.patch(
            f"/v1/servicerequests/{sr.id}", {"newNote": {"text": "late"}}, format="json", HTTP_IF_MATCH='"0"'
        )
        body = assert_error(response, 412, 800010)
        assert body["data"] == [{"field": "If-Match", "reason": "is version 0; the request is now at 1"}]
        assert Note.objects.count() == 0
        sr.refresh_from_db()
        assert sr.version == 1

    def test_sales_agent_may_not_patch(self, world, sr):
        sales = UserFactory(partner=world.partner, roles=[PartnerCenterRole.SALES_AGENT])
        client = client_for(sales)
        assert client.get(f"/v1/servicerequests/{sr.id}").status_code == 200
        body = assert_error(
            client.patch(f"/v1/servicerequests/{sr.id}", {"newNote": {"text": "x"}}, format="json"), 403, 2032
        )
        assert "SR-VIEW" in body["description"]
        assert Note.objects.count() == 0

    def test_only_support_managers_assign(self, api, world, sr):
        assert_error(
            api.patch(f"/v1/servicerequests/{sr.id}", {"assignedTo": world.admin.username}, format="json"),
            403,
            2032,
        )
        manager = UserFactory(partner=world.partner, roles=[PartnerCenterRole.SUPPORT_MANAGER])
        response = client_for(manager).patch(
            f"/v1/servicerequests/{sr.id}", {"assignedTo": world.admin.username}, format="json"
        )
        assert response.json()["assignedTo"] == {
            "id": world.admin.pk,
            "userName": world.admin.username,
            "displayName": "Alice Admin",
        }
        body = assert_error(
            client_for(manager).patch(f"/v1/servicerequests/{sr.id}", {"assignedTo": "ghost"}, format="json"),
            400,
            3000,
        )
        assert body["data"] == [{"field": "assignedTo", "reason": "no user 'ghost' in your partner"}]

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"status": "pending"}, "status"),
            ({"newNote": {"text": ""}}, "newNote.text"),
            ({"severity": 8}, "severity"),
        ],
    )
    def test_patch_validation_names_the_field(self, api, sr, payload, field):
        body = assert_error(api.patch(f"/v1/servicerequests/{sr.id}", payload, format="json"), 400, 3000)
        assert [d["field"] for d in body["data"]] == [field]


def _wire_date(value) -> str:
    """A date-time on the wire: ISO 8601 in UTC with ``Z``."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _wire_contact(first, last, email, phone) -> dict:
    return {
        "contactId": str(uuid.uuid5(CONTACT_ID_NAMESPACE, email.lower()) if email else uuid.UUID(int=0)),
        "firstName": first or "",
        "lastName": last or "",
        "email": email or "",
        "phoneNumber": phone or "",
    }


def _wire_summary(sr: ServiceRequest) -> dict:
    """A collection item exactly as the API has always written it, field by field, in wire order."""
    portal_uri = (
        f"/portals/{sr.portal}/{sr.customer_id}/requests/{sr.id}/"
        if sr.customer_id and sr.portal
        else ((sr.eligibility or {}).get("portal") or {}).get("url", "")
    )
    links = {
        "self": {
            "uri": f"/v1/customers/{sr.customer_id}/servicerequests/{sr.id}"
            if sr.customer_id
            else f"/v1/servicerequests/{sr.id}",
            "method": "GET",
            "headers": [],
        }
    }
    if portal_uri:
        links["portal"] = {"uri": portal_uri, "method": "GET", "headers": []}
    assignee = sr.assigned_to
    return {
        "id": sr.id,
        "title": sr.title,
        "severity": sr.severity,
        "supportTopicId": str(sr.support_topic_id) if sr.support_topic_id else "",
        "supportTopicName": sr.support_topic.name if sr.support_topic_id else "",
        "status": sr.status,
        "organization": (
            {"id": str(sr.customer_id), "name": sr.customer.name, "phoneNumber": ""}
            if sr.customer_id
            else {"id": str(sr.partner_id), "name": sr.partner.name, "phoneNumber": sr.partner.support_phone}
        ),
        "primaryContact": _wire_contact(
            sr.contact_first_name, sr.contact_last_name, sr.contact_email, sr.contact_phone
        ),
        "productName": SUPPORT_PRODUCTS[sr.workload][1],
        "productId": SUPPORT_PRODUCTS[sr.workload][0],
        "createdDate": _wire_date(sr.created_at),
        "lastModifiedDate": _wire_date(sr.updated_at),
        "lastClosedDate": _wire_date(sr.closed_at) if sr.closed_at else "0001-01-01T00:00:00",
        "countryCode": sr.country_code,
        "customerId": str(sr.customer_id) if sr.customer_id else None,
        "workload": sr.workload,
        "issueType": sr.issue_type,
        "subscriptionId": str(sr.subscription_id) if sr.subscription_id else None,
        "externalTicketId": sr.external_ticket_id,
        "portal": sr.portal,
        "supportLanguage": sr.support_language,
        "slaDueDate": _wire_date(sr.sla_due_at) if sr.sla_due_at else None,
        "slaBreached": sr.sla_breached,
        "assignedTo": (
            {
                "id": assignee.pk,
                "userName": assignee.username,
                "displayName": assignee.get_full_name() or assignee.username,
            }
            if assignee is not None
            else None
        ),
        "links": links,
        "attributes": {"objectType": "ServiceRequest", "etag": f'"{sr.version}"'},
    }


def _wire_detail(sr: ServiceRequest) -> dict:
    """A single request exactly as the API has always written it: the summary plus the detail fields."""
    summary = _wire_summary(sr)
    notes = list(sr.notes.order_by("created_at", "id"))
    author = next((n.created_by for n in reversed(notes) if n.created_by_id), None) or sr.created_by
    extra = {
        "description": sr.description,
        "lastUpdatedBy": _wire_contact(author.first_name, author.last_name, author.email, author.phone)
        if author
        else _wire_contact("", "", "", ""),
        "notes": [
            {"createdByName": n.created_by_name, "createdDate": _wire_date(n.created_at), "text": n.text}
            for n in notes
        ],
        "fileLinks": [],
        "eligibility": sr.eligibility,
    }
    order = [*list(summary)[:2], "description", *list(summary)[2:8], "lastUpdatedBy", *list(summary)[8:-2]]
    order += ["notes", "fileLinks", "eligibility", *list(summary)[-2:]]
    return {name: summary[name] if name in summary else extra[name] for name in order}


@pytest.mark.django_db
def test_collection_items_and_details_keep_their_wire_format(api, world):
    """Every kind of row (with and without a customer, subscription, support topic, assignee, SLA
    clock, closing date and portal URL) is written exactly as before, in the same field order, by
    the collection and by the detail."""
    from servicerequests.models import SupportTopic

    now = timezone.now()
    topic = SupportTopic.objects.filter(workload=Workload.M365).first()
    subscription = SubscriptionFactory(customer=world.customer, provider=world.partner)
    entitlement = SupportEntitlementFactory(partner=world.partner)
    assignee = UserFactory(partner=world.partner, first_name="Ada", last_name="Lovelace")
    rows = [
        ServiceRequestFactory(partner=world.partner, customer=world.customer, created_by=world.admin),
        ServiceRequestFactory(
            partner=world.partner,
            customer=world.customer,
            subscription=subscription,
            support_topic=topic,
            assigned_to=assignee,
            sla_due_at=now,
            sla_breached=True,
            portal="m365",
            external_ticket_id="TKT-1",
        ),
        ServiceRequestFactory(
            partner=world.partner,
            customer=world.customer,
            status="closed",
            closed_at=now,
            assigned_to=UserFactory(partner=world.partner, first_name="", last_name=""),
        ),
        ServiceRequestFactory(
            partner=world.partner,
            customer=None,
            support_entitlement=entitlement,
            workload=Workload.AZURE,
            issue_type="technical",
            eligibility={"portal": {"portal": "azure", "url": "/portals/azure/own/"}},
        ),
    ]
    Note.objects.create(request=rows[1], text="Called the customer back.", created_by=assignee)
    Note.objects.create(request=rows[1], text="Waiting on the portal.", created_by_name="Portal")
    items = {item["id"]: item for item in api.get("/v1/servicerequests?size=500").json()["items"]}
    assert set(items) == {r.id for r in rows}
    for row in ServiceRequest.objects.filter(pk__in=items):
        expected = _wire_summary(row)
        assert items[row.id] == expected
        assert list(items[row.id]) == list(expected)  # the wire order too
        response = api.get(items[row.id]["links"]["self"]["uri"])
        expected = json.loads(json.dumps(_wire_detail(row), cls=DjangoJSONEncoder))
        assert response.json() == expected
        assert list(response.json()) == list(expected)
    own = next(r for r in rows if r.customer_id is None)
    assert items[own.id]["links"]["portal"]["uri"] == "/portals/azure/own/"
    assert items[own.id]["organization"]["id"] == str(world.partner.id)


@pytest.mark.parametrize("value", ["\u00b9", "\u00b2\u00b3", "\u0663"])
def test_an_enum_of_non_ascii_digits_is_a_validation_error_not_a_500(value):
    from rest_framework.exceptions import ValidationError

    from servicerequests.api.serializers import EnumField

    field = EnumField(["minimal", "moderate", "critical"], integers={1: "minimal"})
    with pytest.raises(ValidationError):
        field.to_internal_value(value)
    assert field.to_internal_value("1") == "minimal"
