"""Domain errors of the service requests: one family, answered once by the API and once by the browser.

Each is a ``core.exceptions.DomainError`` that says how the ``/v1`` API answers it (its kind,
description and data), so the API's one exception handler (``core.api.errors``) needs no
knowledge of this app. The browser answers the filing ones with
``servicerequests.views.filing_error_response``. Nothing was written when any of them is raised.
"""

from __future__ import annotations

from django.utils.translation import gettext

from core.api.headers import etag_for
from core.exceptions import DomainError


class ServiceRequestError(DomainError):
    """Base class of the service request domain errors."""


class FilingError(ServiceRequestError):
    """A filing that cannot go ahead (unknown customer, refused by the eligibility engine)."""


class FilingRefused(FilingError):
    """The eligibility engine refused the request; ``decision`` lists every rule outcome."""

    def __init__(self, decision, message: str):
        self.decision = decision
        super().__init__(message)


class EligibilityDenied(FilingRefused):
    """A rule of RULES.md failed; ``decision`` lists every rule outcome.

    The API answers 403 with code 2032 and the failed outcomes in ``data``; the browser shows the
    failed rules next to the fields that fix them, or the rule table.
    """

    api_kind = "permission_denied"

    def __init__(self, decision):
        self.failed_rule_ids = list(decision.failed_rule_ids)
        super().__init__(decision, "The request is not eligible: " + ", ".join(self.failed_rule_ids))

    def api_description(self) -> str:
        return gettext("Access denied: the request is not eligible (%(rule_ids)s).") % {
            "rule_ids": ", ".join(self.failed_rule_ids)
        }

    def api_data(self) -> list:
        return [o.as_dict() for o in self.decision.failed_outcomes]


class MarketplaceNotSupported(FilingRefused):
    """SR-MARKETPLACE-ISV: Microsoft does not support a marketplace product.

    ``decision.isv_contact`` says who does. The API answers 422 with the ISV contact; the browser
    shows the ISV's support contacts.
    """

    rule_id = "SR-MARKETPLACE-ISV"
    api_kind = "unprocessable"

    def __init__(self, decision):
        self.isv_contact = decision.isv_contact
        super().__init__(
            decision,
            gettext(
                "SR-MARKETPLACE-ISV: Microsoft does not support this marketplace product; contact its "
                "publisher."
            ),
        )

    def api_data(self) -> list:
        try:
            message = self.decision.outcome(self.rule_id).message
        except KeyError:
            message = ""
        return [{"ruleId": self.rule_id, "message": message, "isvContact": self.isv_contact}]


class StaleVersion(ServiceRequestError):
    """The caller's ``expected_version`` (ETag / If-Match) is not the current one; nothing was changed.

    The API answers 412 Precondition Failed with the current ETag.
    """

    api_kind = "precondition_failed"

    def __init__(self, *, expected: int, current: int):
        self.expected = expected
        self.current = current
        super().__init__(
            gettext(
                "The service request changed since it was read (version %(expected)s, now %(current)s); "
                "reload it and try again."
            )
            % {"expected": expected, "current": current}
        )

    def api_data(self) -> list:
        return [
            {
                "field": "If-Match",
                "reason": gettext("is version %(expected)s; the request is now at %(current)s")
                % {"expected": self.expected, "current": self.current},
            }
        ]

    def api_headers(self) -> dict[str, str]:
        return {"ETag": etag_for(self.current)}


class DispatchNotRetryable(ServiceRequestError):
    """Only a ``failed`` dispatch can be retried by hand."""

    def __init__(self, status: str):
        self.status = status
        super().__init__(
            gettext("Only a failed dispatch can be retried; this one is %(status)s.") % {"status": status}
        )


class AttachmentRefused(ServiceRequestError):
    """A file that may not be attached (``files.rules``), or too many files; nothing was stored.

    The API answers 400 (413 for a file over the size limit) with ``data`` naming the file and the
    reason; the browser shows the same sentence."""

    api_kind = "validation"

    def __init__(self, file_name: str, reason: str, *, too_large: bool = False):
        self.file_name = file_name
        self.reason = reason
        if too_large:
            self.api_kind = "payload_too_large"
        super().__init__(f"{file_name}: {reason}")

    def api_data(self) -> list:
        return [{"field": "file", "fileName": self.file_name, "reason": self.reason}]
