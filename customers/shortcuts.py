"""View shortcuts over ``customers.selectors`` (the way ``get_object_or_404`` is one over the ORM)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from partners.models import User

from .models import Customer
from .selectors import customer_get, customer_relationship_to_partner


def customer_or_404(user: User, customer_id) -> Customer:
    """A customer the user's partner may see, else 404 (never revealing whether it exists elsewhere)."""
    try:
        return customer_get(actor=user, customer_id=customer_id)
    except (Customer.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404(_("No such customer.")) from exc


def customer_page_context(user: User, customer: Customer, tab: str) -> dict:
    """The context every tab of a customer's page starts from (``customers/_customer_header.html``):
    the customer, the current tab and the customer's relationship to the user's partner."""
    return {
        "customer": customer,
        "tab": tab,
        "relationship_to_partner": customer_relationship_to_partner(
            customer=customer, partner_id=user.partner_id
        ),
    }
