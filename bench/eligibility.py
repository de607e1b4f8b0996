"""Benchmark of the eligibility engine: decisions per second and queries per decision.

    python bench/eligibility.py [--decisions N] [--relationships R] [--assignments A]

Uses ``DJANGO_SETTINGS_MODULE`` (default ``partnercenter.settings.test``)
against ``DATABASE_URL``, which must be migrated. Without ``DATABASE_URL`` it
uses its own SQLite file in the temporary directory and migrates it, so the
development database is never touched. Seeds once, and reuses on later runs,
a partner "Bench Partners" whose admin agent (member of two of the A groups)
files for "Bench Customer", which has R GDAP relationships with A access
assignments each and five Azure subscriptions. Prints a table and writes
``bench/results/eligibility.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings.test")
OWN_DATABASE = not os.environ.get("DATABASE_URL")
if OWN_DATABASE:
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(tempfile.gettempdir()) / 'partnercenter-bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.utils import OperationalError, ProgrammingError  # noqa: E402
from django.utils import timezone  # noqa: E402

from customers import models as customer_models  # noqa: E402
from gdap.models import AccessAssignment, EntraRole, Relationship  # noqa: E402
from partners import models as partner_models  # noqa: E402
from servicerequests.eligibility import EligibilityRequest, evaluate  # noqa: E402

AzureRoleAssignment = customer_models.AzureRoleAssignment
Customer = customer_models.Customer
CustomerDomain = customer_models.CustomerDomain
CustomerPartnerRelationship = customer_models.CustomerPartnerRelationship
Subscription = customer_models.Subscription
GroupMembership = partner_models.GroupMembership
Partner = partner_models.Partner
SecurityGroup = partner_models.SecurityGroup
SupportEntitlement = partner_models.SupportEntitlement
User = partner_models.User
UserRole = partner_models.UserRole

RESULTS = ROOT / "bench" / "results" / "eligibility.json"
PARTNER_NAME = "Bench Partners"
CUSTOMER_NAME = "Bench Customer"
SUPPORT_REQUEST_CONTRIBUTOR = "cfd33db0-3dd1-45e3-aa9d-cdbdf3b6f24e"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


@transaction.atomic
def seed(*, relationships: int, assignments: int) -> tuple[User, Customer, Subscription]:
    """Create the bench world unless it exists with the same shape; return (agent, customer, azure sub)."""
    now = timezone.now()
    partner, _ = Partner.objects.get_or_create(
        name=PARTNER_NAME, defaults={"type": "direct_bill", "domains": ["benchpartners.example"]}
    )
    agent, created = User.objects.get_or_create(
        username="bench-agent", defaults={"partner": partner, "email": "agent@benchpartners.example"}
    )
    if created:
        UserRole.objects.create(user=agent, role="admin_agent")
        SupportEntitlement.objects.create(partner=partner, kind="premier_unified", entitlement_id="BENCH-1")
    customer, _ = Customer.objects.get_or_create(
        name=CUSTOMER_NAME, defaults={"default_domain": "benchcustomer.onmicrosoft.com"}
    )
    CustomerDomain.objects.get_or_create(
        customer=customer, domain="benchcustomer.onmicrosoft.com", defaults={"is_default": True}
    )
    CustomerPartnerRelationship.objects.get_or_create(
        customer=customer, partner=partner, defaults={"relationship": "reseller"}
    )
    shape_ok = (
        Relationship.objects.filter(partner=partner, customer=customer).count() == relationships
        and AccessAssignment.objects.filter(relationship__customer=customer).count()
        == relationships * assignments
    )
    if not shape_ok:
        Relationship.objects.filter(partner=partner, customer=customer).delete()
        SecurityGroup.objects.filter(partner=partner).delete()
        groups = SecurityGroup.objects.bulk_create(
            [SecurityGroup(partner=partner, name=f"Bench group {i}") for i in range(assignments)]
        )
        GroupMembership.objects.bulk_create([GroupMembership(group=g, user=agent) for g in groups[:2]])
        rels = Relationship.objects.bulk_create(
            [
                Relationship(
                    partner=partner,
                    customer=customer,
                    display_name=f"Bench relationship {i}",
                    duration=timedelta(days=730),
                    status="active",
                    activated_at=now - timedelta(days=1),
                    end_at=now + timedelta(days=729),
                )
                for i in range(relationships)
            ]
        )
        roles = list(EntraRole.objects.filter(name__in=["Service Support Administrator", "Global Reader"]))
        Relationship.roles.through.objects.bulk_create(
            [Relationship.roles.through(relationship=r, entrarole=role) for r in rels for role in roles]
        )
        rows = AccessAssignment.objects.bulk_create(
            [
                AccessAssignment(relationship=r, security_group=g, status="active")
                for r in rels
                for g in groups
            ]
        )
        AccessAssignment.roles.through.objects.bulk_create(
            [
                AccessAssignment.roles.through(accessassignment=a, entrarole=role)
                for a in rows
                for role in roles
            ]
        )
    azure = Subscription.objects.filter(customer=customer, workload="azure").order_by("offer").first()
    if azure is None:
        group = SecurityGroup.objects.filter(partner=partner, members=agent).order_by("name").first()
        for i in range(5):
            sub = Subscription.objects.create(
                customer=customer,
                workload="azure",
                offer=f"Bench Azure plan {i}",
                provider=partner,
                azure_subscription_id=uuid.uuid4(),
            )
            AzureRoleAssignment.objects.create(subscription=sub, role_definition_id=READER, user=agent)
            AzureRoleAssignment.objects.create(
                subscription=sub, role_definition_id=SUPPORT_REQUEST_CONTRIBUTOR, group=group
            )
        azure = Subscription.objects.filter(customer=customer, workload="azure").order_by("offer").first()
    return agent, customer, azure


def run(name: str, request: EligibilityRequest, decisions: int) -> dict:
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    evaluate(request)  # warm up
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        for _ in range(decisions):
            decision = evaluate(request)
        seconds = time.perf_counter() - started
    return {
        "scenario": name,
        "decisions": decisions,
        "seconds": round(seconds, 3),
        "decisions_per_second": round(decisions / seconds, 1),
        "queries_per_decision": queries / decisions,
        "allowed": decision.allowed,
    }


def scenarios(agent, customer, azure) -> list[tuple[str, EligibilityRequest]]:
    """The measured decisions on the seeded world: M365 and Azure on behalf of the customer, and a
    request about the partner's own subscription."""
    return [
        ("m365 on behalf", EligibilityRequest(user_id=agent.pk, customer_id=customer.pk, workload="m365")),
        (
            "azure on behalf",
            EligibilityRequest(
                user_id=agent.pk, customer_id=customer.pk, workload="azure", subscription_id=azure.pk
            ),
        ),
        (
            "own subscription",
            EligibilityRequest(
                user_id=agent.pk, customer_id=None, workload="azure", support_entitlement_id="BENCH-1"
            ),
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=200, help="decisions per scenario (default 200)")
    parser.add_argument("--relationships", type=int, default=50)
    parser.add_argument("--assignments", type=int, default=20, help="access assignments per relationship")
    args = parser.parse_args(argv)
    if args.decisions < 1:
        parser.error("--decisions must be at least 1")
    if OWN_DATABASE:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    try:
        agent, customer, azure = seed(relationships=args.relationships, assignments=args.assignments)
    except (OperationalError, ProgrammingError) as exc:
        print(f"The database is not ready ({exc}); run `python manage.py migrate` first.", file=sys.stderr)
        return 1
    results = [run(name, request, args.decisions) for name, request in scenarios(agent, customer, azure)]
    columns = (
        ("scenario", 18),
        ("decisions", 9),
        ("seconds", 8),
        ("decisions/s", 12),
        ("queries/decision", 17),
    )
    header = " ".join(
        f"{name:<{width}}" if i == 0 else f"{name:>{width}}" for i, (name, width) in enumerate(columns)
    )
    header += " allowed"
    shape = f"{args.relationships} relationships × {args.assignments} assignments"
    print(f"Eligibility bench on {connection.vendor}: {shape}")
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['scenario']:<18} {r['decisions']:>9} {r['seconds']:>8.3f} "
            f"{r['decisions_per_second']:>12.1f} {r['queries_per_decision']:>17.1f} "
            f"{'yes' if r['allowed'] else 'no'}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "bench": "eligibility",
                "generated_at": timezone.now().isoformat(),
                "database": connection.vendor,
                "relationships": args.relationships,
                "assignments_per_relationship": args.assignments,
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nWrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
