"""``service_request_history``: reproducible generated service requests (see docs/scenarios.md)."""

from __future__ import annotations

import random
from datetime import timedelta

from customers.choices import Workload
from partners.choices import PartnerCenterRole
from servicerequests.choices import IssueType, Status
from servicerequests.sla import SLA_TARGETS

from .. import rules
from .fields import join
from .plan import CustomerSpec, ServiceRequestSpec
from .references import Checker
from .service_request_fields import request_fields, stable_service_request_id

#: Titles the history generator picks from, per workload.
HISTORY_TITLES: dict[str, tuple[str, ...]] = {
    Workload.AZURE: (
        "Virtual machine fails to start after resize",
        "Azure SQL database connection timeouts",
        "Storage account returns 503 errors",
        "App Service deployment slot swap stuck",
        "AKS node pool scale-out fails",
        "VPN gateway tunnel keeps dropping",
    ),
    Workload.M365: (
        "Mailbox migration stuck at 95%",
        "External mail delayed in Exchange Online",
        "Teams meetings drop after ten minutes",
        "SharePoint site returns access denied",
        "OneDrive sync client stops syncing",
        "Licenses not applied to new users",
    ),
    Workload.DYNAMICS: (
        "Dynamics 365 Sales form loads slowly",
        "Power Automate flow fails on Dataverse trigger",
        "Dynamics 365 environment copy failed",
        "Customer Service queue items not routed",
    ),
    Workload.EMS: (
        "Intune devices not receiving compliance policy",
        "Conditional Access blocks compliant devices",
        "Autopilot enrolment fails with error 80180014",
    ),
}


def history_expand(
    checker: Checker, data: dict, path: str, *, customers: list[CustomerSpec]
) -> list[ServiceRequestSpec]:
    """Expand one ``service_request_history`` entry into reproducible requests (see docs/scenarios.md).

    The checks that depend on other sections (the partner has customers and an admin agent in
    this file) run only when those sections are free of problems, so one mistake elsewhere is
    not reported a second time here.
    """
    errors_before = len(checker.errors)
    partner_name = checker.text(data, path, "partner", required=True)
    count = checker.integer(data, path, "count", required=True, low=1, high=5000)
    seed = checker.integer(data, path, "seed", default=0, low=0, high=2**31)
    days = checker.integer(data, path, "days", default=90, low=1, high=3650)
    here = join(path, "partner")
    partner = checker.world.partners.get(partner_name) if partner_name else None
    if partner_name is not None and partner is None:
        checker.error(
            here, f"unknown partner {partner_name!r} (history needs a partner described in this file)"
        )
    by_name = {c.name: c for c in customers}
    candidates = [c for c in customers if partner and partner_name in dict(c.links)]
    if data.get("customers") is not None:
        candidates = []
        for item_path, name in checker.name_list(data, path, "customers", required=True):
            if name not in checker.world.customers:
                checker.error(
                    item_path,
                    f"unknown customer {name!r} (history needs customers described in this file)",
                )
            elif name in by_name:
                candidates.append(by_name[name])
    if errors_before or len(checker.errors) > errors_before:
        return []
    filers = sorted(u for u, roles in partner.users.items() if PartnerCenterRole.ADMIN_AGENT in roles)
    if not filers:
        checker.error(here, f"partner {partner_name!r} has no admin_agent user to file the history")
    if not candidates:
        checker.error(here, f"partner {partner_name!r} has no customers in this file")
    if len(checker.errors) > errors_before:
        return []
    assignees = sorted(
        u
        for u, roles in partner.users.items()
        if roles
        & {
            PartnerCenterRole.SUPPORT_MANAGER,
            PartnerCenterRole.HELPDESK_AGENT,
            PartnerCenterRole.ADMIN_AGENT,
        }
    )
    rng = random.Random(f"{partner_name}:{seed}")
    out = []
    for index in range(count):
        customer = rng.choice(candidates)
        workloads = sorted(
            {s.fields["workload"] for s in customer.subscriptions} & set(rules.PORTAL_BY_WORKLOAD)
        ) or [Workload.M365]
        workload = rng.choice(workloads)
        title = rng.choice(HISTORY_TITLES[workload])
        severity = rng.choices(rules.SEVERITIES, weights=(1, 4, 5))[0]
        age = timedelta(minutes=rng.randint(20, days * 24 * 60))
        created = checker.now - age
        if age > timedelta(days=14):
            status = rng.choices((Status.CLOSED, Status.OPEN, Status.ATTENTION_NEEDED), weights=(18, 1, 1))[0]
        else:
            status = rng.choices((Status.CLOSED, Status.OPEN, Status.ATTENTION_NEEDED), weights=(2, 5, 2))[0]
        target = SLA_TARGETS[severity]
        first_response = created + target * rng.uniform(0.2, 1.4)
        if first_response > checker.now or (
            status != Status.CLOSED and age < target * 2 and rng.random() < 0.6
        ):
            first_response = None
        closed = None
        if status == Status.CLOSED:
            closed = min(created + timedelta(hours=rng.randint(3, 24 * 10)), checker.now)
            if first_response is not None and first_response > closed:
                first_response = closed
        fields = request_fields(
            workload=workload,
            title=title,
            description=f"{title}. Reported by {customer.name} to {partner_name}.",
            severity=severity,
            status=status,
            created=created,
            first_response=first_response,
            closed=closed,
            issue_type=IssueType.TECHNICAL if workload == Workload.AZURE else "",
            now=checker.now,
        )
        fields.update(portal="", external_ticket_id="")
        out.append(
            ServiceRequestSpec(
                id=stable_service_request_id("history", partner_name, seed, index),
                partner=partner_name,
                customer=customer.name,
                created_by=rng.choice(filers),
                assigned_to=rng.choice(assignees) if rng.random() < 0.7 else None,
                entitlement=None,
                fields=fields,
            )
        )
    return out
