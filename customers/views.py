"""Browser pages of the customers app: the customer list, a customer's tabs and partner-wide service health.

Every page reads through the selectors, so another partner's customer is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Subquery
from django.shortcuts import render
from django.utils import timezone

from core.pages import query_string_without
from gdap.choices import RelationshipStatus
from gdap.models import Relationship
from gdap.selectors import effective_roles, health_visible_customer_ids, relationship_list
from partners.choices import PartnerCenterRole
from servicerequests.selectors import service_request_list

from .choices import Workload
from .forms import CustomerSearchForm
from .models import Customer, CustomerPartnerRelationship, ServiceHealthIssue
from .selectors import customer_list, customer_support_options, service_health_issues
from .shortcuts import customer_or_404

PAGE_SIZE = 25

# The workloads Microsoft supports through CSP, in the order the Service management tab shows them,
# with the stub portal that administers each one (RULES.md's routing table).
MANAGED_WORKLOADS: tuple[tuple[str, str], ...] = (
    (Workload.AZURE, "azure"),
    (Workload.M365, "m365"),
    (Workload.EMS, "m365"),
    (Workload.DYNAMICS, "dynamics"),
)

HEALTH_RULE = "HEALTH-BEFORE-ESCALATION"


@dataclass(frozen=True)
class HealthAccess:
    """Whether the user may view a customer's service health (HEALTH-BEFORE-ESCALATION), and why not."""

    allowed: bool
    reasons: tuple[str, ...] = ()
    rule_id: str = HEALTH_RULE


def health_access(*, user, customer: Customer) -> HealthAccess:
    """HEALTH-BEFORE-ESCALATION: the admin agent role plus a GDAP role with the service_health capability.

    One query (the user's effective Entra roles in the customer's tenant); the
    roles themselves were prefetched by ``CurrentUserMiddleware``.
    """
    reasons = []
    if PartnerCenterRole.ADMIN_AGENT not in user.role_codes:
        reasons.append("You need the Partner Center Admin agent role to view a customer's service health.")
    roles = list(effective_roles(user=user, customer_id=customer.pk))
    if not any(role.service_health for role in roles):
        held = ", ".join(role.name for role in roles) or "no Entra role"
        reasons.append(
            f"Through GDAP you hold {held} in {customer.name}; viewing service health needs a role with "
            "the service_health capability (Global Reader is enough) in an active access assignment."
        )
    return HealthAccess(allowed=not reasons, reasons=tuple(reasons))


def _relationship_to_partner(user, customer) -> str:
    link = (
        CustomerPartnerRelationship.objects.filter(customer=customer, partner_id=user.partner_id)
        .values_list("relationship", flat=True)
        .first()
    )
    return dict(CustomerPartnerRelationship._meta.get_field("relationship").choices).get(link, "")


def _customer_context(request, customer, tab: str) -> dict:
    return {
        "customer": customer,
        "tab": tab,
        "relationship_to_partner": _relationship_to_partner(request.user, customer),
    }


@login_required
def customer_list_view(request):
    """Customers of the signed-in partner, searched by name or domain prefix, 25 a page."""
    form = CustomerSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    user = request.user
    now = timezone.now()
    customers = customer_list(actor=user, search=search).annotate(
        relationship_to_partner=Subquery(
            CustomerPartnerRelationship.objects.filter(
                customer=OuterRef("pk"), partner_id=user.partner_id
            ).values("relationship")[:1]
        ),
        has_active_gdap=Exists(
            Relationship.objects.filter(
                customer=OuterRef("pk"),
                partner_id=user.partner_id,
                status=RelationshipStatus.ACTIVE,
                end_at__gt=now,
            )
        ),
    )
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    relationship_names = dict(CustomerPartnerRelationship._meta.get_field("relationship").choices)
    for customer in page.object_list:
        customer.relationship_name = relationship_names.get(customer.relationship_to_partner, "")
    return render(
        request,
        "customers/customer_list.html",
        {
            "form": form,
            "search": search,
            "page_obj": page,
            "query_string": query_string_without(request, "page"),
        },
    )


@login_required
def customer_subscriptions(request, customer_id):
    """A customer's subscriptions (the first tab of the customer page)."""
    customer = customer_or_404(request.user, customer_id)
    subscriptions = customer.subscriptions.select_related("provider", "reseller", "isv").order_by(
        "workload", "offer"
    )
    context = _customer_context(request, customer, "subscriptions")
    context["subscriptions"] = subscriptions
    return render(request, "customers/customer_subscriptions.html", context)


@login_required
def customer_relationships(request, customer_id):
    """The signed-in partner's GDAP relationships with this customer: roles, status, expiry."""
    customer = customer_or_404(request.user, customer_id)
    relationships = (
        relationship_list(actor=request.user)
        .filter(customer=customer)
        .prefetch_related("roles")
        .order_by("-created_at")
    )
    context = _customer_context(request, customer, "relationships")
    context["relationships"] = relationships
    context["now"] = timezone.now()
    return render(request, "customers/customer_relationships.html", context)


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
            "issues": issues_by_workload.get(code, []),
        }
        for code, portal in MANAGED_WORKLOADS
    ]
    context = _customer_context(request, customer, "service_management")
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
    context = _customer_context(request, customer, "service_requests")
    context.update({"page_obj": page, "query_string": query_string_without(request, "page")})
    return render(request, "customers/customer_service_requests.html", context)


@login_required
def customer_support_options_view(request, customer_id):
    """SUPPORT-OPTIONS-*: whom this customer can contact for support, in words."""
    customer = customer_or_404(request.user, customer_id)
    context = _customer_context(request, customer, "support_options")
    context["options"] = customer_support_options(customer=customer)
    return render(request, "customers/customer_support_options.html", context)


@login_required
def service_health(request):
    """Partner-wide service health: open issues of every customer whose health the user may view.

    HEALTH-BEFORE-ESCALATION applies per customer: only customers where the
    user holds a service_health role through GDAP are included.
    """
    user = request.user
    is_admin_agent = PartnerCenterRole.ADMIN_AGENT in user.role_codes
    page = None
    if is_admin_agent and user.partner_id is not None:
        visible = customer_list(actor=user).filter(pk__in=health_visible_customer_ids(user=user)).values("pk")
        issues = (
            ServiceHealthIssue.objects.filter(
                Q(customer_id__in=visible) | Q(customer__isnull=True), is_resolved=False
            )
            .select_related("customer")
            .order_by("-start_at", "id")
        )
        page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
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
