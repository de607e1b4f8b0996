"""Evaluate a request: build the snapshot, run every rule, route an allowed request."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from core.metrics import ELIGIBILITY_DECISION_SECONDS

from . import tables
from .facts import Snapshot
from .rules import RULES
from .snapshot import snapshot_build
from .types import Decision, EligibilityRequest, PortalRoute


def portal_route_for(*, workload: str, cloud: str, domain: str = "", tenant: str = "") -> PortalRoute | None:
    """The portal of ``workload`` in ``cloud`` (``tables.PORTALS``); None for marketplace or unknown.

    ``url`` is the stub portal's New support request page, reversed from its URL name ``portals:new``.
    """
    portal = tables.PORTAL_FOR_WORKLOAD.get(workload)
    if portal is None:
        return None
    spec = tables.PORTALS[portal]
    host = spec.hosts.get(cloud) or spec.hosts["commercial"]
    return PortalRoute(
        portal=spec.portal,
        cloud=cloud,
        display_name=spec.display_name,
        url=reverse("portals:new", kwargs={"portal": spec.portal}),
        public_url=f"https://{host}" + spec.public_path.format(domain=domain, tenant=tenant),
        host=host,
        list_name=spec.list_name,
        government=cloud == "us_government",
    )


def decide(snapshot: Snapshot) -> Decision:
    """Run every rule of ``RULES`` over the snapshot (pure: no database access).

    Every rule is evaluated and reported, in RULES.md order. The portal is set
    only when no rule failed; the ISV contact whenever a marketplace product
    with a known publisher was chosen.
    """
    outcomes = tuple(rule(snapshot) for rule in RULES.values())
    request = snapshot.request
    portal = None
    if not any(o.failed for o in outcomes) and snapshot.partner is not None:
        # In the customer's tenant when on behalf of a customer; in the partner's own otherwise.
        if snapshot.customer is not None:
            domain, tenant = snapshot.customer.default_domain, str(snapshot.customer.id)
        else:
            domain = snapshot.partner.domains[0] if snapshot.partner.domains else ""
            tenant = str(snapshot.partner.id)
        portal = portal_route_for(
            workload=request.workload, cloud=snapshot.partner.cloud, domain=domain, tenant=tenant
        )
    isv_contact = None
    sub = snapshot.subscription
    if request.workload == "marketplace" and sub is not None and sub.workload == "marketplace" and sub.isv:
        isv_contact = dict(sub.isv)
    return Decision(
        outcomes=outcomes,
        portal=portal,
        isv_contact=isv_contact,
        request=request,
        customer=snapshot.customer,
        partner=snapshot.partner,
    )


@ELIGIBILITY_DECISION_SECONDS.time()
def evaluate(request: EligibilityRequest, now: datetime | None = None, *, customer=None) -> Decision:
    """Decide whether ``request`` may be filed, at ``now`` (default: the current time).

    ``customer``: the ``customers.Customer`` of ``request.customer_id`` when the caller already read
    it for this partner user (``customers.selectors.customer_get``): it is not read again.

    Reads the database with at most five queries and writes nothing. Raises
    :class:`~.types.CustomerNotVisible` when ``request.customer_id`` is set but
    that customer does not exist or is not linked to the user's partner
    (callers answer 404). An unknown user or subscription never raises: the
    rules that need them fail.
    """
    snapshot = snapshot_build(request, now=now or timezone.now(), customer=customer)
    return decide(snapshot)
