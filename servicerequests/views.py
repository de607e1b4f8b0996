"""Browser pages of the servicerequests app: the partner-wide list, a request's page, New request,
and a request about the partner's own subscription.

Views are thin: they parse a form, read through the selectors, ask the
eligibility engine or call a service, and render. Another partner's customer
or request is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.selectors import audit_events_for_object
from audit.services import audit_permission_denied
from core.pages import query_string_without
from customers.choices import Workload
from customers.selectors import customer_list, service_health_issues
from customers.shortcuts import customer_or_404

from .attachment_views import attachment_section
from .choices import SupportPlan
from .eligibility import CustomerNotVisible, Outcome
from .eligibility.tables import PC_ROLE_LIMITS
from .exceptions import EligibilityDenied, FilingError, MarketplaceNotSupported
from .filters import ServiceRequestListPageFilterSet
from .forms import (
    CustomerPickForm,
    NewRequestForm,
    NoteForm,
    OwnSubscriptionRequestForm,
    WorkloadChoiceForm,
    rule_failures_as_field_errors,
    validation_error_to_form,
)
from .handoffs.offer import handoff_offer_context
from .handoffs.services import RULE_ID as HANDOFF_RULE
from .health import health_access
from .models import ServiceRequest
from .permissions import may_file_requests
from .remedies import refusal_steps
from .routing import portal_redirect_url, routing_context_issue
from .selectors import service_request_list
from .services import (
    eligibility_request_build,
    service_request_add_note,
    service_request_eligibility_check,
    service_request_file,
    service_request_write_refusal,
)
from .services.common import ASSIGNED_ONLY_REFUSAL

PAGE_SIZE = 25
FILING_ROLE_RULE = "SR-PC-ROLE-ADMIN-AGENT"
DENIED_HEADING = gettext_lazy("This request can't be filed")


def outcome_rows(outcomes) -> list[dict[str, str]]:
    """Rule outcomes as template rows, from ``Outcome`` objects or a stored eligibility snapshot's dicts
    (``Decision.as_record``: rendered again in the active language)."""
    rows = []
    for o in outcomes or ():
        if isinstance(o, dict):
            o = Outcome.from_record(o)
        rows.append({"rule_id": o.rule_id, "outcome": o.outcome, "message": o.message, "remedy": o.remedy})
    return rows


def render_denied(request, decision, *, customer=None, heading=DENIED_HEADING, extra=None):
    """A refused request, with HTTP 403: each failed rule's fix first, with the action that leads
    to it (``remedies``), then every rule checked, folded; ``extra``: more context (the hand-off
    offer of SR-AZURE-NONTECH-PROVIDER-ONLY)."""
    return render(
        request,
        "servicerequests/denied.html",
        {
            "customer": customer,
            "heading": heading,
            "steps": refusal_steps(decision, customer=customer),
            "outcomes": outcome_rows(decision.outcomes),
            "failed_rule_ids": decision.failed_rule_ids,
            **(extra or {}),
        },
        status=403,
    )


def render_marketplace(request, decision, *, customer=None):
    """SR-MARKETPLACE-ISV: the ISV's support contacts; no ticket is created."""
    return render(
        request,
        "servicerequests/marketplace.html",
        {
            "customer": customer,
            "isv": decision.isv_contact or {},
            "outcomes": outcome_rows(decision.outcomes),
        },
    )


def filing_error_response(
    request, exc, *, form=None, customer=None, heading: str = DENIED_HEADING, extra=None
):
    """The browser's one answer to an error of the filing pipeline (``services.filing``).

    - ``CustomerNotVisible``: 404.
    - ``ValidationError``: its messages go onto ``form``; returns None (show the form again).
    - ``MarketplaceNotSupported``: the ISV's support contacts.
    - ``EligibilityDenied``: each failed rule that one field of ``form`` fixes goes next to that
      field (returns None), otherwise the rule table with 403 under ``heading``.
    """
    if isinstance(exc, CustomerNotVisible):
        raise Http404("No such customer.") from exc
    if isinstance(exc, ValidationError):
        validation_error_to_form(form, exc)
        return None
    if isinstance(exc, MarketplaceNotSupported):
        return render_marketplace(request, exc.decision, customer=customer)
    if isinstance(exc, EligibilityDenied):
        if form is not None and rule_failures_as_field_errors(form, exc.decision):
            return None
        return render_denied(request, exc.decision, customer=customer, heading=heading, extra=extra)
    raise exc


def _role_denied(request, customer=None):
    """SR-PC-ROLE-ADMIN-AGENT explained to a user who may view but not file (HTTP 403)."""
    limits = [PC_ROLE_LIMITS[code] for code in sorted(request.user.role_codes) if code in PC_ROLE_LIMITS]
    audit_permission_denied(
        request=request, reason=f"{FILING_ROLE_RULE}: filing needs the admin_agent role", surface="browser"
    )
    return render(
        request,
        "servicerequests/role_denied.html",
        {"customer": customer, "rule_id": FILING_ROLE_RULE, "limits": limits},
        status=403,
    )


@login_required
def service_request_list_view(request):
    """The partner's service requests, filtered by status, severity, workload, customer and creator."""
    filterset = ServiceRequestListPageFilterSet(
        request.GET or None, queryset=service_request_list(actor=request.user), request=request
    )
    form = filterset.form
    requests = filterset.qs.select_related("customer", "created_by", "portal_ticket").order_by(
        "-created_at", "-id"
    )
    # An invalid filter (say, an unknown customer id) is named next to its field, with 400 and no rows,
    # rather than silently listing everything as if it had been applied.
    status = 400 if filterset.is_bound and not filterset.is_valid() else 200
    if status == 400:
        requests = requests.none()
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "servicerequests/request_list.html",
        {"form": form, "page_obj": page, "query_string": query_string_without(request, "page")},
        status=status,
    )


def _request_or_404(user, request_id) -> ServiceRequest:
    try:
        return (
            service_request_list(actor=user)
            .select_related(
                "customer",
                "created_by",
                "assigned_to",
                "support_topic",
                "subscription",
                "support_entitlement",
                "dispatch",
                "portal_ticket",
                "handoff__reseller",
            )
            .get(pk=request_id)
        )
    except ServiceRequest.DoesNotExist as exc:
        raise Http404("No such service request.") from exc


def _detail_context(request, service_request, note_form=None) -> dict:
    write_refusal = service_request_write_refusal(request.user, service_request)
    can_write = not write_refusal
    return {
        "sr": service_request,
        "notes": service_request.notes.select_related("created_by").order_by("created_at", "id"),
        "outcomes": outcome_rows((service_request.eligibility or {}).get("outcomes")),
        "dispatch": getattr(service_request, "dispatch", None),
        "ticket": getattr(service_request, "portal_ticket", None),
        "can_write": can_write,
        "assigned_only": write_refusal == ASSIGNED_ONLY_REFUSAL,
        "note_form": note_form or (NoteForm() if can_write else None),
        "history": audit_events_for_object(
            actor=request.user, object_type="servicerequests.ServiceRequest", object_id=service_request.pk
        ),
        **attachment_section(request.user, service_request),
    }


@login_required
def service_request_detail(request, request_id):
    """One request: details, SLA, portal ticket, dispatch state, notes, eligibility at filing time."""
    service_request = _request_or_404(request.user, request_id)
    return render(request, "servicerequests/request_detail.html", _detail_context(request, service_request))


@login_required
@require_POST
def service_request_note_add(request, request_id):
    """Add a note (admin agent, helpdesk agent, support manager); a sales agent gets 403 (SR-VIEW)."""
    service_request = _request_or_404(request.user, request_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            service_request_add_note(
                actor=request.user,
                service_request=service_request,
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            validation_error_to_form(form, exc)
        else:
            messages.success(request, _("Your note was added."))
            return redirect(reverse("servicerequests:detail", args=[service_request.pk]) + "#notes")
    context = _detail_context(request, service_request, note_form=form)
    return render(request, "servicerequests/request_detail.html", context, status=400)


#: At most this many customers match a search on the customer picker.
PICKER_RESULTS = 20


@login_required
def service_request_new_pick(request):
    """New request from Service requests: pick the customer (type-ahead over the partner's
    customers), then the workload; then the customer's New request page with its service health.

    GET ``?q=`` searches by name or domain prefix (an HTMX request answers the results only);
    ``?customer=&workload=`` both valid → 302 to ``servicerequests:new``.
    """
    if not may_file_requests(request.user):
        return _role_denied(request)
    # Continue (not Search, not the type-ahead) submits the choice; a search keeps the workload.
    choosing = not request.htmx and "search" not in request.GET
    choosing = choosing and ("customer" in request.GET or "workload" in request.GET)
    form = CustomerPickForm(
        request.GET if choosing else None,
        initial={"workload": request.GET.get("workload", "")},
        actor=request.user,
    )
    if form.is_bound and form.is_valid():
        url = reverse("servicerequests:new", args=[form.cleaned_data["customer"].pk])
        return redirect(f"{url}?{urlencode({'workload': form.cleaned_data['workload']})}")
    query = request.GET.get("q", "")
    customers = list(customer_list(actor=request.user, search=query)[: PICKER_RESULTS + 1])
    context = {
        "form": form,
        "query": query,
        "customers": customers[:PICKER_RESULTS],
        "more": len(customers) > PICKER_RESULTS,
        "chosen": request.GET.get("customer", ""),
    }
    if request.htmx and request.htmx.target == "customer-results":
        return render(request, "servicerequests/_customer_results.html", context)
    return render(request, "servicerequests/new_pick.html", context, status=400 if form.errors else 200)


@login_required
def service_request_new(request, customer_id):
    """New request for a customer: pick the workload, see its service health first, then submit.

    GET ``?workload=`` shows the health panel (HEALTH-BEFORE-ESCALATION) and the
    workload's details; POST asks the eligibility engine: denied → rule table
    (403), marketplace → the ISV's contacts, allowed → 302 to the stub portal
    with a signed routing context.
    """
    customer = customer_or_404(request.user, customer_id)
    if not may_file_requests(request.user):
        return _role_denied(request, customer)
    workload = request.POST.get("workload") if request.method == "POST" else request.GET.get("workload")
    choice = WorkloadChoiceForm({"workload": workload} if workload else None)
    workload = choice.cleaned_data["workload"] if choice.is_valid() else ""
    form = None
    if workload:
        form = NewRequestForm(
            request.POST if request.method == "POST" else None, customer=customer, workload=workload
        )
    if request.method == "POST" and form is not None and form.is_valid():
        response = _new_request_submit(request, customer, form.cleaned_data)
        if response is not None:
            return response
    access = health_access(user=request.user, customer=customer)
    issues = []
    if workload and access.allowed:
        issues = list(service_health_issues(customer=customer, workload=workload))
    template = (
        "servicerequests/_new_request_details.html" if request.htmx else "servicerequests/new_request.html"
    )
    return render(
        request,
        template,
        {
            "customer": customer,
            "choice": choice,
            "workload": workload,
            "workload_name": Workload(workload).label if workload else "",
            "form": form,
            "access": access,
            "issues": issues,
        },
        status=400 if request.method == "POST" else 200,
    )


def _new_request_submit(request, customer, data):
    """The routing step: the eligibility check (its refusal recorded, except for a marketplace
    product, which is answered with the ISV's contacts), then 302 to the stub portal with a signed
    routing context."""
    subscription = data.get("subscription")
    eligibility_request = eligibility_request_build(
        actor=request.user,
        customer_id=customer.pk,
        workload=data["workload"],
        subscription_id=subscription.pk if subscription else None,
        issue_type=data.get("issue_type", ""),
    )
    try:
        decision = service_request_eligibility_check(
            actor=request.user,
            eligibility_request=eligibility_request,
            customer=customer,
            record_refusal=data["workload"] != Workload.MARKETPLACE,
        )
    except FilingError as exc:
        extra = None
        if isinstance(exc, EligibilityDenied) and HANDOFF_RULE in exc.decision.failed_rule_ids:
            extra = handoff_offer_context(request.user, customer, eligibility_request)
        return filing_error_response(request, exc, customer=customer, extra=extra)
    token = routing_context_issue(user=request.user, request=eligibility_request)
    return redirect(portal_redirect_url(decision, token))


@login_required
def service_request_new_own(request):
    """A request about the partner's own subscription: needs a valid support entitlement
    (SR-OWN-SUBSCRIPTION-ENTITLEMENT); filed in the partner's own context, never a customer's."""
    user = request.user
    if user.partner_id is None:
        raise Http404("Only partner users file requests about their own subscriptions.")
    now = timezone.now()
    entitlements = list(user.partner.support_entitlements.order_by("entitlement_id"))
    has_valid = any(e.is_valid(now) for e in entitlements)
    form = OwnSubscriptionRequestForm(
        request.POST or None,
        entitlements=entitlements,
        now=now,
        initial=OwnSubscriptionRequestForm.initial_contact(user),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                service_request = service_request_file(
                    actor=user,
                    customer_id=None,
                    workload=data["workload"],
                    title=data["title"],
                    description=data["description"],
                    severity=data["severity"],
                    contact_first_name=data["contact_first_name"],
                    contact_last_name=data["contact_last_name"],
                    contact_email=data["contact_email"],
                    contact_phone=data["contact_phone"],
                    support_entitlement_id=data["support_entitlement_id"],
                    support_plan=SupportPlan.PARTNER_ENTITLEMENT,
                )
            except (ValidationError, FilingError) as exc:
                response = filing_error_response(request, exc, form=form)
                if response is not None:
                    return response
            else:
                messages.success(
                    request,
                    _("Service request %(id)s was filed; the portal's engineers take it from here.")
                    % {"id": service_request.pk},
                )
                return redirect("servicerequests:detail", request_id=service_request.pk)
    return render(
        request,
        "servicerequests/new_own_request.html",
        {"form": form, "entitlements": entitlements, "has_valid_entitlement": has_valid, "now": now},
        status=status,
    )
