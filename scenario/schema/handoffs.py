"""The ``service_request_handoffs`` section: requests a reseller (or advisor) handed off to the
provider of the customer's Azure subscription (SR-AZURE-NONTECH-PROVIDER-ONLY)."""

from __future__ import annotations

from customers.choices import Workload
from servicerequests.choices import Severity
from servicerequests.handoffs.models import HandoffStatus

from .. import rules
from .fields import join
from .plan import CustomerSpec, HandoffNoteSpec, HandoffSpec, ServiceRequestSpec
from .references import Checker


def _subscription(checker, customers: list[CustomerSpec], customer: str, offer: str, path: str):
    """The provider's name of the customer's Azure subscription ``offer`` described in this document."""
    spec = next((c for c in customers if c.name == customer), None)
    if spec is None:
        checker.error(join(path, "customer"), f"{customer!r} must be described in this document")
        return None
    for sub in spec.subscriptions:
        if sub.fields.get("offer") == offer and sub.fields.get("workload") == Workload.AZURE:
            if sub.provider is None:
                checker.error(join(path, "subscription"), f"{offer!r} has no provider (bought directly)")
                return None
            return sub.provider
    checker.error(join(path, "subscription"), f"no Azure subscription {offer!r} of {customer!r}")
    return None


def handoffs_validate(
    checker: Checker, doc: dict, *, customers: list[CustomerSpec], requests: list[ServiceRequestSpec]
) -> list[HandoffSpec]:
    """Each hand-off: the reseller is an indirect reseller or advisor, the subscription's provider a
    provider-type partner other than it, the issue type non-technical; an ``accepted`` one names
    the provider's filed request (by id), a ``declined`` one its reason."""
    out = []
    request_partners = {r.id: r.partner for r in requests}
    for path, raw in checker.items(doc, "", "service_request_handoffs"):
        data = checker.mapping(raw, path, rules.HANDOFF_KEYS)
        if data is None:
            continue
        errors_before = len(checker.errors)
        reseller = checker.partner_ref(data, path, "reseller")
        if reseller is not None and reseller.type not in rules.HANDING_OFF_PARTNER_TYPES:
            checker.error(
                join(path, "reseller"),
                f"SR-AZURE-NONTECH-PROVIDER-ONLY: {reseller.name!r} is a {reseller.type}; only an "
                f"{' or '.join(rules.HANDING_OFF_PARTNER_TYPES)} hands a request off",
            )
        customer = checker.customer_ref(data, path, "customer")
        offer = checker.text(data, path, "subscription", required=True, max_length=200)
        created_by = checker.user_ref(data, path, "created_by", reseller)
        issue_type = checker.choice(
            data,
            path,
            "issue_type",
            rules.NON_TECHNICAL_ISSUE_TYPES,
            "non-technical issue type",
            required=True,
        )
        title = checker.text(data, path, "title", required=True, max_length=200)
        description = checker.text(data, path, "description", max_length=9000, default=None)
        severity = checker.choice(
            data, path, "severity", rules.SEVERITIES, "severity", default=Severity.MINIMAL
        )
        status = checker.choice(
            data,
            path,
            "status",
            tuple(HandoffStatus.values),
            "hand-off status",
            default=HandoffStatus.PENDING,
        )
        created = checker.time(data, path, "created", required=True)
        reason = checker.text(data, path, "decline_reason", max_length=2000, default=None)
        request_id = checker.text(data, path, "service_request", default=None, numbers=True)
        provider = None
        if customer is not None and offer is not None:
            provider = _subscription(checker, customers, customer, offer, path)
        provider_info = checker.world.partner(provider) if provider else None
        if provider_info is not None:
            if provider_info.type not in rules.PROVIDER_PARTNER_TYPES:
                checker.error(
                    join(path, "subscription"), f"its provider {provider!r} is a {provider_info.type}"
                )
            if reseller is not None and provider_info.name == reseller.name:
                checker.error(
                    join(path, "reseller"), "is the subscription's provider: it files the request itself"
                )
        if status == HandoffStatus.DECLINED and not reason:
            checker.error(join(path, "decline_reason"), "required for a declined hand-off")
        if status != HandoffStatus.DECLINED and reason:
            checker.error(join(path, "decline_reason"), f"only for a declined hand-off, this one is {status}")
        if status == HandoffStatus.ACCEPTED:
            if request_id is None:
                checker.error(
                    join(path, "service_request"),
                    "required for an accepted hand-off (the filed request's id)",
                )
            elif request_partners.get(request_id) != provider:
                checker.error(
                    join(path, "service_request"),
                    f"no service request {request_id} of {provider!r} in this document",
                )
        elif request_id is not None:
            checker.error(
                join(path, "service_request"), f"only for an accepted hand-off, this one is {status}"
            )
        notes = []
        for note_path, raw_note in checker.items(data, path, "notes"):
            note = checker.mapping(raw_note, note_path, rules.HANDOFF_NOTE_KEYS)
            if note is None:
                continue
            by = checker.text(note, note_path, "by", required=True, max_length=150)
            text = checker.text(note, note_path, "text", required=True, max_length=4000)
            at = checker.time(note, note_path, "at", required=True)
            side = None
            for info in (reseller, provider_info):
                if info is not None and by in info.users:
                    side = info.name
            if by is not None and side is None:
                checker.error(
                    join(note_path, "by"), f"{by!r} is a user of neither the reseller nor the provider"
                )
            notes.append(HandoffNoteSpec(by=by, partner=side, text=text, at=at))
        if len(checker.errors) > errors_before:
            continue
        out.append(
            HandoffSpec(
                reseller=reseller.name,
                provider=provider,
                customer=customer,
                subscription=offer,
                created_by=created_by,
                issue_type=issue_type,
                title=title,
                description=description or title,
                severity=severity,
                status=status,
                created=created,
                decline_reason=reason or "",
                service_request=request_id,
                notes=notes,
            )
        )
    return out
