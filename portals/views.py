"""The stub workload portals: Azure portal, Microsoft 365 admin center (also EMS), Power Platform
admin center.

Each page runs in one customer's tenant on behalf of the signed-in partner.
The New support request pages need the signed routing context (``?ctx=``)
issued by the partner portal after an allowed eligibility decision; every
submit reads it again and files through ``service_request_file``, which
evaluates eligibility once more. Lists and ticket pages read through
selectors scoped to the partner, so another partner's customer or ticket is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from customers.models import Customer, Subscription
from customers.shortcuts import customer_or_404
from servicerequests.attachment_views import attachment_section
from servicerequests.choices import DispatchStatus, SupportPlan
from servicerequests.eligibility.tables import PORTAL_FOR_WORKLOAD, PORTALS
from servicerequests.exceptions import AttachmentRefused, FilingError
from servicerequests.files.rules import ACCEPT as ATTACH_ACCEPT
from servicerequests.models import AttachmentSource, ServiceRequest, SupportTopic
from servicerequests.routing import (
    RoutingContextInvalid,
    routing_context_digest,
    routing_context_filed,
    routing_context_read,
)
from servicerequests.services import (
    eligibility_request_build,
    service_request_eligibility_check,
    service_request_file,
)
from servicerequests.services.attachments import IncomingFile, attachments_add, attachments_check
from servicerequests.services.filing import support_language_for
from servicerequests.views import filing_error_response

from .forms import SUPPORT_PLAN_LABEL, AdminCenterSupportForm, AzureSupportRequestForm
from .selectors import portal_request_get, portal_ticket_list

PAGE_SIZE = 25


@dataclass(frozen=True)
class PortalPage:
    """How one stub portal presents itself (its own look, names and the workload it files by default)."""

    body_class: str
    brand: str | Promise
    government_brand: str | Promise
    new_label: str | Promise
    list_name: str | Promise  # the tickets page, as servicerequests.eligibility.tables.PORTALS names it
    default_workload: str


PORTAL_PAGES: dict[str, PortalPage] = {
    "azure": PortalPage(
        body_class="workload-portal portal-azure",
        brand="Microsoft Azure",
        government_brand="Microsoft Azure Government",
        new_label=gettext_lazy("New support request"),
        list_name=gettext_lazy("Manage support requests"),
        default_workload="azure",
    ),
    "m365": PortalPage(
        body_class="workload-portal portal-m365",
        brand=gettext_lazy("Microsoft 365 admin center"),
        government_brand=gettext_lazy("Microsoft 365 admin center (US Government)"),
        new_label=gettext_lazy("New service request"),
        list_name=gettext_lazy("View all support tickets"),
        default_workload="m365",
    ),
    "dynamics": PortalPage(
        body_class="workload-portal portal-dynamics",
        brand=gettext_lazy("Power Platform admin center"),
        government_brand=gettext_lazy("Power Platform admin center (US Government)"),
        new_label=gettext_lazy("New support request"),
        list_name=gettext_lazy("See all support requests"),
        default_workload="dynamics",
    ),
}

AZURE_STEPS = (
    gettext_lazy("Problem description"),
    gettext_lazy("Additional details"),
    gettext_lazy("Support method"),
    gettext_lazy("Contact information"),
)
REVIEW_STEP = pgettext_lazy("Azure portal step", "Review + create")


def _portal_or_404(portal: str) -> PortalPage:
    page = PORTAL_PAGES.get(portal)
    if page is None:
        raise Http404(_("No such portal."))
    return page


def _portal_context(request, portal: str, customer: Customer | None) -> dict:
    page = PORTAL_PAGES[portal]
    spec = PORTALS[portal]
    cloud = customer.cloud if customer is not None else "commercial"
    government = cloud == "us_government"
    return {
        "portal": portal,
        "portal_page": page,
        "portal_brand": page.government_brand if government else page.brand,
        "portal_list_name": page.list_name,
        "portal_host": spec.hosts.get(cloud) or spec.hosts["commercial"],
        "government": government,
        "customer": customer,
        "acting_partner": request.user.partner,
        "attach_accept": ATTACH_ACCEPT,
    }


def _context_error(request, portal: str, message: str, status: int = 400):
    context = _portal_context(request, portal, None)
    context["message"] = message
    return render(request, "portals/context_error.html", context, status=status)


@login_required
def portal_home(request, portal, customer_id):
    """The portal's home in a customer tenant: how to file and where the tickets are."""
    _portal_or_404(portal)
    customer = customer_or_404(request.user, customer_id)
    context = _portal_context(request, portal, customer)
    context["recent"] = portal_ticket_list(actor=request.user, portal=portal, customer_id=customer.pk)[:5]
    context["new_request_url"] = (
        reverse("servicerequests:new", args=[customer.pk])
        + f"?workload={PORTAL_PAGES[portal].default_workload}"
    )
    return render(request, "portals/home.html", context)


@login_required
def portal_tickets(request, portal, customer_id):
    """ "Manage support requests" / "View all support tickets": this tenant's tickets filed by the partner."""
    _portal_or_404(portal)
    customer = customer_or_404(request.user, customer_id)
    tickets = portal_ticket_list(actor=request.user, portal=portal, customer_id=customer.pk)
    context = _portal_context(request, portal, customer)
    context["page_obj"] = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    context["query_string"] = ""
    return render(request, "portals/ticket_list.html", context)


def _read_context(request, portal: str):
    """The routing context of this submit, its customer, or an error response."""
    token = request.POST.get("ctx") if request.method == "POST" else request.GET.get("ctx")
    if not token:
        return (
            None,
            None,
            _context_error(
                request,
                portal,
                _("This page needs a portal link from the partner portal: start from New request."),
            ),
        )
    try:
        ctx = routing_context_read(token, user=request.user)
    except RoutingContextInvalid as exc:
        return None, None, _context_error(request, portal, str(exc))
    if ctx.customer_id is None or PORTAL_FOR_WORKLOAD.get(ctx.workload) != portal:
        return (
            None,
            None,
            _context_error(request, portal, _("This portal link is for another portal or context.")),
        )
    customer = customer_or_404(request.user, ctx.customer_id)
    return ctx, customer, None


REFUSED_HEADING = gettext_lazy("The portal refused this request")


def _file(request, ctx, customer, form, *, issue_type: str = "", support_plan: str = ""):
    """File through the service; on success the redirect to the ticket page, else an error response or None
    (the form then carries the errors)."""
    data = form.cleaned_data
    already = routing_context_filed(ctx)
    if already is not None:
        return _already_filed(request, already, customer)
    files = [IncomingFile.from_upload(upload) for upload in request.FILES.getlist("file")]
    if files:
        try:
            attachments_check(files)  # before filing: a refused file files nothing
        except AttachmentRefused as exc:
            form.add_error(
                None, _("%(reason)s Nothing was submitted; choose the files again.") % {"reason": exc}
            )
            return None
    try:
        service_request = service_request_file(
            actor=request.user,
            customer_id=customer.pk,
            customer=customer,
            workload=ctx.workload,
            title=data["title"],
            description=data["description"],
            severity=data["severity"],
            support_topic_id=data.get("support_topic_id") or None,
            contact_first_name=data["contact_first_name"],
            contact_last_name=data["contact_last_name"],
            contact_email=data["contact_email"],
            contact_phone=data["contact_phone"],
            subscription_id=ctx.subscription_id,
            issue_type=issue_type,
            support_plan=support_plan,
            support_entitlement_id=ctx.support_entitlement_id,
            routing_context_digest=routing_context_digest(ctx.token),
            support_language=data.get("support_language") or "",
        )
    except (ValidationError, FilingError) as exc:
        return filing_error_response(request, exc, form=form, customer=customer, heading=REFUSED_HEADING)
    except IntegrityError:
        already = routing_context_filed(ctx)  # a concurrent submit of the same context won
        if already is None:
            raise
        return _already_filed(request, already, customer)
    if files:
        try:
            attachments_add(
                actor=request.user,
                service_request=service_request,
                files=files,
                source=AttachmentSource.PORTAL,
            )
        except (AttachmentRefused, PermissionDenied) as exc:
            messages.error(
                request,
                _("The request was filed, but its files were not attached: %(reason)s") % {"reason": exc},
            )
    return redirect(
        "portals:request",
        portal=service_request.portal,
        customer_id=customer.pk,
        request_id=service_request.pk,
    )


def _already_filed(request, service_request, customer):
    """A routing context files once: a second submit shows the request the first one filed."""
    messages.info(
        request,
        _("This request was already submitted as %(id)s; it was not filed a second time.")
        % {"id": service_request.pk},
    )
    return redirect(
        "portals:request",
        portal=service_request.portal,
        customer_id=customer.pk,
        request_id=service_request.pk,
    )


def _precheck(request, ctx, customer, form, *, issue_type: str, support_plan: str):
    """The review step: the eligibility check with the form's contact and severity.

    Returns None when allowed (or when every failure was put next to its field); otherwise the
    rule-table response.
    """
    data = form.cleaned_data
    fields = {**ctx.filing_fields(), "issue_type": issue_type}  # the form's issue type wins
    eligibility_request = eligibility_request_build(
        actor=request.user,
        **fields,
        contact_email=data["contact_email"],
        contact_phone=data["contact_phone"],
        severity=data["severity"],
        support_plan=support_plan,
    )
    try:
        service_request_eligibility_check(
            actor=request.user, eligibility_request=eligibility_request, customer=customer
        )
    except FilingError as exc:
        return filing_error_response(request, exc, form=form, customer=None, heading=REFUSED_HEADING)
    return None


@login_required
def portal_new(request, portal):
    """New support request in the customer's tenant (needs ``?ctx=``): Azure's steps or an admin center's
    form."""
    _portal_or_404(portal)
    ctx, customer, error = _read_context(request, portal)
    if error is not None:
        return error
    if portal == "azure":
        return _azure_new(request, ctx, customer)
    return _admin_center_new(request, portal, ctx, customer)


def _azure_new(request, ctx, customer):
    """Azure: one form with the four fieldsets, then Review + create (state travels in the form; no JS)."""
    initial = {
        **AzureSupportRequestForm.initial_contact(request.user),
        "issue_type": ctx.issue_type or "technical",
        "support_language": support_language_for(actor=request.user),
    }
    step = request.POST.get("step", "") if request.method == "POST" else ""
    form = AzureSupportRequestForm(request.POST if step else None, initial=initial)
    status = 200
    reviewing = False
    if step:
        status = 400
        if form.is_valid():
            issue_type = form.cleaned_data["issue_type"]
            plan = SupportPlan.CLOUD_SOLUTION_PROVIDER
            if step == "create":
                response = _file(request, ctx, customer, form, issue_type=issue_type, support_plan=plan)
                if response is not None:
                    return response
            elif step == "review":
                response = _precheck(request, ctx, customer, form, issue_type=issue_type, support_plan=plan)
                if response is not None:
                    return response
                reviewing = not form.errors
                status = 200 if reviewing else 400
            else:
                status = 200
    subscription = None
    if ctx.subscription_id:
        subscription = Subscription.objects.filter(customer=customer, pk=ctx.subscription_id).first()
    topic = None
    if reviewing and form.cleaned_data.get("support_topic_id"):
        topic = SupportTopic.objects.filter(pk=form.cleaned_data["support_topic_id"]).first()
    context = _portal_context(request, "azure", customer)
    context.update(
        {
            "form": form,
            "ctx_token": ctx.token,
            "subscription": subscription,
            "support_plan_label": SUPPORT_PLAN_LABEL,
            "reviewing": reviewing,
            "topic": topic,
            "steps": AZURE_STEPS + (REVIEW_STEP,),
            "current_step": REVIEW_STEP if reviewing else "",
        }
    )
    return render(request, "portals/azure_new.html", context, status=status)


def _admin_center_new(request, portal, ctx, customer):
    """Microsoft 365 / Power Platform admin center: choose a support category, fill the form, submit."""
    topics = list(SupportTopic.objects.filter(workload=ctx.workload).order_by("name"))
    category = (
        request.POST.get("support_topic_id") if request.method == "POST" else request.GET.get("category")
    )
    topic = next((t for t in topics if str(t.pk) == str(category)), None)
    context = _portal_context(request, portal, customer)
    context.update({"ctx_token": ctx.token, "topics": topics, "topic": topic})
    if topic is None:
        return render(request, "portals/admin_center_categories.html", context)
    initial = {
        **AdminCenterSupportForm.initial_contact(request.user),
        "support_topic_id": str(topic.pk),
        "support_language": support_language_for(actor=request.user),
    }
    form = AdminCenterSupportForm(request.POST or None, initial=initial, workload=ctx.workload)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            response = _file(request, ctx, customer, form)
            if response is not None:
                return response
    context["form"] = form
    return render(request, "portals/admin_center_new.html", context, status=status)


def _request_context(request, portal, customer_id, request_id) -> dict:
    _portal_or_404(portal)
    customer = customer_or_404(request.user, customer_id)
    try:
        service_request = portal_request_get(
            actor=request.user, portal=portal, customer_id=customer.pk, request_id=request_id
        )
    except ServiceRequest.DoesNotExist as exc:
        raise Http404(_("No such ticket.")) from exc
    dispatch = getattr(service_request, "dispatch", None)
    ticket = getattr(service_request, "portal_ticket", None)
    context = _portal_context(request, portal, customer)
    context.update(
        {
            "sr": service_request,
            "ticket": ticket,
            "dispatch": dispatch,
            "pending": ticket is None and (dispatch is None or dispatch.status == DispatchStatus.PENDING),
            "failed": ticket is None and dispatch is not None and dispatch.status == DispatchStatus.FAILED,
        }
    )
    return context


def _ticket_page_context(request, portal, customer_id, request_id) -> dict:
    """The ticket page's context: the request's, plus its attachments (uploads come back here)."""
    context = _request_context(request, portal, customer_id, request_id)
    context.update(
        attachment_section(
            request.user, context["sr"], next_url=request.path + "#attachments", surface="portal"
        )
    )
    return context


@login_required
def portal_request(request, portal, customer_id, request_id):
    """The ticket page a submit lands on; while the dispatch is pending it says "creating ticket…"."""
    context = _ticket_page_context(request, portal, customer_id, request_id)
    return render(request, "portals/ticket_detail.html", context)


@login_required
def portal_request_status(request, portal, customer_id, request_id):
    """The ticket status fragment polled by HTMX every two seconds while the ticket is being created."""
    context = _request_context(request, portal, customer_id, request_id)
    return render(request, "portals/_ticket_status.html", context)
