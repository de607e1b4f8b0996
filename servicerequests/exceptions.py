"""Domain errors raised by the service request services; the views and the API map them to responses."""

from __future__ import annotations


class ServiceRequestError(Exception):
    """Base class of the service request domain errors."""


class EligibilityDenied(ServiceRequestError):
    """The eligibility engine refused the request; ``decision`` lists every rule outcome.

    The API answers 403 with code 2032 and the failed outcomes in ``data``; the
    browser shows the rule table. Nothing was written.
    """

    def __init__(self, decision):
        self.decision = decision
        self.failed_rule_ids = list(decision.failed_rule_ids)
        super().__init__("The request is not eligible: " + ", ".join(self.failed_rule_ids))


class MarketplaceNotSupported(ServiceRequestError):
    """SR-MARKETPLACE-ISV: Microsoft does not support a marketplace product.

    ``decision.isv_contact`` says who does.

    The API answers 422 with the ISV contact. Nothing was written.
    """

    rule_id = "SR-MARKETPLACE-ISV"

    def __init__(self, decision):
        self.decision = decision
        self.isv_contact = decision.isv_contact
        super().__init__(
            "SR-MARKETPLACE-ISV: Microsoft does not support this marketplace product; contact its publisher."
        )


class StaleVersion(ServiceRequestError):
    """The caller's ``expected_version`` (ETag / If-Match) is not the current one; nothing was changed.

    The API answers 412 Precondition Failed.
    """

    def __init__(self, *, expected: int, current: int):
        self.expected = expected
        self.current = current
        super().__init__(
            f"The service request changed since it was read (version {expected}, now {current}); "
            "reload it and try again."
        )


class DispatchNotRetryable(ServiceRequestError):
    """Only a ``failed`` dispatch can be retried by hand."""

    def __init__(self, status: str):
        self.status = status
        super().__init__(f"Only a failed dispatch can be retried; this one is {status}.")
