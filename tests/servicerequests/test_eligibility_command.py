"""manage.py explain_eligibility: the rule table, the verdict, and clear errors for bad arguments."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from customers.choices import AzureRole
from customers.models import AzureRoleAssignment
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def explain(*args: str) -> str:
    out = StringIO()
    call_command("explain_eligibility", *args, stdout=out, no_color=True)
    return out.getvalue()


def test_allowed_m365_prints_every_rule_and_the_portal(world):
    out = explain("--user", "alice", "--customer", "Fabrikam", "--workload", "m365")
    lines = out.splitlines()
    assert lines[0] == (
        f"Eligibility of alice (Contoso Partners) for Fabrikam ({world.customer.pk}): m365, severity minimal"
    )
    assert (
        "  SR-GDAP-ROLE-TICKETS            ✓ You get Service Support Administrator through 'Support desk' in"
        in (lines)
    )
    assert "  SR-AZURE-RBAC                   – Applies only to Azure requests." in lines
    assert sum(1 for line in lines if line.startswith("  SR-")) == 16
    assert lines[-1] == (
        "Verdict: ALLOWED → Microsoft 365 admin center (admin.microsoft.com), stub page "
        "/portals/m365/new-support-request"
    )


@pytest.mark.parametrize("customer_ref", ["fabrikam.com", "FABRIKAM", "tenant"])
def test_customer_by_name_tenant_id_or_domain(world, customer_ref):
    ref = str(world.customer.pk) if customer_ref == "tenant" else customer_ref
    out = explain("--user", str(world.alice.pk), "--customer", ref, "--workload", "dynamics")
    assert out.splitlines()[-1].startswith("Verdict: ALLOWED → Power Platform admin center")


@pytest.mark.parametrize("subscription_ref", ["Azure plan", "id", "azure-id"])
def test_denied_azure_shows_the_failed_rule_with_its_remedy(world, subscription_ref):
    AzureRoleAssignment.objects.filter(subscription=world.azure).update(role_definition_id=AzureRole.READER)
    ref = {"id": str(world.azure.pk), "azure-id": str(world.azure.azure_subscription_id)}.get(
        subscription_ref, subscription_ref
    )
    out = explain(
        "--user", "alice", "--customer", "Fabrikam", "--workload", "azure", "--subscription", ref,
        "--severity", "critical",
    )  # fmt: skip
    lines = out.splitlines()
    sub = world.azure.azure_subscription_id
    assert f"  SR-AZURE-RBAC                   ✗ You hold Reader on 'Azure plan' ({sub})," in lines
    assert any(
        line.strip().startswith("→ Ask Fabrikam's subscription owner to grant Support Request")
        for line in lines
    )
    assert any(line.strip().startswith("→ Add a phone number where you can be reached") for line in lines)
    assert lines[-1] == "Verdict: DENIED — failed: SR-AZURE-RBAC, SR-CRITICAL-NEEDS-PHONE"


def test_marketplace_prints_the_isv_contact(world):
    out = explain(
        "--user",
        "alice",
        "--customer",
        "Fabrikam",
        "--workload",
        "marketplace",
        "--subscription",
        "Litware Backup",
    )
    lines = out.splitlines()
    assert lines[-2] == "Verdict: DENIED — failed: SR-WORKLOAD-SUPPORTED, SR-MARKETPLACE-ISV"
    assert lines[-1] == (
        "ISV contact: Litware — https://support.litware.example, support@litware.example, +1 800 555 0199"
    )


def test_own_subscription_with_entitlement(world):
    out = explain("--user", "alice", "--workload", "azure", "--entitlement", "PREM-7781")
    assert (
        out.splitlines()[0]
        == "Eligibility of alice (Contoso Partners) for own subscription: azure, severity minimal"
    )
    assert out.splitlines()[-1].startswith("Verdict: ALLOWED → Azure portal (portal.azure.com)")


def test_json_output_is_the_api_shape(world):
    data = json.loads(explain("--user", "alice", "--customer", "Fabrikam", "--workload", "ems", "--json"))
    assert data["allowed"] is True
    assert data["portal"]["portal"] == "m365"
    assert len(data["outcomes"]) == 16


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--user", "nobody", "--workload", "m365"],
            "--user: no user 'nobody' (give a username or a user id)",
        ),
        (
            ["--user", "alice", "--workload", "xbox"],
            "--workload: unknown workload 'xbox' (one of azure, m365, dynamics, ems, marketplace)",
        ),
        (
            ["--user", "alice", "--workload", "m365", "--severity", "urgent"],
            "--severity: unknown severity 'urgent' (one of critical, moderate, minimal)",
        ),
        (
            ["--user", "alice", "--customer", "Nowhere", "--workload", "m365"],
            "--customer: no customer 'Nowhere' (give a name, tenant id or domain)",
        ),
        (
            [
                "--user",
                "alice",
                "--customer",
                "Fabrikam",
                "--workload",
                "azure",
                "--subscription",
                "Azure palm",
            ],
            "--subscription: Fabrikam has no subscription 'Azure palm' (give its id, Azure subscription id "
            "or offer name)",
        ),
        (
            ["--user", "alice", "--workload", "azure", "--subscription", "Azure plan"],
            "--subscription needs --customer (own subscriptions are not in this portal)",
        ),
        (
            ["--user", "alice", "--customer", "Wingtip", "--workload", "m365"],
            "--customer: Wingtip is not linked to alice's partner (Contoso Partners); the portal answers 404 "
            "for it.",
        ),
    ],
)
def test_bad_arguments_exit_1_with_a_clear_message(world, args, message):
    CustomerFactory(name="Wingtip")
    with pytest.raises(CommandError) as excinfo:
        explain(*args)
    assert str(excinfo.value) == message
    assert excinfo.value.returncode == 1
