"""GDAP lifecycle rules as data: which status each transition starts from and leads to, the rule
id it enforces, and who may ask for it. The services read these tables; nothing else decides."""

from .choices import AssignmentStatus, RelationshipStatus

S = RelationshipStatus
A = AssignmentStatus

# Who may act (resolved by ``gdap.permissions``).
PARTNER_ADMIN_AGENT = "partner_admin_agent"  # an admin agent of the partner that created it
HOLDER_ADMIN_AGENT = "holder_admin_agent"  # an admin agent of the partner whose groups it grants
MANAGER = "manager"  # the creator's admin agents while ``created``, afterwards the holder's
RESELLER_ADMIN_AGENT = "reseller_admin_agent"  # an admin agent of the reseller it was created for
APPROVER = "approver"  # the customer's admin (GDAP-APPROVE)
CUSTOMER_ADMIN = "customer_admin"  # a customer-side admin of the relationship's customer
SYSTEM = "system"  # the lifecycle sweeper and on-commit tasks


# action → (statuses it may start from, status it leads to (None: unchanged), rule id, who may ask)
RELATIONSHIP_TRANSITIONS: dict[str, tuple[frozenset[str], str | None, str, tuple[str, ...]]] = {
    "update": (frozenset({S.CREATED}), None, "GDAP-EDIT-CREATED-ONLY", (PARTNER_ADMIN_AGENT,)),
    "set_auto_extend": (frozenset({S.CREATED, S.ACTIVE}), None, "GDAP-EDIT-CREATED-ONLY", (MANAGER,)),
    # Graph allows one change of an active relationship's roles: removing Global Administrator.
    "remove_global_admin": (frozenset({S.ACTIVE}), None, "GDAP-EDIT-CREATED-ONLY", (HOLDER_ADMIN_AGENT,)),
    "delete": (frozenset({S.CREATED}), None, "GDAP-EDIT-CREATED-ONLY", (PARTNER_ADMIN_AGENT,)),
    "lockForApproval": (frozenset({S.CREATED}), S.APPROVAL_PENDING, "GDAP-LOCK", (PARTNER_ADMIN_AGENT,)),
    "approve": (frozenset({S.APPROVAL_PENDING}), S.APPROVED, "GDAP-APPROVE", (APPROVER,)),
    # Graph has no "rejected" status: a rejected request ends as ``terminated`` (never active).
    "reject": (frozenset({S.APPROVAL_PENDING}), S.TERMINATED, "GDAP-APPROVE", (APPROVER,)),
    # GDAP-INDIRECT-RESELLER: the reseller's consent comes first (Graph's ``approve``/``reject``
    # requests of the reseller); the status stays ``approvalPending`` until the customer approves.
    "reseller_approve": (
        frozenset({S.APPROVAL_PENDING}),
        None,
        "GDAP-INDIRECT-RESELLER",
        (RESELLER_ADMIN_AGENT,),
    ),
    "reseller_reject": (
        frozenset({S.APPROVAL_PENDING}),
        S.TERMINATED,
        "GDAP-INDIRECT-RESELLER",
        (RESELLER_ADMIN_AGENT,),
    ),
    "terminate": (
        frozenset({S.ACTIVE}),
        S.TERMINATION_REQUESTED,
        "GDAP-TERMINATE",
        (HOLDER_ADMIN_AGENT, CUSTOMER_ADMIN),
    ),
    # System transitions (the sweeper, on-commit tasks).
    "activate": (frozenset({S.APPROVED, S.ACTIVATING}), S.ACTIVE, "GDAP-APPROVE", (SYSTEM,)),
    "expire_request": (frozenset({S.APPROVAL_PENDING}), S.EXPIRED, "GDAP-REQUEST-EXPIRY", (SYSTEM,)),
    "roll_forward": (frozenset({S.ACTIVE}), S.ACTIVE, "GDAP-AUTO-EXTEND", (SYSTEM,)),
    "expire": (frozenset({S.ACTIVE, S.EXPIRING}), S.EXPIRED, "GDAP-EXPIRY", (SYSTEM,)),
    "complete_termination": (
        frozenset({S.TERMINATION_REQUESTED, S.TERMINATING}),
        S.TERMINATED,
        "GDAP-TERMINATE",
        (SYSTEM,),
    ),
}

# Graph request actions that map onto the transitions above (POST .../requests).
REQUEST_ACTIONS = ("lockForApproval", "approve", "reject", "terminate")

# Access assignments: action → (relationship statuses, assignment statuses it may start from,
# assignment status it leads to, rule id).
ASSIGNMENT_TRANSITIONS: dict[str, tuple[frozenset[str], frozenset[str], str | None, str]] = {
    "create": (frozenset({S.ACTIVE}), frozenset(), A.PENDING, "GDAP-ASSIGNMENT-SUBSET"),
    "update": (frozenset({S.ACTIVE}), frozenset({A.PENDING, A.ACTIVE}), None, "GDAP-ASSIGNMENT-SUBSET"),
    "delete": (
        frozenset(S.values),
        frozenset({A.PENDING, A.ACTIVE, A.ERROR}),
        A.DELETING,
        "GDAP-ASSIGNMENT-SUBSET",
    ),
    "activate": (frozenset({S.ACTIVE}), frozenset({A.PENDING}), A.ACTIVE, "GDAP-ASSIGNMENT-SUBSET"),
    "complete_deletion": (frozenset(S.values), frozenset({A.DELETING}), A.DELETED, "GDAP-ASSIGNMENT-SUBSET"),
}

# Relationship statuses after which nothing is provisioned any more: live assignments are deleted.
DEPROVISIONED_STATUSES = frozenset({S.EXPIRED, S.TERMINATED})
# Statuses a relationship may still be shown in Graph's delegatedAdminCustomers for.
LIVE_STATUSES = frozenset(set(S.values) - DEPROVISIONED_STATUSES)
