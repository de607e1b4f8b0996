"""The wording the eligibility rules share: outcome tuples and how names, groups and workloads are
written in messages and remedies (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable

from core.text import possessive  # noqa: F401  (re-exported for the rules' messages)

from . import tables
from .facts import Snapshot
from .types import FAILED, NOT_APPLICABLE, PASSED


def passed(message: str) -> tuple[str, str, str]:
    """A passed outcome: (outcome, message, remedy)."""
    return PASSED, message, ""


def failed(message: str, remedy: str) -> tuple[str, str, str]:
    """A failed outcome, with the remedy that fixes it."""
    return FAILED, message, remedy


def not_applicable(message: str) -> tuple[str, str, str]:
    """An outcome for a rule that does not apply to this request."""
    return NOT_APPLICABLE, message, ""


def names(items: Iterable[str], limit: int = 4) -> str:
    """At most ``limit`` distinct names, then how many more."""
    items = list(dict.fromkeys(items))
    if len(items) > limit:
        return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
    return ", ".join(items)


def quoted(items: Iterable[str]) -> str:
    """The names quoted, as :func:`names` lists them."""
    return names(f"'{n}'" for n in items)


def no_partner(snapshot: Snapshot) -> tuple[str, str, str]:
    """The failure of a rule that needs the filing user's partner."""
    if snapshot.user is None:
        return failed("The filing user does not exist.", "Sign in as a user of a CSP partner.")
    return failed(
        f"{snapshot.user.username} does not belong to a CSP partner.",
        "Sign in with your partner organization's account: only partner users file service requests.",
    )


def customer_name(snapshot: Snapshot) -> str:
    """The customer's name, or "the customer"."""
    return snapshot.customer.name if snapshot.customer else "the customer"


def workload_name(workload: str) -> str:
    """A workload as RULES.md names it."""
    return tables.WORKLOAD_NAMES.get(workload, workload)


def your_groups(snapshot: Snapshot) -> str:
    """The user's security groups, as a remedy names them."""
    groups = snapshot.user.group_names if snapshot.user else []
    return f"one of your security groups ({names(groups)})" if groups else "a security group you belong to"
