"""Filing throughput: ``POST /v1/customers/{id}/servicerequests`` against the baseline endpoint.

Both run against the same gunicorn, in the same bench run, with the same number of clients, the
same token and the same bounds. Filing runs the whole service (eligibility, the request, its audit
event, the dispatch outbox row and the idempotency record of its distinct ``MS-RequestId``; the
delivery and the filer's e-mail are the relay's); the baseline (``bench.baseline``) inserts a row of
the same size into the same table through a bare DRF create, without looking anything up. The
figures are the ratio of their throughputs and, beside it, the server's CPU per request of each.

The filing world is staged here (a handful of rows, by the ORM): one partner, its admin agent in
one security group, one customer, one active GDAP relationship whose access assignment grants
that group Service Support Administrator, and an API token, so that every filing is allowed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from bench.loadgen import Call, LoadResult, run_load

FILING_PARTNER = "Bench Filing Partners"
FILING_USERNAME = "bench-filer"
FILING_CUSTOMER = "Bench Filing Customer"
FILING_GROUP = "Bench filing agents"
FILING_ROLES = ("Service Support Administrator", "Global Reader")
FILING_PATH = "/v1/customers/{customer}/servicerequests"
BASELINE_PATH = "/bench/baseline/servicerequests"
DESCRIPTION = (
    "Users in the sales department cannot open shared mailboxes since this morning; Outlook on the "
    "web shows 'Something went wrong' and the desktop client keeps asking for credentials. Started "
    "after the licence change of the weekend. Affects about forty users in two offices."
)


@dataclass(frozen=True)
class FilingWorld:
    """What the filing clients need: the agent, the customer, a support topic, a Bearer token; and
    the eligibility snapshot a filed request stores (``Decision.as_record``), which the baseline
    sends so that its row is as large as a filed one."""

    agent_id: int
    partner_id: str
    customer_id: str
    support_topic_id: int
    token: str
    record: dict


@transaction.atomic
def stage_filing_world() -> FilingWorld:
    """Create (or reuse) the filing world and issue a fresh API token for its agent; return it."""
    from core.models import ApiToken
    from customers.models import Customer, CustomerDomain, CustomerPartnerRelationship
    from gdap.models import AccessAssignment, EntraRole, Relationship
    from partners.models import GroupMembership, Partner, SecurityGroup, User, UserRole
    from servicerequests.eligibility import EligibilityRequest, evaluate
    from servicerequests.models import SupportTopic

    now = timezone.now()
    partner, _ = Partner.objects.get_or_create(
        name=FILING_PARTNER, defaults={"type": "direct_bill", "domains": ["benchfiling.example"]}
    )
    agent, created = User.objects.get_or_create(
        username=FILING_USERNAME,
        defaults={
            "partner": partner,
            "email": "filer@benchfiling.example",
            "first_name": "Bench",
            "last_name": "Filer",
            "phone": "+1 555 0100",
        },
    )
    if created:
        UserRole.objects.create(user=agent, role="admin_agent")
    group, _ = SecurityGroup.objects.get_or_create(partner=partner, name=FILING_GROUP)
    GroupMembership.objects.get_or_create(group=group, user=agent)
    customer, _ = Customer.objects.get_or_create(
        name=FILING_CUSTOMER, defaults={"default_domain": "benchfilingcustomer.onmicrosoft.com"}
    )
    CustomerDomain.objects.get_or_create(
        customer=customer, domain=customer.default_domain, defaults={"is_default": True}
    )
    CustomerPartnerRelationship.objects.get_or_create(
        customer=customer, partner=partner, defaults={"relationship": "reseller"}
    )
    roles = list(EntraRole.objects.filter(name__in=FILING_ROLES))
    if not Relationship.objects.filter(partner=partner, customer=customer, status="active").exists():
        relationship = Relationship.objects.create(
            partner=partner,
            customer=customer,
            display_name="Bench filing relationship",
            duration=timedelta(days=730),
            status="active",
            activated_at=now - timedelta(days=1),
            end_at=now + timedelta(days=729),
        )
        relationship.roles.set(roles)
        assignment = AccessAssignment.objects.create(
            relationship=relationship, security_group=group, status="active"
        )
        assignment.roles.set([r for r in roles if r.name == "Service Support Administrator"])
    topic = SupportTopic.objects.filter(workload="m365").order_by("id").first()
    _, token = ApiToken.objects.create(user=agent, expiry=timedelta(hours=6), name="bench")
    decision = evaluate(
        EligibilityRequest(
            user_id=agent.pk,
            customer_id=customer.pk,
            workload="m365",
            contact_email=agent.email,
            contact_phone=agent.phone,
            severity="moderate",
        )
    )
    if not decision.allowed:
        raise RuntimeError(f"the filing world is not eligible: {', '.join(decision.failed_rule_ids)}")
    return FilingWorld(
        agent_id=agent.pk,
        partner_id=str(partner.pk),
        customer_id=str(customer.pk),
        support_topic_id=topic.pk,
        token=token,
        record=decision.as_record(),
    )


def filing_call(world: FilingWorld, index: int) -> Call:
    """One filing: an allowed M365 request with its own ``MS-RequestId``."""
    return Call(
        "POST",
        FILING_PATH.format(customer=world.customer_id),
        headers={"Authorization": f"Bearer {world.token}", "MS-RequestId": str(uuid.uuid4())},
        json={
            "title": f"Shared mailboxes unavailable ({index})",
            "description": DESCRIPTION,
            "severity": "moderate",
            "workload": "m365",
            "supportTopicId": world.support_topic_id,
            "primaryContact": {
                "firstName": "Bench",
                "lastName": "Filer",
                "email": "filer@benchfiling.example",
                "phoneNumber": "+1 555 0100",
            },
        },
    )


def baseline_call(world: FilingWorld, index: int) -> Call:
    """One baseline insert: the same columns and sizes as a filed row, its eligibility snapshot in
    the stored form filing writes."""
    return Call(
        "POST",
        BASELINE_PATH,
        headers={"Authorization": f"Bearer {world.token}"},
        json={
            "customer": world.customer_id,
            "workload": "m365",
            "title": f"Shared mailboxes unavailable ({index})",
            "description": DESCRIPTION,
            "severity": "moderate",
            "support_topic": world.support_topic_id,
            "contact_first_name": "Bench",
            "contact_last_name": "Filer",
            "contact_email": "filer@benchfiling.example",
            "contact_phone": "+1 555 0100",
            "portal": "m365",
            "eligibility": world.record,
        },
    )


def measure_filing(
    *, base_url: str, world: FilingWorld, count: int, concurrency: int, max_seconds: float
) -> dict:
    """Run the filing load; return its summary (``loadgen.LoadResult.summary``) plus the window."""
    started_at = timezone.now()
    result = run_load(
        base_url=base_url,
        make_call=lambda i: filing_call(world, i),
        count=count,
        concurrency=concurrency,
        max_seconds=max_seconds,
    )
    return {**result.summary(), "started_at": started_at.isoformat(), "ended_at": timezone.now().isoformat()}


def slice_order(slices: int) -> list[str]:
    """Which load runs in each slice: filing and baseline alternately in pairs, the pair's order
    flipped every other pair (filing, baseline, baseline, filing, ...), so that neither always
    runs first, on a cooler or a warmer machine."""
    if slices < 1:
        raise ValueError("slices must be at least 1")
    pairs = [("filing", "baseline") if n % 2 == 0 else ("baseline", "filing") for n in range(slices)]
    return [kind for pair in pairs for kind in pair]


def throughput_ratio(filed: LoadResult, base: LoadResult) -> float | None:
    """Successful requests a second of ``filed`` over those of ``base``; None without a baseline."""
    baseline_rate = base.summary()["requests_per_second"]
    return round(filed.summary()["requests_per_second"] / baseline_rate, 3) if baseline_rate else None


def measure_filing_and_baseline(
    *,
    base_url: str,
    world: FilingWorld,
    count: int,
    concurrency: int,
    max_seconds: float,
    slices: int,
    cpu=None,
) -> tuple[dict, dict]:
    """Filing and the baseline, each bounded by ``count`` requests and ``max_seconds`` in all, run
    in ``slices`` alternating slices (``slice_order``) against the same server, so that a change
    in the machine's speed during the run (a shared two-core machine drifts by tens of percent
    within minutes) weighs on both alike. Returns their summaries; filing's carries the window
    from its first to its last request. ``cpu`` (``bench.cpu.ServerCpu``): each summary also
    carries the server's CPU per successful request (``server_cpu_ms_per_request``), measured
    around each slice. Filing's summary also carries ``ratio_by_pair``: filing's throughput over
    the baseline's in each pair of slices (the n-th of each), in the order they ran, so that a
    reader sees how far the ratio moved within the run."""
    calls = {"filing": filing_call, "baseline": baseline_call}
    cpu_seconds = {"filing": 0.0, "baseline": 0.0}
    results: dict[str, list] = {"filing": [], "baseline": []}
    sent = {"filing": 0, "baseline": 0}
    started_at = timezone.now()
    for kind in slice_order(slices):
        slice_count = max(1, (count - sent[kind]) // (slices - len(results[kind])))
        first = sent[kind]
        before = cpu.snapshot() if cpu is not None else None
        result = run_load(
            base_url=base_url,
            make_call=lambda i, kind=kind, first=first: calls[kind](world, first + i),
            count=slice_count,
            concurrency=concurrency,
            max_seconds=max_seconds / slices,
        )
        if cpu is not None:
            cpu_seconds[kind] += cpu.spent(before, cpu.snapshot())
        sent[kind] += len(result.samples) + result.transport_errors
        results[kind].append(result)
    ended_at = timezone.now()
    window = {"slices": slices, "started_at": started_at.isoformat(), "ended_at": ended_at.isoformat()}
    filing = LoadResult.merged(results["filing"]).summary()
    baseline = LoadResult.merged(results["baseline"]).summary()
    filing["ratio_by_pair"] = [
        throughput_ratio(filed, base)
        for filed, base in zip(results["filing"], results["baseline"], strict=True)
    ]
    if cpu is not None:
        for kind, summary in (("filing", filing), ("baseline", baseline)):
            ok = summary["ok"]
            summary["server_cpu_ms_per_request"] = round(cpu_seconds[kind] * 1000 / ok, 2) if ok else None
    return {**filing, **window}, {**baseline, "slices": slices}
