"""The GDAP tab of a customer's page (``customers:relationships``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from customers.shortcuts import customer_or_404, customer_page_context

from .selectors import relationship_list


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
    context = customer_page_context(request.user, customer, "relationships")
    context["relationships"] = relationships
    context["now"] = timezone.now()
    return render(request, "customers/customer_relationships.html", context)
