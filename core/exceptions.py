"""The base class of domain errors, and how the ``/v1`` API answers them.

A domain app raises its own exceptions (``servicerequests.exceptions.EligibilityDenied``, ...)
as subclasses of :class:`DomainError`, each saying which API error it is (``api_kind``, a key of
``core.api.shape.ERROR_CODES``), its description and its ``data`` list. The one exception handler
(``core.api.errors.exception_handler``) turns any of them into the ``/v1`` error shape without
knowing the app; the browser views answer them in their own app.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal by a domain rule; nothing was written. Subclasses set ``api_kind`` and may override
    :meth:`api_description`, :meth:`api_data` and :meth:`api_headers`."""

    #: The ``/v1`` error kind (``core.api.shape.ERROR_CODES``) this error is answered with.
    api_kind: str = "conflict"

    def api_description(self) -> str:
        """The ``description`` of the API's error body (default: the exception's message)."""
        return str(self)

    def api_data(self) -> list:
        """The ``data`` list of the API's error body."""
        return []

    def api_headers(self) -> dict[str, str]:
        """Extra response headers (e.g. an ``ETag``)."""
        return {}
