"""A customer admin's "Service requests filed for us": what partners filed on the customer's behalf.

Read-only and limited to what the customer may know: title, partner, workload, severity, status,
the workload portal's ticket and the dates. Partner-internal notes, assignees and eligibility
details are never read here.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.pages import query_string_without

from .permissions import may_view_requests_filed_for_customer
from .selectors import service_requests_filed_for_customer

PAGE_SIZE = 25
#: The only fields this page reads (``only()``): nothing partner-internal can leak into it.
CUSTOMER_VISIBLE_FIELDS = (
    "id",
    "title",
    "partner__name",
    "workload",
    "severity",
    "status",
    "portal",
    "external_ticket_id",
    "created_at",
    "updated_at",
    "closed_at",
)


@login_required
def filed_for_us(request):
    """The requests partners filed for the signed-in customer admin's organization, 25 a page."""
    if not may_view_requests_filed_for_customer(request.user):
        raise PermissionDenied(_("This page is for a customer's administrators."))
    requests = service_requests_filed_for_customer(actor=request.user).only(*CUSTOMER_VISIBLE_FIELDS)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "servicerequests/filed_for_us.html",
        {"page_obj": page, "query_string": query_string_without(request, "page")},
    )
