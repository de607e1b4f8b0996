"""Writes for GDAP: every relationship and access-assignment transition of RULES.md.

Each function is keyword-only, runs under ``transaction.atomic`` with the row locked, enforces the
GDAP-* rules through the tables of ``gdap.rules`` (raising ``GdapRuleViolation`` naming the rule,
``GdapPermissionDenied``, ``GdapValidationError`` or ``GdapPreconditionFailed``; nothing is written
then), bumps ``version`` and ``last_modified_at``, and appends an audit event in the same
transaction. E-mail and follow-up Celery tasks (enqueued by name) are sent after commit.

Modules: ``relationships`` (the partner's and the customer's actions), ``assignments`` (access
assignments and their operations), ``lifecycle`` (system transitions and the sweep),
``role_templates``; ``transitions`` holds the one status-transition sequence they all use
(lock → check → transition → audit → notify), ``common`` the shared field rules and records.
Callers import from ``gdap.services``.
"""

from .assignments import (
    assignment_activate,
    assignment_complete_deletion,
    assignment_create,
    assignment_delete,
    assignment_update,
    operation_run,
)
from .common import invitation_path
from .lifecycle import (
    expiry_notice_due,
    expiry_notice_send,
    lifecycle_sweep,
    relationship_activate,
    relationship_complete_termination,
    relationship_expire_request,
    relationship_reach_end_date,
)
from .relationships import (
    relationship_approve,
    relationship_create,
    relationship_delete,
    relationship_lock_for_approval,
    relationship_reject,
    relationship_remove_roles,
    relationship_set_auto_extend,
    relationship_terminate,
    relationship_update,
)
from .role_templates import role_template_create

__all__ = [
    "assignment_activate",
    "assignment_complete_deletion",
    "assignment_create",
    "assignment_delete",
    "assignment_update",
    "expiry_notice_due",
    "expiry_notice_send",
    "invitation_path",
    "lifecycle_sweep",
    "operation_run",
    "relationship_activate",
    "relationship_approve",
    "relationship_complete_termination",
    "relationship_create",
    "relationship_delete",
    "relationship_expire_request",
    "relationship_lock_for_approval",
    "relationship_reach_end_date",
    "relationship_reject",
    "relationship_remove_roles",
    "relationship_set_auto_extend",
    "relationship_terminate",
    "relationship_update",
    "role_template_create",
]
