"""The wording the eligibility rules share: outcome tuples and how names, groups and workloads are
written in messages and remedies (pure functions). Every sentence is a :class:`~.text.Text`,
translated when it is rendered (``text``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.text import possessive  # noqa: F401  (re-exported for the rules' messages)

from . import tables
from .facts import Snapshot
from .text import Text, joined
from .text import gettext_lazy as _
from .types import FAILED, NOT_APPLICABLE, PASSED

Words = Text | str


def passed(message: Words) -> tuple[str, Words, Words]:
    """A passed outcome: (outcome, message, remedy)."""
    return PASSED, message, ""


def failed(message: Words, remedy: Words) -> tuple[str, Words, Words]:
    """A failed outcome, with the remedy that fixes it."""
    return FAILED, message, remedy


def not_applicable(message: Words) -> tuple[str, Words, Words]:
    """An outcome for a rule that does not apply to this request."""
    return NOT_APPLICABLE, message, ""


def names(items: Iterable[Any], limit: int = 4) -> Any:
    """At most ``limit`` distinct names, then how many more (rendered in the reader's language)."""
    items = list(dict.fromkeys(items))
    if len(items) > limit:
        return _("%(names)s and %(count)s more", names=joined(items[:limit]), count=len(items) - limit)
    if all(isinstance(item, str) for item in items):
        return ", ".join(items)
    return joined(items)


def quoted(items: Iterable[str]) -> Any:
    """The names quoted, as :func:`names` lists them."""
    return names(f"'{n}'" for n in items)


def no_partner(snapshot: Snapshot) -> tuple[str, Words, Words]:
    """The failure of a rule that needs the filing user's partner."""
    if snapshot.user is None:
        return failed(_("The filing user does not exist."), _("Sign in as a user of a CSP partner."))
    return failed(
        _("%(user)s does not belong to a CSP partner.", user=snapshot.user.username),
        _("Sign in with your partner organization's account: only partner users file service requests."),
    )


def customer_name(snapshot: Snapshot) -> Words:
    """The customer's name, or "the customer"."""
    return snapshot.customer.name if snapshot.customer else _("the customer")


def customer_owner(snapshot: Snapshot) -> Words:
    """The customer's name as an English possessive ("Fabrikam's"), or "the customer's"."""
    return possessive(snapshot.customer.name) if snapshot.customer else _("the customer's")


def workload_name(workload: str) -> Any:
    """A workload as RULES.md names it."""
    return tables.WORKLOAD_NAMES.get(workload, workload)


def your_groups(snapshot: Snapshot) -> Text:
    """The user's security groups, as a remedy names them."""
    groups = snapshot.user.group_names if snapshot.user else []
    if groups:
        return _("one of your security groups (%(groups)s)", groups=names(groups))
    return _("a security group you belong to")
