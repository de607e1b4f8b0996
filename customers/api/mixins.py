"""Mixins of the ``/v1`` views under ``/v1/customers/{tenantId}/...``."""

from __future__ import annotations

from django.utils.translation import gettext as _

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
                    "tenant_not_found",
                    _("Customer %(tenant)s was not found.") % {"tenant": self.kwargs["tenant_id"]},
                ) from None
        return self._customer
