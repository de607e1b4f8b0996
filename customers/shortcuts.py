"""View shortcuts over ``customers.selectors`` (the way ``get_object_or_404`` is one over the ORM)."""

from django.core.exceptions import ValidationError
from django.http import Http404

from partners.models import User

from .models import Customer
from .selectors import customer_get


def customer_or_404(user: User, customer_id) -> Customer:
    """A customer the user's partner may see, else 404 (never revealing whether it exists elsewhere)."""
    try:
        return customer_get(actor=user, customer_id=customer_id)
    except (Customer.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("No such customer.") from exc
