"""Loading: exact rows, resolved times, idempotent reloads, all-or-nothing, reset."""

from __future__ import annotations

from datetime import timedelta

import pytest

from audit.models import AuditEvent
from customers.models import (
    AzureRoleAssignment,
    Customer,
    CustomerDomain,
    CustomerPartnerRelationship,
    ServiceHealthIssue,
    Subscription,
)
from gdap.choices import AUTO_EXTEND_ON
from gdap.models import EntraRole, Relationship
from partners.models import GroupMembership, Partner, SecurityGroup, SupportEntitlement, User, UserRole
from scenario.loader import scenario_load
from scenario.schema import ScenarioError
from servicerequests.models import ServiceRequest, SupportTopic

from .conftest import FILES, GOOD, NOW, domain_counts, row_counts

pytestmark = pytest.mark.django_db

GOOD_COUNTS = {
    "partners": 3,
    "security_groups": 4,
    "users": 5,
    "user_roles": 5,
    "support_entitlements": 2,
    "customers": 2,
    "customer_domains": 3,
    "customer_partner_links": 3,
    "subscriptions": 5,
    "azure_role_assignments": 3,
    "gdap_relationships": 2,
    "gdap_access_assignments": 2,
    "service_health_issues": 2,
    "service_requests": 8,
}
GOOD_ROWS = {
    "partners.Partner": 3,
    "partners.User": 5,
    "partners.UserRole": 5,
    "partners.SecurityGroup": 4,
    "partners.GroupMembership": 4,
    "partners.SupportEntitlement": 2,
    "customers.Customer": 2,
    "customers.CustomerDomain": 3,
    "customers.CustomerPartnerRelationship": 3,
    "customers.IsvPublisher": 1,
    "customers.Subscription": 5,
    "customers.AzureRoleAssignment": 3,
    "customers.ServiceHealthIssue": 2,
    "gdap.Relationship": 2,
    "gdap.AccessAssignment": 2,
    "servicerequests.ServiceRequest": 8,
    "portals.PortalTicket": 7,  # the seeded requests that reached their portal (open, closed...)
    "audit.AuditEvent": 1,
}


def test_the_good_file_loads_with_exact_counts():
    result = scenario_load(GOOD, now=NOW)
    assert result.errors == []
    assert result.counts == GOOD_COUNTS
    assert result.created == GOOD_COUNTS  # all new
    assert domain_counts() == GOOD_ROWS


def test_loading_twice_creates_nothing_new():
    scenario_load(GOOD, now=NOW)
    before = domain_counts()
    result = scenario_load(GOOD, now=NOW + timedelta(hours=1))
    assert result.counts == GOOD_COUNTS
    assert result.created == {}
    assert domain_counts() == {**before, "audit.AuditEvent": before["audit.AuditEvent"] + 1}


def test_a_dict_loads_like_the_file(good_document):
    assert scenario_load(good_document, now=NOW).counts == GOOD_COUNTS
    assert domain_counts() == GOOD_ROWS


def test_partners_users_roles_and_groups():
    scenario_load(GOOD, now=NOW)
    contoso = Partner.objects.get(name="Contoso Partners")
    assert str(contoso.id) == "6f1c2a4e-1b2c-4d3e-8f90-a1b2c3d4e5f6"
    assert (contoso.type, contoso.cloud, contoso.mpn_id, contoso.domains) == (
        "direct_bill",
        "commercial",
        "4412345",
        ["contosopartners.com"],
    )
    assert contoso.support_contact == {
        "email": "help@contosopartners.com",
        "phone": "+1 425 555 0100",
        "url": "https://help.contosopartners.com",
    }
    tailspin = Partner.objects.get(name="Tailspin Resellers")
    assert tailspin.indirect_provider.name == "Northwind Distribution"
    assert str(SecurityGroup.objects.get(name="Azure managers").id) == "5b2f0c3e-1d7a-4c59-9a57-2f6b1f0c9e11"
    alice = User.objects.get(username="alice")
    assert alice.partner == contoso and alice.customer is None
    assert (alice.email, alice.first_name, alice.last_name, alice.phone) == (
        "alice@contosopartners.com",
        "Alice",
        "Admin",
        "+1 425 555 0101",
    )
    assert alice.check_password("alice-demo-pass")
    assert alice.role_codes == {"admin_agent"}
    assert set(alice.security_groups.values_list("name", flat=True)) == {"Support desk", "Azure managers"}
    sam = User.objects.get(username="sam")
    assert not sam.has_usable_password()
    assert sam.role_codes == {"sales_agent", "billing_admin"}
    fiona = User.objects.get(username="fiona")
    assert (fiona.partner, fiona.customer.name, fiona.role_codes) == (None, "Fabrikam", set())
    assert fiona.check_password("fiona-demo-pass")


def test_customers_domains_links_and_subscriptions():
    scenario_load(GOOD, now=NOW)
    fabrikam = Customer.objects.get(name="Fabrikam")
    assert str(fabrikam.id) == "0b5e8c1d-6a2f-4d3e-9b1c-7e8f9a0b1c2d"
    assert fabrikam.default_domain == "fabrikam.onmicrosoft.com"
    assert list(CustomerDomain.objects.filter(customer=fabrikam).values_list("domain", "is_default")) == [
        ("fabrikam.onmicrosoft.com", True),
        ("fabrikam.com", False),
    ]
    assert set(
        CustomerPartnerRelationship.objects.values_list("customer__name", "partner__name", "relationship")
    ) == {
        ("Fabrikam", "Contoso Partners", "reseller"),
        ("Lamna Healthcare", "Northwind Distribution", "reseller"),
        ("Lamna Healthcare", "Tailspin Resellers", "indirect_reseller"),
    }
    azure = Subscription.objects.get(customer=fabrikam, workload="azure")
    assert str(azure.azure_subscription_id) == "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
    assert (azure.channel, azure.provider.name, azure.reseller, azure.status) == (
        "csp",
        "Contoso Partners",
        None,
        "active",
    )
    trial = Subscription.objects.get(customer=fabrikam, workload="dynamics")
    assert (trial.channel, trial.is_trial, trial.provider, trial.azure_subscription_id) == (
        "direct",
        True,
        None,
        None,
    )
    marketplace = Subscription.objects.get(customer=fabrikam, workload="marketplace")
    assert marketplace.isv.contact == {
        "name": "Litware",
        "supportUrl": "https://support.litware.example",
        "supportEmail": "support@litware.example",
        "supportPhone": "",
    }
    assert set(
        AzureRoleAssignment.objects.values_list(
            "subscription__customer__name",
            "role_definition_id",
            "group__name",
            "group__partner__name",
            "user__username",
        )
    ) == {
        ("Fabrikam", "cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e", "Azure managers", "Contoso Partners", None),
        ("Fabrikam", "acdd72a7-3385-48ef-bd42-f606fba81ae7", None, None, "sam"),
        (
            "Lamna Healthcare",
            "cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e",
            "Azure team",
            "Tailspin Resellers",
            None,
        ),
    }
    lamna_azure = Subscription.objects.get(customer__name="Lamna Healthcare")
    assert (lamna_azure.provider.name, lamna_azure.reseller.name) == (
        "Northwind Distribution",
        "Tailspin Resellers",
    )
    generated_id = lamna_azure.azure_subscription_id
    assert generated_id is not None
    scenario_load(GOOD, now=NOW)
    lamna_azure.refresh_from_db()
    assert lamna_azure.azure_subscription_id == generated_id  # kept on reload


def test_relative_times_resolve_against_now():
    scenario_load(GOOD, now=NOW)
    valid, expired = SupportEntitlement.objects.order_by("-valid_until")
    assert (valid.entitlement_id, valid.valid_until) == ("PREM-7781", NOW + timedelta(days=300))
    assert (expired.entitlement_id, expired.valid_until) == ("AZSP-2291", NOW - timedelta(days=30))
    assert valid.is_valid(NOW) and not expired.is_valid(NOW)

    active = Relationship.objects.get(display_name="Fabrikam support")
    assert (active.status, active.activated_at, active.end_at) == (
        "active",
        NOW - timedelta(days=30),
        NOW - timedelta(days=30) + timedelta(days=730),
    )
    assert (active.created_at, active.locked_at, active.duration, active.auto_extend_duration) == (
        NOW - timedelta(days=30),
        NOW - timedelta(days=30),
        timedelta(days=730),
        AUTO_EXTEND_ON,
    )
    pending = Relationship.objects.get(display_name="Lamna for Tailspin")
    assert (pending.status, pending.locked_at, pending.activated_at, pending.end_at) == (
        "approvalPending",
        NOW - timedelta(days=2),
        None,
        None,
    )
    assert pending.created_for_reseller.name == "Tailspin Resellers"

    issue = ServiceHealthIssue.objects.get(issue_id="EX712345")
    assert (issue.start_at, issue.end_at, issue.is_resolved, issue.customer.name) == (
        NOW - timedelta(days=2),
        NOW - timedelta(days=1),
        True,
        "Fabrikam",
    )
    assert issue.posts == [
        {
            "createdDateTime": "2025-05-30T12:00:00Z",
            "postType": "quick",
            "description": "We're investigating.",
        },
        {"createdDateTime": "2025-05-31T12:00:00Z", "postType": "regular", "description": "Fixed."},
    ]
    global_issue = ServiceHealthIssue.objects.get(issue_id="EX738201")
    assert (global_issue.customer, global_issue.start_at, global_issue.is_resolved) == (
        None,
        NOW - timedelta(hours=3),
        False,
    )


def test_gdap_roles_and_assignments():
    scenario_load(GOOD, now=NOW)
    relationship = Relationship.objects.get(display_name="Fabrikam support")
    assert set(relationship.roles.values_list("name", flat=True)) == {
        "Service Support Administrator",
        "Global Reader",
        "Directory Readers",
    }
    assignments = {
        a.security_group.name: (a.status, set(a.roles.values_list("name", flat=True)))
        for a in relationship.access_assignments.select_related("security_group")
    }
    assert assignments == {
        "Support desk": ("active", {"Service Support Administrator", "Global Reader"}),
        "Azure managers": ("active", {"Directory Readers"}),
    }


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Mailbox migration stuck",
            {
                "status": "open",
                "severity": "moderate",
                "created_at": NOW - timedelta(hours=5),
                "sla_due_at": NOW - timedelta(hours=1),  # SR-PRIORITY: moderate 4 h
                "sla_breached": True,
                "closed_at": None,
                "issue_type": "",
                "support_plan": "",
                "customer": "Fabrikam",
                "assigned_to": "alice",
            },
        ),
        (
            "VM does not start",
            {
                "status": "closed",
                "severity": "critical",
                "created_at": NOW - timedelta(days=3),
                "sla_due_at": NOW - timedelta(days=3) + timedelta(hours=2),  # critical 2 h
                "sla_breached": False,
                "closed_at": NOW - timedelta(days=2),
                "issue_type": "technical",
                "support_plan": "cloud_solution_provider",
                "customer": "Fabrikam",
                "assigned_to": None,
            },
        ),
        (
            "Charges on our own subscription",
            {
                "status": "open",
                "severity": "minimal",
                "created_at": NOW - timedelta(minutes=15),
                "sla_due_at": NOW - timedelta(minutes=15) + timedelta(hours=8),  # minimal 8 h
                "sla_breached": False,
                "closed_at": None,
                "issue_type": "billing",
                "support_plan": "partner_entitlement",
                "customer": None,
                "assigned_to": None,
            },
        ),
    ],
)
def test_service_request_history(title, expected):
    scenario_load(GOOD, now=NOW)
    request = ServiceRequest.objects.select_related("customer", "assigned_to", "created_by").get(title=title)
    actual = {key: getattr(request, key) for key in expected if key not in ("customer", "assigned_to")}
    actual["customer"] = request.customer.name if request.customer else None
    actual["assigned_to"] = request.assigned_to.username if request.assigned_to else None
    assert actual == expected
    assert (request.partner.name, request.created_by.username, request.contact_email) == (
        "Contoso Partners",
        "alice",
        "alice@contosopartners.com",
    )
    assert len(request.id) == 15


def test_own_subscription_request_names_the_entitlement():
    scenario_load(GOOD, now=NOW)
    request = ServiceRequest.objects.get(customer__isnull=True)
    assert request.support_entitlement.entitlement_id == "PREM-7781"


def test_generated_history_is_reproducible():
    scenario_load(GOOD, now=NOW)
    generated = ServiceRequest.objects.exclude(
        title__in=["Mailbox migration stuck", "VM does not start", "Charges on our own subscription"]
    )
    first = sorted(
        generated.values_list("id", "customer__name", "workload", "severity", "status", "created_at")
    )
    assert len(first) == 5
    assert {row[1] for row in first} == {"Fabrikam"}  # the only customer Contoso has in the file
    assert all(NOW - timedelta(days=30) <= row[5] <= NOW for row in first)
    ServiceRequest.objects.all().delete()
    scenario_load(GOOD, now=NOW)
    assert (
        sorted(generated.values_list("id", "customer__name", "workload", "severity", "status", "created_at"))
        == first
    )


def test_requests_already_loaded_are_left_as_they_are():
    scenario_load(GOOD, now=NOW)
    request = ServiceRequest.objects.get(title="Mailbox migration stuck")
    ServiceRequest.objects.filter(pk=request.pk).update(status="closed", closed_at=NOW)
    scenario_load(GOOD, now=NOW + timedelta(days=1))
    request.refresh_from_db()
    assert (request.status, request.closed_at) == ("closed", NOW)
    assert ServiceRequest.objects.count() == 8


def test_a_reload_applies_the_files_values(good_document):
    scenario_load(good_document, now=NOW)
    good_document["partners"][0]["mpn_id"] = "9999999"
    good_document["partners"][0]["users"][1]["roles"] = ["helpdesk_agent"]
    good_document["gdap_relationships"][0]["status"] = "terminated"
    scenario_load(good_document, now=NOW)
    assert Partner.objects.get(name="Contoso Partners").mpn_id == "9999999"
    assert User.objects.get(username="sam").role_codes == {"helpdesk_agent"}
    assert Relationship.objects.get(display_name="Fabrikam support").status == "terminated"
    assert Partner.objects.count() == 3


def test_the_audit_event_records_the_counts():
    scenario_load(GOOD, now=NOW)
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id) == (
        "scenario.loaded",
        "scenario",
        str(GOOD)[-80:],
    )
    assert event.after == {"source": str(GOOD), "reset": False, "counts": GOOD_COUNTS, "created": GOOD_COUNTS}


def test_check_validates_and_writes_nothing():
    before = row_counts()
    result = scenario_load(GOOD, check=True, now=NOW)
    assert (result.checked_only, result.counts, result.created) == (True, GOOD_COUNTS, {})
    assert row_counts() == before


@pytest.mark.parametrize("preloaded", [False, True])
def test_five_mistakes_five_lines_and_nothing_written(preloaded):
    if preloaded:
        scenario_load(GOOD, now=NOW)
    before = row_counts()
    with pytest.raises(ScenarioError) as exc:
        scenario_load(FILES / "five_mistakes.yaml", now=NOW)
    assert exc.value.errors == [
        "partners[1].type: unknown partner type 'distributor' "
        "(expected one of: direct_bill, indirect_provider, indirect_reseller, advisor)",
        "customers[0].partners[0].partner: unknown partner 'Contso'",
        "gdap_relationships[0].roles[1]: unknown Entra role 'Global Admn'",
        "gdap_relationships[1].duration: bad ISO 8601 duration 'two years': "
        "expected for example P730D or PT0S",
        "service_health[0].start: bad time '-3x': expected ISO 8601 or now, +7d, -30d, -2h, -15m",
    ]
    assert row_counts() == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "partners: [\n  - name: x\n",
            "bad YAML at line 2, column 3: did not find expected node content",
        ),
        (
            "partners:\n  - name: a\n   type: b\n",
            "bad YAML at line 3, column 4: did not find expected '-' indicator",
        ),
    ],
)
def test_bad_yaml_is_refused_with_its_position(tmp_path, content, expected):
    path = tmp_path / "broken.yaml"
    path.write_text(content)
    with pytest.raises(ScenarioError) as exc:
        scenario_load(path, now=NOW)
    assert exc.value.errors == [f"{path}: {expected}"]


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ScenarioError) as exc:
        scenario_load(tmp_path / "nope.yaml")
    assert exc.value.errors == [f"{tmp_path / 'nope.yaml'}: no such file"]


ADDITION = {
    "customers": [
        {
            "name": "Wingtip Toys",
            "domains": ["wingtiptoys.onmicrosoft.com"],
            "partners": [{"partner": "Contoso Partners", "relationship": "reseller"}],
            "subscriptions": [{"workload": "m365", "offer": "Office 365 E3", "provider": "Contoso Partners"}],
        }
    ],
    "gdap_relationships": [
        {
            "display_name": "Wingtip support",
            "partner": "Contoso Partners",
            "customer": "Wingtip Toys",
            "roles": ["Service Support Administrator"],
            "duration": "P30D",
            "status": "active",
            "activated": "-1d",
            "assignments": [{"group": "Support desk", "roles": ["Service Support Administrator"]}],
        }
    ],
    "service_requests": [
        {
            "partner": "Contoso Partners",
            "customer": "Wingtip Toys",
            "created_by": "alice",
            "workload": "m365",
            "title": "Teams calls drop",
            "created": "-1h",
        }
    ],
}


def test_a_file_may_refer_to_what_the_database_holds():
    scenario_load(GOOD, now=NOW)
    result = scenario_load(ADDITION, now=NOW)
    assert result.created == {
        "customers": 1,
        "customer_domains": 1,
        "customer_partner_links": 1,
        "subscriptions": 1,
        "gdap_relationships": 1,
        "gdap_access_assignments": 1,
        "service_requests": 1,
    }
    assert Customer.objects.count() == 3
    assert ServiceRequest.objects.get(title="Teams calls drop").created_by.username == "alice"


def test_with_reset_a_file_may_not_refer_to_the_database():
    scenario_load(GOOD, now=NOW)
    before = row_counts()
    with pytest.raises(ScenarioError) as exc:
        scenario_load(ADDITION, reset=True, now=NOW)
    assert exc.value.errors == [
        "customers[0].partners[0].partner: unknown partner 'Contoso Partners'",
        "customers[0].subscriptions[0].provider: unknown partner 'Contoso Partners'",
        "gdap_relationships[0].partner: unknown partner 'Contoso Partners'",
        "service_requests[0].partner: unknown partner 'Contoso Partners'",
    ]
    assert row_counts() == before


def test_reset_wipes_domain_data_and_keeps_catalogues_platform_users_and_audit(good_document):
    scenario_load(GOOD, now=NOW)
    admin = User.objects.create_superuser(username="root", password="root-pass-12345")
    catalogues = (EntraRole.objects.count(), SupportTopic.objects.count())
    small = {"partners": [{"name": "Proseware Advisors", "type": "advisor"}]}
    result = scenario_load(small, reset=True, now=NOW)
    assert list(Partner.objects.values_list("name", flat=True)) == ["Proseware Advisors"]
    assert list(User.objects.values_list("username", flat=True)) == [admin.username]
    for model in (
        Customer,
        Subscription,
        Relationship,
        ServiceRequest,
        ServiceHealthIssue,
        UserRole,
        GroupMembership,
    ):
        assert model.objects.count() == 0, model
    assert (EntraRole.objects.count(), SupportTopic.objects.count()) == catalogues
    assert result.deleted["partners.Partner"] == 3
    assert result.deleted["servicerequests.ServiceRequest"] == 8
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "scenario.loaded",
        "scenario.reset",
        "scenario.loaded",
    ]
    assert AuditEvent.objects.filter(action="scenario.reset").get().before["deleted"]["partners.Partner"] == 3
    # The same file again after a reset: everything back, same ids.
    scenario_load(good_document, reset=True, now=NOW)
    assert domain_counts() == {**GOOD_ROWS, "partners.User": 6, "audit.AuditEvent": 5}  # 6: root stays


@pytest.mark.parametrize("count", [10, 400])
def test_the_history_is_inserted_in_bulk(good_document, count, django_assert_max_num_queries, monkeypatch):
    """The number of queries does not grow with the number of requests."""
    good_document["service_request_history"][0]["count"] = count
    # The dashboards computed after the load cost what the refreshers cost (tests/queues).
    refreshed = []
    monkeypatch.setattr("scenario.loader.dashboards_refresh", lambda ids: refreshed.extend(ids))
    with django_assert_max_num_queries(200):
        scenario_load(good_document, now=NOW)
    assert ServiceRequest.objects.count() == 3 + count
    assert len(refreshed) == 3


def test_a_database_refusal_is_one_line_and_rolls_everything_back(monkeypatch):
    """Whatever the validator missed and the database refuses still leaves nothing half-written."""
    from django.db import IntegrityError

    from scenario import loader

    def refuse(self, plan):
        Partner.objects.create(name="Half written", type="advisor")
        raise IntegrityError('duplicate key value violates unique constraint "x"\nDETAIL: Key (name)=(y).')

    before = row_counts()
    monkeypatch.setattr(loader._Writer, "write", refuse)
    with pytest.raises(ScenarioError) as exc:
        scenario_load(GOOD, now=NOW)
    assert exc.value.errors == ['(database): duplicate key value violates unique constraint "x"']
    assert row_counts() == before
