"""GDAP's errors in Microsoft Graph's shape. The Graph conventions themselves (error shape, paging,
ETags, the base view) are ``core.api.graph``; this module adds the mapping of GDAP's own domain
exceptions: a rule violation uses the rule id as ``code`` and starts ``message`` with it (400), a
refused actor is a 403 with the rule id, a stale version a 412, other bad input a 400 ``BadRequest``
with the field as ``target``.
"""

from __future__ import annotations

from core.api.graph import GraphApiView, GraphError
from gdap.exceptions import GdapError, GdapPermissionDenied, GdapPreconditionFailed, GdapRuleViolation


def gdap_graph_error(exc: Exception) -> GraphError | None:
    """The Graph error a GDAP service exception stands for; None for any other exception."""
    if isinstance(exc, GdapPreconditionFailed):
        return GraphError(412, "PreconditionFailed", str(exc))
    if isinstance(exc, GdapPermissionDenied):
        return GraphError(403, exc.rule_id or "Forbidden", str(exc))
    if isinstance(exc, GdapRuleViolation):
        return GraphError(400, exc.rule_id, str(exc), target=exc.field)
    if isinstance(exc, GdapError):
        message = f"{exc.field}: {exc.message}" if exc.field else exc.message
        return GraphError(400, "BadRequest", message, target=exc.field)
    return None


class GdapGraphApiView(GraphApiView):
    """Base of the GDAP ``/graph/v1.0`` views: the Graph conventions plus GDAP's domain errors."""

    def graph_error_for(self, exc: Exception) -> GraphError | None:
        return gdap_graph_error(exc)
