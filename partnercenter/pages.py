"""Small helpers shared by the browser views of every app."""

from django.core.exceptions import ValidationError
from django.http import Http404

from customers.models import Customer
from customers.selectors import customer_get


def query_string_without(request, *names: str) -> str:
    """The request's query string without the given parameters (for pager and cursor links)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def customer_or_404(user, customer_id) -> Customer:
    """A customer the user's partner may see, else 404 (never revealing whether it exists elsewhere)."""
    try:
        return customer_get(actor=user, customer_id=customer_id)
    except (Customer.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404("No such customer.") from exc
