"""Writes on service requests, one module per seam:

- ``filing``: the filing pipeline (eligibility request with its defaults, the check, the filing);
- ``updates``: notes, status, severity, assignment, the SLA breach and the portal's updates;
- ``dispatch``: a failed delivery recorded, a user's retry, the purge of old delivered ones (the
  delivery itself is ``portals.dispatch.dispatch_deliver``, above this app);
- ``common``: roles, limits and the version bump they share.

The names below are re-exported so callers write ``from servicerequests.services import ...``.
"""

from .common import (
    ASSIGN_ROLES,
    ASSIGNABLE_ROLES,
    SETTABLE_STATUSES,
    TEXT_MAX,
    TITLE_MAX,
    UNSET,
    WRITE_ROLES,
    service_request_write_refusal,
)
from .dispatch import DISPATCH_TASK, dispatch_purge_delivered, dispatch_record_failure, dispatch_retry
from .filing import (
    FILED_FIELDS,
    eligibility_request_build,
    service_request_eligibility_check,
    service_request_file,
)
from .updates import (
    service_request_add_note,
    service_request_apply_portal_update,
    service_request_mark_sla_breached,
    service_request_update,
)

__all__ = [
    "ASSIGNABLE_ROLES",
    "ASSIGN_ROLES",
    "DISPATCH_TASK",
    "FILED_FIELDS",
    "SETTABLE_STATUSES",
    "TEXT_MAX",
    "TITLE_MAX",
    "UNSET",
    "WRITE_ROLES",
    "dispatch_purge_delivered",
    "dispatch_record_failure",
    "dispatch_retry",
    "eligibility_request_build",
    "service_request_add_note",
    "service_request_apply_portal_update",
    "service_request_eligibility_check",
    "service_request_file",
    "service_request_mark_sla_breached",
    "service_request_update",
    "service_request_write_refusal",
]
