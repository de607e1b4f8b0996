"""The customer tabs about support (``customers:service_requests``, ``customers:service_management``)
and the partner-wide service health page (``customers:service_health``).

Service health is shown under HEALTH-BEFORE-ESCALATION (``servicerequests.health``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from core.pages import query_string_without
from customers.choices import Workload
from customers.models import ServiceHealthIssue
from customers.selectors import service_health_issues
from customers.shortcuts import customer_or_404, customer_page_context

from .eligibility.tables import PORTAL_FOR_WORKLOAD, PORTALS
from .health import HEALTH_RULE, health_access, health_visible_issues
from .permissions import may_view_partner_health
from .selectors import service_request_list

PAGE_SIZE = 25


@login_required
def customer_service_management(request, customer_id):
    """Per workload: current service health and open incidents, and a link to the workload's admin portal."""
    customer = customer_or_404(request.user, customer_id)
    access = health_access(user=request.user, customer=customer)
    issues_by_workload: dict[str, list[ServiceHealthIssue]] = {}
    if access.allowed:
        for issue in service_health_issues(customer=customer):
            issues_by_workload.setdefault(issue.workload, []).append(issue)
    workloads = [
        {
            "code": code,
            "name": Workload(code).label,
            "portal": portal,
            "portal_name": PORTALS[portal].display_name,
            "issues": issues_by_workload.get(code, []),
        }
        for code, portal in PORTAL_FOR_WORKLOAD.items()
    ]
    context = customer_page_context(request.user, customer, "service_management")
    context.update({"access": access, "workloads": workloads})
    return render(request, "customers/customer_service_management.html", context)


@login_required
def customer_service_requests(request, customer_id):
    """This customer's service requests filed by the signed-in partner (SR-VIEW), 25 a page."""
    customer = customer_or_404(request.user, customer_id)
    requests = (
        service_request_list(actor=request.user)
        .filter(customer=customer)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    context = customer_page_context(request.user, customer, "service_requests")
    context.update({"page_obj": page, "query_string": query_string_without(request, "page")})
    return render(request, "customers/customer_service_requests.html", context)


@login_required
def service_health(request):
    """Partner-wide service health: open issues of every customer whose health the user may view.

    HEALTH-BEFORE-ESCALATION applies per customer: only customers where the
    user holds a service_health role through GDAP are included.
    """
    user = request.user
    is_admin_agent = may_view_partner_health(user)
    page = None
    if is_admin_agent and user.partner_id is not None:
        page = Paginator(health_visible_issues(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "customers/service_health.html",
        {
            "is_admin_agent": is_admin_agent,
            "page_obj": page,
            "query_string": query_string_without(request, "page"),
            "rule_id": HEALTH_RULE,
        },
        status=200 if is_admin_agent else 403,
    )
