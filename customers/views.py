"""Browser pages of the customers app: the customer list and the customer's own tabs
(subscriptions, support options).

The tabs about GDAP and service requests live with their apps (``gdap.customer_views``,
``servicerequests.customer_views``) and share ``customers.shortcuts.customer_page_context``.
Every page reads through the selectors, so another partner's customer is a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.pages import query_string_without

from .choices import RelationshipToPartner
from .forms import CustomerSearchForm
from .selectors import (
    customer_list_with_relationship,
    customer_partner_contacts,
    customer_support_options,
    sees_customers_through_partner,
)
from .shortcuts import customer_or_404, customer_page_context

PAGE_SIZE = 25


@login_required
def customer_list_view(request):
    """Customers of the signed-in partner, searched by name or domain prefix, 25 a page."""
    form = CustomerSearchForm(request.GET or None)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    customers = customer_list_with_relationship(actor=request.user, search=search)
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    relationship_names = dict(RelationshipToPartner.choices)
    through_partner = sees_customers_through_partner(request.user)
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
            "through_partner": through_partner,
        },
    )


@login_required
def customer_subscriptions(request, customer_id):
    """A customer's subscriptions (the first tab of the customer page)."""
    customer = customer_or_404(request.user, customer_id)
    subscriptions = customer.subscriptions.select_related("provider", "reseller", "isv").order_by(
        "workload", "offer"
    )
    context = customer_page_context(request.user, customer, "subscriptions")
    context["subscriptions"] = subscriptions
    return render(request, "customers/customer_subscriptions.html", context)


@login_required
def customer_support_options_view(request, customer_id):
    """SUPPORT-OPTIONS-*: whom this customer can contact for support, in words."""
    customer = customer_or_404(request.user, customer_id)
    context = customer_page_context(request.user, customer, "support_options")
    context["options"] = customer_support_options(customer=customer)
    return render(request, "customers/customer_support_options.html", context)


@login_required
def own_support_options(request):
    """A customer admin's support options card (SUPPORT-OPTIONS-TRIAL / -PAID): contact a partner (with
    its contact details) and, with paid direct subscriptions, also open a request with Microsoft."""
    customer = request.user.customer
    if customer is None:
        raise PermissionDenied(_("This page is for a customer's administrators."))
    context = {
        "options": customer_support_options(customer=customer),
        "partners": customer_partner_contacts(customer=customer),
    }
    return render(request, "customers/own_support_options.html", context)
