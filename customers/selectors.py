"""Reads about customers, always scoped to what the acting user's partner may see."""

from django.db.models import Q, QuerySet

from partners.models import User

from .models import Customer


def customer_list(*, actor: User, search: str = "") -> QuerySet[Customer]:
    """The customers linked to the actor's partner, optionally searched by name or domain prefix.

    A customer-side admin sees only their own customer.
    """
    if actor.customer_id is not None:
        qs = Customer.objects.filter(pk=actor.customer_id)
    elif actor.partner_id is not None:
        qs = Customer.objects.filter(partner_links__partner_id=actor.partner_id)
    else:
        return Customer.objects.none()
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(name__istartswith=search) | Q(domains__domain__istartswith=search.lower())
        ).distinct()
    return qs.order_by("name", "id")


def customer_get(*, actor: User, customer_id) -> Customer:
    """One customer the actor may see; raises ``Customer.DoesNotExist`` otherwise."""
    return customer_list(actor=actor).get(pk=customer_id)
