"""Mixins of the ``/v1`` views under ``/v1/customers/{tenantId}/...``."""

from __future__ import annotations

from core.api.errors import ApiError

from ..models import Customer
from ..selectors import customer_get


class CustomerScopedMixin:
    """For views under ``/v1/customers/{tenantId}/...``: the customer, if the actor may see it."""

    _customer: Customer | None = None

    def get_customer(self) -> Customer:
        if self._customer is None:
            try:
                self._customer = customer_get(actor=self.request.user, customer_id=self.kwargs["tenant_id"])
            except Customer.DoesNotExist:
                raise ApiError(
                    "tenant_not_found", f"Customer {self.kwargs['tenant_id']} was not found."
                ) from None
        return self._customer
