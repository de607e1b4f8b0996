"""``scenarios/demo.yaml``: valid, rich enough for every role and rule, and true to RULES.md.

The demo is loaded once per module (inside a transaction rolled back at the end); each staged case
of its header comment is checked with the eligibility engine.
"""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from customers.models import Customer, Subscription
from customers.selectors import customer_support_options, service_health_issues
from gdap.choices import AUTO_EXTEND_OFF, AUTO_EXTEND_ON
from gdap.models import Relationship
from partners.choices import PartnerCenterRole, PartnerType
from partners.models import Partner, User
from scenario.loader import scenario_load
from servicerequests.eligibility import RULE_IDS, EligibilityRequest, evaluate
from servicerequests.health import health_access
from servicerequests.models import ServiceRequest
from tests.catalogues import ensure_entra_roles

from .conftest import row_counts

DEMO = Path(settings.BASE_DIR) / "scenarios" / "demo.yaml"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_entra_roles()
        result = scenario_load(DEMO)
        yield result
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_passes_check_and_writes_nothing():
    before = row_counts()
    out = StringIO()
    call_command("load_scenario", "--check", str(DEMO), stdout=out)
    assert out.getvalue().startswith(f"{DEMO} is valid: 5 partners, ")
    assert row_counts() == before


def test_the_demo_is_big_enough(demo, db):
    assert demo.counts["partners"] >= 4
    assert demo.counts["customers"] >= 12
    assert demo.counts["service_requests"] >= 200
    assert Partner.objects.count() == demo.counts["partners"]
    assert Customer.objects.count() == demo.counts["customers"]
    assert ServiceRequest.objects.count() == demo.counts["service_requests"]


def test_one_partner_of_each_type_and_a_us_government_partner(demo, db):
    types = dict(Partner.objects.values_list("name", "type"))
    assert set(types.values()) == set(PartnerType.values)
    assert Partner.objects.get(name="Tailspin Resellers").indirect_provider.name == "Northwind Distribution"
    assert Partner.objects.filter(cloud="us_government", type="direct_bill").exists()


def test_users_for_every_role(demo, db):
    contoso_roles = set(
        User.objects.filter(partner__name="Contoso Partners").values_list("roles__role", flat=True)
    )
    assert contoso_roles == set(PartnerCenterRole.values)
    for partner in Partner.objects.exclude(name="Contoso Partners"):
        assert partner.users.filter(roles__role="admin_agent").exists(), partner.name
    assert User.objects.filter(customer__isnull=False).count() >= 2
    for user in User.objects.filter(partner__isnull=False) | User.objects.filter(customer__isnull=False):
        assert user.check_password(f"{user.username}-demo-pass"), user.username


def test_the_history_spreads_over_partners_customers_workloads_severities_statuses(demo, db):
    requests = ServiceRequest.objects.all()
    assert set(requests.values_list("partner__name", flat=True)) == set(
        Partner.objects.values_list("name", flat=True)
    )
    assert requests.values("customer").distinct().count() >= 12
    assert set(requests.values_list("workload", flat=True)) == {"azure", "m365", "dynamics", "ems"}
    assert set(requests.values_list("severity", flat=True)) == {"critical", "moderate", "minimal"}
    assert set(requests.values_list("status", flat=True)) == {"open", "attention_needed", "closed"}
    assert not requests.filter(status="closed", closed_at__isnull=True).exists()
    assert not requests.filter(status__in=["open", "attention_needed"], sla_due_at__isnull=True).exists()


def test_gdap_covers_the_lifecycle(demo, db):
    statuses = set(Relationship.objects.values_list("status", flat=True))
    assert {"active", "approvalPending", "expired", "terminated"} <= statuses
    assert Relationship.objects.filter(status="active", auto_extend_duration=AUTO_EXTEND_ON).exists()
    now = timezone.now()
    expiring = Relationship.objects.filter(
        status="active",
        auto_extend_duration=AUTO_EXTEND_OFF,
        end_at__gt=now,
        end_at__lt=now + timedelta(days=7),
    )
    assert list(expiring.values_list("display_name", flat=True)) == ["Relecloud administration"]
    # GDAP-INDIRECT-RESELLER: one approved end to end (reseller, then customer) and active, one
    # waiting for the reseller's consent.
    for_tailspin = Relationship.objects.filter(created_for_reseller__name="Tailspin Resellers")
    lamna = for_tailspin.get(display_name="Lamna for Tailspin")
    assert (lamna.status, lamna.partner.name, lamna.duration_iso) == (
        "active",
        "Northwind Distribution",
        "P2Y",
    )
    assert lamna.locked_at < lamna.partner_consent_at < lamna.activated_at
    assert {a.security_group.partner.name for a in lamna.access_assignments.all()} == {"Tailspin Resellers"}
    lucerne = for_tailspin.get(display_name="Lucerne for Tailspin")
    assert (lucerne.status, lucerne.is_partner_consent_pending) == ("approvalPending", True)


def test_the_header_names_every_rule():
    header = "\n".join(line for line in DEMO.read_text().splitlines() if line.startswith("#"))
    named = set(re.findall(r"[A-Z]+(?:-[A-Z0-9]+)+", header))
    assert set(RULE_IDS) - {"SR-PARTNER-TYPE"} <= named
    assert {
        "SUPPORT-OPTIONS-TRIAL",
        "SUPPORT-OPTIONS-PAID",
        "HEALTH-BEFORE-ESCALATION",
        "SR-PRIORITY",
    } <= named


# (user, customer, workload, subscription offer, extra request fields, rule ids that fail)
STAGED = [
    ("alice", "Fabrikam", "m365", None, {}, []),
    ("alice", "Fabrikam", "dynamics", None, {}, []),
    ("alice", "Fabrikam", "azure", "Azure plan", {}, []),
    ("hank", "Fabrikam", "m365", None, {}, ["SR-PC-ROLE-ADMIN-AGENT"]),
    ("alice", "Fabrikam", "m365", None, {"contact_email": "it@fabrikam.com"}, ["SR-CONTACT-IS-PARTNER"]),
    (
        "alice",
        "Fabrikam",
        "m365",
        None,
        {"severity": "critical", "contact_phone": ""},
        ["SR-CRITICAL-NEEDS-PHONE"],
    ),
    ("alice", "Woodgrove Bank", "m365", None, {}, ["SR-GDAP-ROLE-TICKETS"]),
    (
        "alice",
        "Alpine Ski House",
        "m365",
        None,
        {},
        ["SR-GDAP-ACTIVE", "SR-GDAP-ASSIGNMENT", "SR-GDAP-ROLE-TICKETS"],
    ),
    (
        "alice",
        "Coho Winery",
        "m365",
        None,
        {},
        ["SR-GDAP-ACTIVE", "SR-GDAP-ASSIGNMENT", "SR-GDAP-ROLE-TICKETS"],
    ),
    (
        "alice",
        "Margie's Travel",
        "m365",
        None,
        {},
        ["SR-GDAP-ACTIVE", "SR-GDAP-ASSIGNMENT", "SR-GDAP-ROLE-TICKETS"],
    ),
    ("alice", "Wingtip Toys", "m365", None, {}, ["SR-GDAP-ASSIGNMENT", "SR-GDAP-ROLE-TICKETS"]),
    ("ravi", "Wingtip Toys", "m365", None, {}, []),
    ("alice", "Relecloud", "m365", None, {}, []),
    ("alice", "Tailwind Traders", "azure", "Azure plan (production)", {}, []),
    ("alice", "Tailwind Traders", "azure", "Azure plan (analytics)", {}, ["SR-AZURE-RBAC"]),
    ("alice", "Tailwind Traders", "azure", "Azure plan (legacy)", {}, ["SR-AZURE-SUBSCRIPTION"]),
    ("tom", "Lamna Healthcare", "azure", "Azure plan", {"issue_type": "technical"}, []),
    (
        "tom",
        "Lamna Healthcare",
        "azure",
        "Azure plan",
        {"issue_type": "billing"},
        ["SR-AZURE-NONTECH-PROVIDER-ONLY"],
    ),
    ("nora", "Lamna Healthcare", "azure", "Azure plan", {"issue_type": "billing"}, []),
    (
        "tom",
        "Lucerne Publishing",
        "m365",
        None,
        {},
        ["SR-GDAP-ACTIVE", "SR-GDAP-ASSIGNMENT", "SR-GDAP-ROLE-TICKETS"],
    ),
    (
        "paula",
        "Trey Research",
        "azure",
        "Azure subscription (pay-as-you-go)",
        {"issue_type": "technical"},
        ["SR-AZURE-SUPPORT-PLAN"],
    ),
    (
        "paula",
        "Trey Research",
        "azure",
        "Azure subscription (pay-as-you-go)",
        {"issue_type": "quota"},
        ["SR-AZURE-NONTECH-PROVIDER-ONLY", "SR-AZURE-SUPPORT-PLAN"],
    ),
    ("paula", "Trey Research", "m365", None, {}, []),
    (
        "alice",
        "Fourth Coffee",
        "marketplace",
        "Litware Backup for Microsoft 365",
        {},
        ["SR-WORKLOAD-SUPPORTED", "SR-MARKETPLACE-ISV"],
    ),
    ("adam", "City Power & Light", "m365", None, {}, []),
    ("adam", "City Power & Light", "azure", "Azure Government plan", {}, []),
    # GCC is served by commercial partners; Teams Administrator alone may file M365 requests.
    ("alice", "Graphic Design Institute", "m365", None, {}, []),
    ("adam", "Graphic Design Institute", "m365", None, {}, ["SR-CLOUD-MATCH"]),
    ("alice", None, "azure", None, {"support_entitlement_id": "PREM-7781"}, []),
    (
        "alice",
        None,
        "azure",
        None,
        {"support_entitlement_id": "AZSP-2291"},
        ["SR-OWN-SUBSCRIPTION-ENTITLEMENT"],
    ),
]


@pytest.mark.parametrize(
    ("username", "customer", "workload", "offer", "extra", "failed"),
    STAGED,
    ids=[f"{s[0]}-{s[1]}-{s[2]}-{s[3] or ''}-{'-'.join(map(str, s[4].values()))}" for s in STAGED],
)
def test_staged_case(demo, db, username, customer, workload, offer, extra, failed):
    user = User.objects.get(username=username)
    customer_obj = Customer.objects.get(name=customer) if customer else None
    subscription = Subscription.objects.get(customer=customer_obj, offer=offer).pk if offer else None
    fields = {"contact_phone": user.phone, **extra}
    decision = evaluate(
        EligibilityRequest(
            user_id=user.pk,
            customer_id=customer_obj.pk if customer_obj else None,
            workload=workload,
            subscription_id=subscription,
            **fields,
        )
    )
    assert list(decision.failed_rule_ids) == failed


@pytest.mark.parametrize(
    ("customer", "rule_ids"),
    [
        ("Adventure Works", ("SUPPORT-OPTIONS-TRIAL",)),
        ("Blue Yonder Airlines", ("SUPPORT-OPTIONS-PAID",)),
        ("Fabrikam", ()),
    ],
)
def test_support_options(demo, db, customer, rule_ids):
    assert customer_support_options(customer=Customer.objects.get(name=customer)).rule_ids == rule_ids


@pytest.mark.parametrize(
    ("customer", "visible", "hidden"),
    [
        # A commercial incident (West Europe VMs) is never shown to a US Government or GCC tenant.
        ("Fabrikam", {"AZ740115", "EX738201", "EX712345"}, {"EX742310", "TM742400"}),
        ("City Power & Light", {"EX742310"}, {"AZ740115", "EX738201", "TM742400"}),
        ("Graphic Design Institute", {"TM742400"}, {"AZ740115", "EX738201", "EX742310"}),
    ],
)
def test_service_health_of_each_cloud(demo, db, customer, visible, hidden):
    ids = {issue.issue_id for issue in service_health_issues(customer=Customer.objects.get(name=customer))}
    assert visible <= ids
    assert not hidden & ids


def test_graphic_design_institute_is_a_gcc_customer_served_by_contoso(demo, db):
    gdi = Customer.objects.get(name="Graphic Design Institute")
    assert gdi.cloud == "gcc"
    relationship = Relationship.objects.get(partner__name="Contoso Partners", customer=gdi)
    assert [role.name for role in relationship.roles.all()] == ["Teams Administrator"]
    alice, adam = User.objects.get(username="alice"), User.objects.get(username="adam")
    assert health_access(user=alice, customer=gdi).allowed  # Teams Administrator reads service health
    assert not health_access(user=adam, customer=gdi).allowed  # Intune Administrator doesn't


def test_reloading_the_demo_creates_nothing_new(demo, db):
    before = row_counts()
    result = scenario_load(DEMO)
    assert result.created == {}
    after = row_counts()
    assert after.pop("audit.AuditEvent") == before.pop("audit.AuditEvent") + 1
    assert after == before


def _documented_sign_ins() -> list[tuple[str, str, str]]:
    """(username, password, roles cell) of the sign-in table of docs/scenarios.md."""
    text = (Path(settings.BASE_DIR) / "docs" / "scenarios.md").read_text()
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| [^|]+ \| ([^|]+) \|", text, flags=re.MULTILINE)
    return [(username, password, roles.strip()) for username, password, roles in rows]


def test_the_documented_sign_ins_work(demo, db):
    sign_ins = _documented_sign_ins()
    assert len(sign_ins) == User.objects.exclude(partner__isnull=True, customer__isnull=True).count() == 15
    labels = dict(PartnerCenterRole.choices)
    for username, password, roles in sign_ins:
        user = User.objects.get(username=username)
        assert user.check_password(password), username
        for role in user.role_codes:
            assert labels[role].lower() in roles, (username, role)


def test_contoso_queue_size_matches_the_docs(demo, db):
    assert ServiceRequest.objects.filter(partner__name="Contoso Partners").count() == 176


def test_a_case_file_adds_to_the_demo(demo, db):
    result = scenario_load(Path(settings.BASE_DIR) / "scenarios" / "case-new-customer.yaml")
    assert result.created == {
        "customers": 1,
        "customer_domains": 1,
        "customer_partner_links": 1,
        "subscriptions": 1,
        "gdap_relationships": 1,
        "gdap_access_assignments": 1,
    }
    user = User.objects.get(username="alice")
    customer = Customer.objects.get(name="Northridge Dental")
    decision = evaluate(
        EligibilityRequest(
            user_id=user.pk, customer_id=customer.pk, workload="m365", contact_phone=user.phone
        )
    )
    assert list(decision.failed_rule_ids) == ["SR-GDAP-ROLE-TICKETS"]
