"""Writes on hand-offs: offer, create, accept (file through the filing pipeline), decline, note.

Every write runs in one transaction with an audit event for each of the two partners (each reads
its own audit log) and, for create / accept / decline, a webhook event to each partner's
registration (``servicerequest-handoff-created``, ``-accepted``, ``-declined``). The provider's
support managers are e-mailed about a new hand-off after commit (``servicerequests.notify_handoff``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_event_record
from core.queueing import enqueue
from customers.choices import Workload
from customers.models import Subscription
from customers.selectors import customer_get
from partners.choices import PartnerCenterRole, PartnerType
from partners.models import Partner, User
from webhooks.choices import EventName
from webhooks.services import webhook_event_emit

from ..choices import IssueType, Severity
from ..eligibility import evaluate
from ..eligibility.tables import NON_TECHNICAL_ISSUE_TYPES, PROVIDER_PARTNER_TYPES
from ..services.common import TITLE_MAX, add_error, validated_note_text
from ..services.filing import (
    eligibility_request_build,
    service_request_eligibility_check,
    service_request_file,
)
from .models import HandoffNote, HandoffStatus, ServiceRequestHandoff, handoff_due_at

RULE_ID = "SR-AZURE-NONTECH-PROVIDER-ONLY"
NOTIFY_TASK = "servicerequests.notify_handoff"
#: The provider's "Hand-offs from resellers" count is recounted after each change (queues.reports).
COUNTS_TASK = "servicerequests.refresh_queue_counts"
#: Partner types that hand a request off to the subscription's provider.
HANDING_OFF_TYPES = frozenset({PartnerType.INDIRECT_RESELLER, PartnerType.ADVISOR})
#: Who on the provider's side may decline (filing itself needs an admin agent, SR-PC-ROLE-ADMIN-AGENT).
DECIDE_ROLES = frozenset({PartnerCenterRole.ADMIN_AGENT, PartnerCenterRole.SUPPORT_MANAGER})
NOTE_ROLES = DECIDE_ROLES
DECLINE_REASON_MAX = 2000
#: Shorter than a request's description: filing appends the reseller's contact line to it.
DESCRIPTION_MAX = 9000
AUDIT_FIELDS = ("status", "title", "severity", "issue_type", "subscription_id", "service_request_id")


@dataclass(frozen=True)
class HandoffOffer:
    """What the refusal page offers: ask ``provider`` to file this request."""

    provider: Partner
    customer_id: str
    subscription: Subscription
    issue_type: str

    @property
    def issue_label(self) -> str:
        return IssueType(self.issue_type).label.lower()


def handoff_offer(*, actor: User, customer_id, subscription_id, issue_type: str) -> HandoffOffer | None:
    """The hand-off open to ``actor`` for this request, or None.

    Open when SR-AZURE-NONTECH-PROVIDER-ONLY refuses it: the actor is an admin agent of an indirect
    reseller or an advisor, the issue type is non-technical, and the customer's CSP subscription
    has a provider (a direct bill partner or indirect provider) other than the actor's partner.
    Reads the subscription with its provider (one query)."""
    if actor.partner_id is None or PartnerCenterRole.ADMIN_AGENT not in actor.role_codes:
        return None
    if actor.partner.type not in HANDING_OFF_TYPES or issue_type not in NON_TECHNICAL_ISSUE_TYPES:
        return None
    if not subscription_id or not customer_id:
        return None
    try:
        subscription = (
            Subscription.objects.select_related("provider")
            .filter(customer_id=customer_id, workload=Workload.AZURE)
            .get(pk=subscription_id)
        )
    except (Subscription.DoesNotExist, ValidationError, ValueError):
        return None
    provider = subscription.provider
    if provider is None or provider.type not in PROVIDER_PARTNER_TYPES or provider.pk == actor.partner_id:
        return None
    return HandoffOffer(
        provider=provider, customer_id=str(customer_id), subscription=subscription, issue_type=issue_type
    )


def _audit(action: str, handoff: ServiceRequestHandoff, *, actor: User, before=None, after=None):
    """One audit event per partner (each reads its own log); returns them by partner id."""
    events = {}
    for partner_id in (handoff.reseller_id, handoff.provider_id):
        events[partner_id] = audit_event_record(
            action=action,
            actor=actor,
            partner_id=partner_id,
            customer_id=handoff.customer_id,
            obj=handoff,
            before=before or {},
            after=after or {},
        )
    return events


def _emit(event_name: str, handoff: ServiceRequestHandoff, events) -> None:
    for partner_id, audit_event in events.items():
        webhook_event_emit(event_name=event_name, obj=handoff, partner_id=partner_id, audit_event=audit_event)


def _recount(handoff: ServiceRequestHandoff) -> None:
    provider_id = str(handoff.provider_id)
    transaction.on_commit(lambda: enqueue(COUNTS_TASK, provider_id), robust=True)


def _state(handoff: ServiceRequestHandoff) -> dict:
    return {f: (str(getattr(handoff, f)) if getattr(handoff, f) is not None else None) for f in AUDIT_FIELDS}


def handoff_create(
    *,
    actor: User,
    customer_id,
    subscription_id,
    issue_type: str,
    title: str,
    description: str,
    severity: str,
    contact_first_name: str = "",
    contact_last_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
) -> ServiceRequestHandoff:
    """Ask the subscription's provider to file what SR-AZURE-NONTECH-PROVIDER-ONLY refuses the actor.

    Contract: a customer the actor's partner cannot see raises ``Customer.DoesNotExist`` (404);
    bad fields raise ``ValidationError`` naming each; a request the rule does not refuse (the actor
    may file it, or there is no provider to ask) raises ``PermissionDenied`` with the reason. The
    contact defaults to the actor. Writes, in one transaction: the hand-off (status ``pending``,
    due by its severity's response target), ``servicerequest.handoff_created`` for both partners and
    the ``servicerequest-handoff-created`` webhook events; after commit the provider's support
    managers are e-mailed.
    """
    customer = customer_get(actor=actor, customer_id=customer_id)
    title, description = (title or "").strip(), (description or "").strip()
    contact_email = (contact_email or "").strip() or actor.email
    errors: dict[str, list[str]] = {}
    if not title:
        add_error(errors, "title", _("is required."))
    elif len(title) > TITLE_MAX:
        add_error(errors, "title", _("must be at most %(max)s characters.") % {"max": TITLE_MAX})
    if not description:
        add_error(errors, "description", _("is required."))
    elif len(description) > DESCRIPTION_MAX:
        add_error(errors, "description", _("must be at most %(max)s characters.") % {"max": DESCRIPTION_MAX})
    if severity not in Severity.values:
        add_error(
            errors, "severity", _("must be one of %(values)s.") % {"values": ", ".join(Severity.values)}
        )
    if issue_type not in NON_TECHNICAL_ISSUE_TYPES:
        add_error(
            errors,
            "issue_type",
            _("must be one of %(values)s: technical requests are filed directly.")
            % {"values": ", ".join(sorted(NON_TECHNICAL_ISSUE_TYPES))},
        )
    try:
        validate_email(contact_email)
    except ValidationError:
        add_error(errors, "contact_email", _("is not a valid e-mail address."))
    if not subscription_id:
        add_error(errors, "subscription_id", _("is required: the provider is the subscription's."))
    if errors:
        raise ValidationError(errors)
    offer = handoff_offer(
        actor=actor, customer_id=customer.pk, subscription_id=subscription_id, issue_type=issue_type
    )
    if offer is None:
        raise PermissionDenied(
            _(
                "%(rule)s: only an indirect reseller's or advisor's admin agent hands a non-technical "
                "Azure request off, to the provider of the customer's CSP subscription."
            )
            % {"rule": RULE_ID}
        )
    decision = evaluate(
        eligibility_request_build(
            actor=actor,
            customer_id=customer.pk,
            workload=Workload.AZURE,
            subscription_id=offer.subscription.pk,
            issue_type=issue_type,
        ),
        customer=customer,
    )
    if RULE_ID not in decision.failed_rule_ids:
        raise PermissionDenied(
            _("%(rule)s does not refuse this request: file it yourself.") % {"rule": RULE_ID}
        )
    now = timezone.now()
    with transaction.atomic():
        handoff = ServiceRequestHandoff.objects.create(
            reseller_id=actor.partner_id,
            provider=offer.provider,
            customer=customer,
            subscription=offer.subscription,
            workload=Workload.AZURE,
            issue_type=issue_type,
            title=title,
            description=description,
            severity=severity,
            contact_first_name=(contact_first_name or "").strip() or actor.first_name,
            contact_last_name=(contact_last_name or "").strip() or actor.last_name,
            contact_email=contact_email,
            contact_phone=(contact_phone or "").strip() or actor.phone,
            created_by=actor,
            due_at=handoff_due_at(severity=severity, created_at=now),
            created_at=now,
            updated_at=now,
        )
        events = _audit("servicerequest.handoff_created", handoff, actor=actor, after=_state(handoff))
        _emit(EventName.SERVICE_REQUEST_HANDOFF_CREATED, handoff, events)
        transaction.on_commit(lambda: enqueue(NOTIFY_TASK, str(handoff.pk)), robust=True)
        _recount(handoff)
    return handoff


def _require_provider(actor: User, handoff: ServiceRequestHandoff, roles, doing: str) -> None:
    if actor.partner_id != handoff.provider_id or not actor.role_codes.intersection(roles):
        names = _(" or ").join(sorted(_(str(PartnerCenterRole(r).label)).lower() for r in roles))
        message = {
            "file": _("Only the provider's %(roles)s may file a hand-off."),
            "decline": _("Only the provider's %(roles)s may decline a hand-off."),
        }[doing]
        raise PermissionDenied(message % {"roles": names})


def _require_pending(handoff: ServiceRequestHandoff) -> None:
    if handoff.status != HandoffStatus.PENDING:
        raise ValidationError(
            {
                "status": [
                    _("the hand-off is %(status)s already.")
                    % {"status": handoff.get_status_display().lower()}
                ]
            }
        )


def _locked(handoff: ServiceRequestHandoff) -> ServiceRequestHandoff:
    return ServiceRequestHandoff.objects.select_for_update().get(pk=handoff.pk)


def _handoff_description(handoff: ServiceRequestHandoff) -> str:
    reseller = handoff.reseller
    contact = ", ".join(p for p in (handoff.contact_name, handoff.contact_email, handoff.contact_phone) if p)
    handed_off = _("Handed off by %(reseller)s (contact: %(contact)s).") % {
        "reseller": reseller.name,
        "contact": contact,
    }
    return f"{handoff.description}\n\n{handed_off}"


def handoff_accept(
    *, actor: User, handoff: ServiceRequestHandoff, title: str = "", description: str = "", severity: str = ""
) -> ServiceRequestHandoff:
    """The provider's admin agent files the hand-off: ``service_request_file`` with its customer,
    subscription, issue type, title, description (with the reseller's contact) and severity, any of
    the last three replaced when given. The filing pipeline's errors propagate (``ValidationError``,
    ``EligibilityDenied``...) and nothing of the hand-off changes. Filed: in the same transaction the
    hand-off becomes ``accepted`` and links the request; ``servicerequest.handoff_accepted`` for both
    partners and the ``servicerequest-handoff-accepted`` webhook events."""
    _require_provider(actor, handoff, {PartnerCenterRole.ADMIN_AGENT}, "file")
    _require_pending(handoff)
    # A refusal is answered here, outside the transaction below, so that its audit event
    # (servicerequest.filing_denied) stays on record.
    service_request_eligibility_check(
        actor=actor,
        eligibility_request=eligibility_request_build(
            actor=actor,
            customer_id=handoff.customer_id,
            workload=handoff.workload,
            subscription_id=handoff.subscription_id,
            issue_type=handoff.issue_type,
            severity=severity or handoff.severity,
        ),
        record_refusal=True,
    )
    with transaction.atomic():
        handoff = _locked(handoff)
        _require_pending(handoff)
        before = _state(handoff)
        service_request = service_request_file(
            actor=actor,
            customer_id=handoff.customer_id,
            workload=handoff.workload,
            title=(title or "").strip() or handoff.title,
            description=(description or "").strip() or _handoff_description(handoff),
            severity=severity or handoff.severity,
            subscription_id=handoff.subscription_id,
            issue_type=handoff.issue_type,
        )
        now = timezone.now()
        handoff.status = HandoffStatus.ACCEPTED
        handoff.service_request = service_request
        handoff.decided_by = actor
        handoff.decided_at = now
        handoff.updated_at = now
        handoff.save(update_fields=["status", "service_request", "decided_by", "decided_at", "updated_at"])
        events = _audit(
            "servicerequest.handoff_accepted", handoff, actor=actor, before=before, after=_state(handoff)
        )
        _emit(EventName.SERVICE_REQUEST_HANDOFF_ACCEPTED, handoff, events)
        _recount(handoff)
    return handoff


def handoff_decline(*, actor: User, handoff: ServiceRequestHandoff, reason: str) -> ServiceRequestHandoff:
    """The provider (admin agent or support manager) declines, with a reason the reseller reads.
    ``ValidationError`` naming ``reason`` when empty or too long; ``servicerequest.handoff_declined``
    for both partners and the ``servicerequest-handoff-declined`` webhook events."""
    _require_provider(actor, handoff, DECIDE_ROLES, "decline")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("is required: tell the reseller why.")]})
    if len(reason) > DECLINE_REASON_MAX:
        raise ValidationError(
            {"reason": [_("must be at most %(max)s characters.") % {"max": DECLINE_REASON_MAX}]}
        )
    _require_pending(handoff)
    with transaction.atomic():
        handoff = _locked(handoff)
        _require_pending(handoff)
        before = _state(handoff)
        now = timezone.now()
        handoff.status = HandoffStatus.DECLINED
        handoff.decline_reason = reason
        handoff.decided_by = actor
        handoff.decided_at = now
        handoff.updated_at = now
        handoff.save(update_fields=["status", "decline_reason", "decided_by", "decided_at", "updated_at"])
        events = _audit(
            "servicerequest.handoff_declined",
            handoff,
            actor=actor,
            before=before,
            after={**_state(handoff), "reason": reason},
        )
        _emit(EventName.SERVICE_REQUEST_HANDOFF_DECLINED, handoff, events)
        _recount(handoff)
    return handoff


def handoff_may_note(actor: User, handoff: ServiceRequestHandoff) -> bool:
    """Admin agents and support managers of either side add notes."""
    return actor.partner_id in (handoff.reseller_id, handoff.provider_id) and bool(
        actor.role_codes.intersection(NOTE_ROLES)
    )


def handoff_add_note(*, actor: User, handoff: ServiceRequestHandoff, text: str) -> HandoffNote:
    """A note by either side; ``servicerequest.handoff_note_added`` for both partners."""
    if not handoff_may_note(actor, handoff):
        raise PermissionDenied(_("Only the admin agents and support managers of either side add notes."))
    text = validated_note_text(text)
    with transaction.atomic():
        note = HandoffNote.objects.create(
            handoff=handoff,
            partner_id=actor.partner_id,
            text=text,
            created_by=actor,
            created_by_name=actor.get_full_name() or actor.username,
        )
        ServiceRequestHandoff.objects.filter(pk=handoff.pk).update(updated_at=note.created_at)
        _audit(
            "servicerequest.handoff_note_added", handoff, actor=actor, after={"noteId": note.pk, "text": text}
        )
    return note
