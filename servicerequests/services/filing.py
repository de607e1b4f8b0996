"""Filing a service request: the one pipeline the browser, the simulated portals and the API share.

1. :func:`eligibility_request_build` — what is being asked, with the filing defaults applied (the
   only place they are written: the contact is the acting user, Azure files a ``technical`` issue
   under the Cloud Solution Provider plan, an own-subscription request uses the partner's
   entitlement).
2. :func:`service_request_eligibility_check` — the eligibility engine's decision; a refusal raises
   :class:`~servicerequests.exceptions.MarketplaceNotSupported` or
   :class:`~servicerequests.exceptions.EligibilityDenied` (and, when asked, is put on the audit
   trail). Used by the browser's routing step, the portal's review step and the API's dry run.
3. :func:`service_request_file` — validates the fields, runs the check once more and writes the
   request, its audit event and its dispatch.

The refusals are :class:`~servicerequests.exceptions.FilingError` subclasses (``core``'s
``DomainError``): the API's exception handler answers them, the browser through
``servicerequests.views.filing_error_response``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import audit_event_record, audit_filing_denied
from core.queueing import enqueue
from customers.choices import Workload
from customers.models import Customer, Subscription
from customers.selectors import sees_customers_through_partner
from partners.models import SupportEntitlement, User
from webhooks.choices import EventName
from webhooks.services import webhook_event_emit

from ..choices import (
    SUPPORT_LANGUAGE_OF_INTERFACE,
    IssueType,
    Severity,
    Status,
    SupportLanguage,
    SupportPlan,
)
from ..eligibility import Decision, EligibilityRequest, evaluate
from ..exceptions import EligibilityDenied, MarketplaceNotSupported
from ..models import Dispatch, RoutingContextUse, ServiceRequest, SupportTopic
from ..selectors import support_topic_get
from .common import TEXT_MAX, TITLE_MAX, add_error
from .dispatch import DISPATCH_TASK

#: The fields an audit event of filing records.
FILED_FIELDS = (
    "workload",
    "severity",
    "status",
    "title",
    "issue_type",
    "support_plan",
    "portal",
    "contact_email",
    "country_code",
    "support_language",
)


def support_language_for(*, actor: User, requested: str = "") -> str:
    """The preferred support language of a new request: ``requested`` when given (a
    ``SupportLanguage`` value, else ``ValidationError`` naming ``support_language``); otherwise
    the actor's stored language, else the language of the current request (the browser's, or the
    API's ``X-Locale``/``Accept-Language``), as a support language; English (``en-US``) by default."""
    if requested:
        if requested not in SupportLanguage.values:
            raise ValidationError(
                {"support_language": [f"must be one of {', '.join(SupportLanguage.values)}."]}
            )
        return requested
    interface = getattr(actor, "language", "") or translation.get_language() or ""
    return SUPPORT_LANGUAGE_OF_INTERFACE.get(interface.lower(), SupportLanguage.EN_US)


def _validate_filing(
    *,
    workload: str,
    title: str,
    description: str,
    severity: str,
    support_topic_id,
    contact_email: str,
    issue_type: str,
    support_plan: str,
) -> tuple[dict[str, list[str]], SupportTopic | None]:
    errors: dict[str, list[str]] = {}
    if workload not in Workload.values:
        add_error(
            errors, "workload", _("must be one of %(values)s.") % {"values": ", ".join(Workload.values)}
        )
    if not title:
        add_error(errors, "title", _("is required."))
    elif len(title) > TITLE_MAX:
        add_error(
            errors,
            "title",
            _("must be at most %(max)s characters (it has %(length)s).")
            % {"max": TITLE_MAX, "length": len(title)},
        )
    if not description:
        add_error(errors, "description", _("is required."))
    elif len(description) > TEXT_MAX:
        add_error(errors, "description", _("must be at most %(max)s characters.") % {"max": TEXT_MAX})
    if severity not in Severity.values:
        add_error(
            errors, "severity", _("must be one of %(values)s.") % {"values": ", ".join(Severity.values)}
        )
    if issue_type:
        if workload != Workload.AZURE:
            add_error(errors, "issue_type", _("is only for Azure requests."))
        elif issue_type not in IssueType.values:
            add_error(
                errors,
                "issue_type",
                _("must be one of %(values)s.") % {"values": ", ".join(IssueType.values)},
            )
    if support_plan and support_plan not in SupportPlan.values:
        add_error(
            errors,
            "support_plan",
            _("must be one of %(values)s.") % {"values": ", ".join(SupportPlan.values)},
        )
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            add_error(errors, "contact_email", _("is not a valid e-mail address."))
    topic = None
    if support_topic_id not in (None, ""):
        try:
            topic = support_topic_get(int(support_topic_id))
        except (TypeError, ValueError, OverflowError):
            topic = None
        if topic is None:
            add_error(
                errors, "support_topic_id", _("no support topic has id %(id)s.") % {"id": support_topic_id}
            )
        elif workload in Workload.values and topic.workload != workload:
            add_error(
                errors,
                "support_topic_id",
                _("topic %(id)s (%(name)s) is for %(topic_workload)s, not %(workload)s.")
                % {
                    "id": topic.pk,
                    "name": topic.name,
                    "topic_workload": topic.workload,
                    "workload": workload,
                },
            )
    return errors, topic


_DECIDED_CUSTOMER_FIELDS = ("id", "name", "cloud", "country", "default_domain")


def _decided_customer(decision) -> Customer:
    """The customer the eligibility decision read, as a model instance (its other fields deferred):
    the new request needs its id, name and country, not a second read of it."""
    facts = decision.customer
    return Customer.from_db(
        "default", _DECIDED_CUSTOMER_FIELDS, [getattr(facts, f) for f in _DECIDED_CUSTOMER_FIELDS]
    )


def _subscription_for(*, customer_id, subscription_id) -> Subscription | None:
    """The customer's subscription by its id or its Azure subscription id; None when absent."""
    if subscription_id in (None, "") or customer_id is None:
        return None
    qs = Subscription.objects.filter(customer_id=customer_id)
    for field in ("pk", "azure_subscription_id"):
        try:
            found = qs.filter(**{field: subscription_id}).first()
        except (ValidationError, ValueError):
            found = None
        if found is not None:
            return found
    return None


def eligibility_request_build(
    *,
    actor: User,
    customer_id,
    workload: str,
    subscription_id=None,
    issue_type: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    severity: str = "",
    support_plan: str = "",
    support_entitlement_id: str = "",
) -> EligibilityRequest:
    """The eligibility request of a filing by ``actor``, with the filing defaults applied.

    Empty values take the defaults: the contact e-mail and phone are the actor's, the severity
    ``minimal``; Azure's issue type is ``technical`` and its support plan Cloud Solution Provider;
    a request about the partner's own subscription (``customer_id`` None) uses the partner's
    support entitlement plan. Pure: no database access.
    """
    contact_email = (contact_email or "").strip() or actor.email
    contact_phone = (contact_phone or "").strip() or actor.phone
    if workload == Workload.AZURE:
        issue_type = issue_type or IssueType.TECHNICAL
        support_plan = support_plan or SupportPlan.CLOUD_SOLUTION_PROVIDER
    if customer_id is None:
        support_plan = support_plan or SupportPlan.PARTNER_ENTITLEMENT
    return EligibilityRequest(
        user_id=actor.pk,
        customer_id=customer_id,
        workload=workload,
        subscription_id=subscription_id or None,
        issue_type=issue_type or "",
        contact_email=contact_email,
        contact_phone=contact_phone,
        severity=severity or Severity.MINIMAL,
        support_plan=support_plan or "",
        support_entitlement_id=support_entitlement_id or "",
    )


def service_request_eligibility_check(
    *,
    actor: User,
    eligibility_request: EligibilityRequest,
    customer: Customer | None = None,
    record_refusal: bool = False,
) -> Decision:
    """Ask the eligibility engine (RULES.md) whether ``eligibility_request`` may be filed by ``actor``.

    Returns the allowed decision. Raises ``eligibility.CustomerNotVisible`` (a 404) for a customer
    the actor's partner cannot see; :class:`MarketplaceNotSupported` for a marketplace product
    (SR-MARKETPLACE-ISV); :class:`EligibilityDenied` when any other rule failed. Both refusals
    carry the decision. ``customer``: the request's customer when the caller already read it for
    ``actor`` (``customers.selectors.customer_get``); a partner user's customer is then not read
    again. ``record_refusal``: write the refusal on the audit trail (``servicerequest.filing_denied``,
    in its own transaction) before raising it. Reads at most five queries (``evaluate``); writes
    nothing else.
    """
    known = customer if customer is not None and sees_customers_through_partner(actor) else None
    decision = evaluate(eligibility_request, customer=known)
    workload = eligibility_request.workload
    marketplace = (
        workload == Workload.MARKETPLACE or MarketplaceNotSupported.rule_id in decision.failed_rule_ids
    )
    if record_refusal and (marketplace or not decision.allowed):
        audit_filing_denied(
            actor=actor, customer_id=eligibility_request.customer_id, workload=workload, decision=decision
        )
    if marketplace:
        raise MarketplaceNotSupported(decision)
    if not decision.allowed:
        raise EligibilityDenied(decision)
    return decision


def service_request_file(
    *,
    actor: User,
    customer_id,
    workload: str,
    title: str,
    description: str,
    severity: str,
    customer: Customer | None = None,
    support_topic_id=None,
    contact_first_name: str = "",
    contact_last_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    subscription_id=None,
    issue_type: str = "",
    support_plan: str = "",
    support_entitlement_id: str = "",
    routing_context_digest: str = "",
    support_language: str = "",
) -> ServiceRequest:
    """File a service request on behalf of a customer (or, with ``customer_id`` None, about the partner's own
    subscription) and hand it to its workload portal.

    ``customer``: the customer object, when the caller has already loaded ``customer_id``'s for
    ``actor`` (it is handed to the eligibility check and used for the new request's relation and
    country). Otherwise the customer the eligibility decision read is used: either way the
    customer is read once.

    Contract:
    - Bad fields raise ``ValidationError({field: [reason, ...]})`` before anything else.
    - The eligibility check (:func:`service_request_eligibility_check`) then decides (RULES.md).
      A customer the actor's partner cannot see raises ``eligibility.CustomerNotVisible`` (a 404).
      A marketplace product raises :class:`MarketplaceNotSupported`
      (SR-MARKETPLACE-ISV); any other failed rule :class:`EligibilityDenied`.
      Nothing is written in any of these cases but the refusal's audit event
      ``servicerequest.filing_denied`` (in its own transaction).
    - Allowed: in one transaction, the request (status ``none``, the decision as
      its eligibility snapshot, the portal, the customer's country, the contact
      defaulting to the actor's name, e-mail and phone), an audit event
      ``servicerequest.filed`` and a pending ``Dispatch`` row (the outbox of what
      follows: the portal ticket and the filer's ``filed`` notification, recorded
      by ``portals.dispatch.dispatch_deliver``).

    ``support_language``: the preferred support language (:func:`support_language_for`).

    ``routing_context_digest`` (a browser filing from a portal, ``servicerequests.routing``) is
    recorded with the request; a second filing with the same digest raises ``IntegrityError`` and
    writes nothing, so one routing context files one request.

    Side effects after commit: with ``DISPATCH_RELAY`` none (the dispatch relay, woken by the
    dispatch table's NOTIFY, delivers it); otherwise the ``servicerequests.dispatch`` task is
    enqueued. If the relay or the broker is down the request stays filed and its dispatch pending;
    the dispatch sweeper sends it later.
    """
    title = (title or "").strip()
    description = (description or "").strip()
    support_language = support_language_for(actor=actor, requested=support_language)
    eligibility_request = eligibility_request_build(
        actor=actor,
        customer_id=customer_id,
        workload=workload,
        subscription_id=subscription_id,
        issue_type=issue_type,
        contact_email=contact_email,
        contact_phone=contact_phone,
        severity=severity,
        support_plan=support_plan,
        support_entitlement_id=support_entitlement_id,
    )
    errors, topic = _validate_filing(
        workload=workload,
        title=title,
        description=description,
        severity=severity,
        support_topic_id=support_topic_id,
        contact_email=eligibility_request.contact_email,
        issue_type=eligibility_request.issue_type,
        support_plan=eligibility_request.support_plan,
    )
    if errors:
        raise ValidationError(errors)
    decision = service_request_eligibility_check(
        actor=actor, eligibility_request=eligibility_request, customer=customer, record_refusal=True
    )

    if customer_id is None:
        customer = None
    elif customer is None or str(customer.pk) != str(customer_id):
        customer = _decided_customer(decision)
    subscription = _subscription_for(customer_id=customer_id, subscription_id=subscription_id)
    if subscription_id not in (None, "") and subscription is None:
        raise ValidationError(
            {"subscription_id": [_("no subscription %(id)s of this customer.") % {"id": subscription_id}]}
        )
    entitlement = None
    if support_entitlement_id:
        entitlement = SupportEntitlement.objects.filter(
            partner_id=actor.partner_id, entitlement_id=support_entitlement_id
        ).first()
        if entitlement is None:
            raise ValidationError(
                {
                    "support_entitlement_id": [
                        _("the partner has no support entitlement %(id)s.") % {"id": support_entitlement_id}
                    ]
                }
            )

    now = timezone.now()
    # No savepoint inside a caller's transaction (the API's idempotent POST, which answers an error
    # by rolling its whole transaction back): a database error here fails that transaction too.
    with transaction.atomic(savepoint=False):
        service_request = ServiceRequest.objects.create(
            partner_id=actor.partner_id,
            customer=customer,
            workload=workload,
            subscription=subscription,
            issue_type=eligibility_request.issue_type if workload == Workload.AZURE else "",
            title=title,
            description=description,
            severity=severity,
            status=Status.NONE,
            support_topic=topic,
            support_plan=eligibility_request.support_plan,
            support_entitlement=entitlement,
            contact_first_name=(contact_first_name or "").strip() or actor.first_name,
            contact_last_name=(contact_last_name or "").strip() or actor.last_name,
            contact_email=eligibility_request.contact_email,
            contact_phone=eligibility_request.contact_phone,
            country_code=customer.country if customer else "",
            support_language=support_language,
            created_by=actor,
            portal=decision.portal.portal,
            eligibility=decision.as_record(),
            created_at=now,
            updated_at=now,
        )
        if routing_context_digest:
            # A second submit of the same routing context fails here and files nothing.
            RoutingContextUse.objects.create(digest=routing_context_digest, service_request=service_request)
        dispatch = Dispatch.objects.create(
            request=service_request,
            portal=service_request.portal,
            created_at=now,
            updated_at=now,
            next_attempt_at=now,
        )
        audit_event = audit_event_record(
            action="servicerequest.filed",
            actor=actor,
            customer_id=customer_id,
            obj=service_request,
            after={field: getattr(service_request, field) for field in FILED_FIELDS},
        )
        if decision.partner is None or decision.partner.has_webhook_registrations:
            # The decision read whether the partner has registrations: none, no lookup.
            webhook_event_emit(
                event_name=EventName.SERVICE_REQUEST_CREATED, obj=service_request, audit_event=audit_event
            )
        # With the relay, nothing is published: the dispatch table's trigger wakes the relay at commit
        # (``portals.relay``). Without it, one message per filing. Either way the delivery records
        # the filer's notification.
        if not settings.DISPATCH_RELAY:
            transaction.on_commit(lambda: enqueue(DISPATCH_TASK, dispatch.pk), robust=True)
    return service_request
