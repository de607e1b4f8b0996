"""Browser pages of hand-offs: ask the provider (from the refusal page), the list of both sides,
one hand-off with its notes, the provider's one-click filing and its decline.

Thin views: a form, a selector (another partner's hand-off is a 404), one service, a redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.shortcuts import customer_or_404
from partners.choices import PartnerCenterRole

from ..exceptions import FilingError
from ..forms import validation_error_to_form
from ..sla import sla_state
from ..views import filing_error_response
from .forms import HandoffDeclineForm, HandoffFileForm, HandoffForm, HandoffNoteForm
from .models import HandoffStatus, ServiceRequestHandoff
from .selectors import handoff_list, handoff_with_relations
from .services import (
    DECIDE_ROLES,
    _handoff_description,
    handoff_accept,
    handoff_add_note,
    handoff_create,
    handoff_decline,
    handoff_may_note,
    handoff_offer,
)


def handoff_sla(handoff: ServiceRequestHandoff, now):
    """The provider's response clock: stopped when it filed or declined."""
    return sla_state(due_at=handoff.due_at, at=now, stopped_at=handoff.decided_at)


def _handoff_or_404(request, handoff_id) -> ServiceRequestHandoff:
    try:
        return handoff_with_relations(handoff_list(actor=request.user)).get(pk=handoff_id)
    except (ServiceRequestHandoff.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such hand-off.") from None


@login_required
@require_POST
def handoff_new(request, customer_id):
    """POST from the refusal page: create the hand-off, then its page; bad input shows the form
    again (400); a request the rule does not refuse is 403."""
    customer = customer_or_404(request.user, customer_id)
    form = HandoffForm(request.POST)
    offer = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            handoff = handoff_create(
                actor=request.user,
                customer_id=customer.pk,
                subscription_id=data["subscription_id"],
                issue_type=data["issue_type"],
                title=data["title"],
                description=data["description"],
                severity=data["severity"],
                contact_first_name=data["contact_first_name"],
                contact_last_name=data["contact_last_name"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
            )
        except ValidationError as exc:
            validation_error_to_form(form, exc)
        else:
            messages.success(
                request,
                _("%(provider)s was asked to file this request.") % {"provider": handoff.provider.name},
            )
            return redirect("servicerequests:handoff_detail", handoff_id=handoff.pk)
    offer = handoff_offer(
        actor=request.user,
        customer_id=customer.pk,
        subscription_id=form.data.get("subscription_id"),
        issue_type=form.data.get("issue_type", ""),
    )
    if offer is None:
        raise PermissionDenied(
            _("%(rule)s does not refuse this request to you.") % {"rule": "SR-AZURE-NONTECH-PROVIDER-ONLY"}
        )
    return render(
        request,
        "servicerequests/handoff_new.html",
        {"customer": customer, "handoff_offer": offer, "handoff_form": form},
        status=400,
    )


@login_required
def handoff_list_view(request):
    """The hand-offs the partner sent to its provider and those its resellers sent it."""
    user = request.user
    rows = list(
        handoff_list(actor=user)
        .select_related("reseller", "provider", "customer", "service_request")
        .order_by("-created_at", "-id")[:200]
    )
    now = timezone.now()
    sent = [(h, handoff_sla(h, now)) for h in rows if h.reseller_id == user.partner_id]
    received = [(h, handoff_sla(h, now)) for h in rows if h.provider_id == user.partner_id]
    return render(request, "servicerequests/handoff_list.html", {"sent": sent, "received": received})


def _detail_context(request, handoff, **forms) -> dict:
    user = request.user
    is_provider = user.partner_id == handoff.provider_id
    pending = handoff.status == HandoffStatus.PENDING
    may_file = is_provider and pending and PartnerCenterRole.ADMIN_AGENT in user.role_codes
    may_decline = is_provider and pending and bool(user.role_codes.intersection(DECIDE_ROLES))
    may_note = handoff_may_note(user, handoff)
    file_form = forms.get("file_form")
    if may_file and file_form is None:
        file_form = HandoffFileForm(
            initial={
                "title": handoff.title,
                "description": _handoff_description(handoff),
                "severity": handoff.severity,
            }
        )
    try:
        queue_url = reverse("queue_handoffs") if is_provider else ""
    except NoReverseMatch:
        queue_url = ""
    return {
        "handoff": handoff,
        "is_provider": is_provider,
        "handoff_queue_url": queue_url,
        "sla": handoff_sla(handoff, timezone.now()),
        "sr": handoff.service_request,
        "ticket": getattr(handoff.service_request, "portal_ticket", None)
        if handoff.service_request
        else None,
        "notes": handoff.notes.select_related("partner").order_by("created_at", "id"),
        "file_form": file_form if may_file else None,
        "decline_form": (forms.get("decline_form") or HandoffDeclineForm()) if may_decline else None,
        "note_form": (forms.get("note_form") or HandoffNoteForm()) if may_note else None,
    }


@login_required
def handoff_detail(request, handoff_id):
    """One hand-off: what was asked, its status and clock, the filed request and its status, notes."""
    handoff = _handoff_or_404(request, handoff_id)
    return render(request, "servicerequests/handoff_detail.html", _detail_context(request, handoff))


@login_required
@require_POST
def handoff_file(request, handoff_id):
    """The provider's admin agent files the hand-off through the filing pipeline."""
    handoff = _handoff_or_404(request, handoff_id)
    form = HandoffFileForm(request.POST)
    if form.is_valid():
        try:
            handoff = handoff_accept(actor=request.user, handoff=handoff, **form.cleaned_data)
        except (ValidationError, FilingError) as exc:
            response = filing_error_response(request, exc, form=form, customer=handoff.customer)
            if response is not None:
                return response
        else:
            messages.success(
                request, _("Filed as service request %(id)s.") % {"id": handoff.service_request_id}
            )
            return redirect("servicerequests:handoff_detail", handoff_id=handoff.pk)
    context = _detail_context(request, handoff, file_form=form)
    return render(request, "servicerequests/handoff_detail.html", context, status=400)


@login_required
@require_POST
def handoff_decline_view(request, handoff_id):
    """The provider declines the hand-off with a reason."""
    handoff = _handoff_or_404(request, handoff_id)
    form = HandoffDeclineForm(request.POST)
    if form.is_valid():
        try:
            handoff_decline(actor=request.user, handoff=handoff, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            validation_error_to_form(form, exc)
        else:
            messages.success(request, _("The hand-off was declined; the reseller sees your reason."))
            return redirect("servicerequests:handoff_detail", handoff_id=handoff.pk)
    context = _detail_context(request, handoff, decline_form=form)
    return render(request, "servicerequests/handoff_detail.html", context, status=400)


@login_required
@require_POST
def handoff_note_add(request, handoff_id):
    """Either side adds a note."""
    handoff = _handoff_or_404(request, handoff_id)
    form = HandoffNoteForm(request.POST)
    if form.is_valid():
        try:
            handoff_add_note(actor=request.user, handoff=handoff, text=form.cleaned_data["text"])
        except ValidationError as exc:
            validation_error_to_form(form, exc)
        else:
            messages.success(request, _("Your note was added."))
            return redirect(reverse("servicerequests:handoff_detail", args=[handoff.pk]) + "#notes")
    context = _detail_context(request, handoff, note_form=form)
    return render(request, "servicerequests/handoff_detail.html", context, status=400)
