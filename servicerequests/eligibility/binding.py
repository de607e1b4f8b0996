"""How a rule check becomes a rule: bound to its rule id and its scope (``tables.RULE_SCOPES``)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from . import tables
from .facts import Snapshot
from .types import FAILED, NOT_APPLICABLE, Outcome
from .wording import Words

Rule = Callable[[Snapshot], Outcome]
Check = Callable[[Snapshot], tuple[str, Words, Words]]


def rule_check(rule_id: str) -> Callable[[Check], Rule]:
    """Bind a check to its rule id and scope: out of scope → not_applicable, otherwise the check runs.

    The check returns ``(outcome, message, remedy)``.
    """
    scope = tables.RULE_SCOPES[rule_id]

    def wrap(check: Check) -> Rule:
        @functools.wraps(check)
        def rule(snapshot: Snapshot) -> Outcome:
            request = snapshot.request
            reason = scope.not_applicable_reason(
                on_behalf_of_customer=request.on_behalf_of_customer, workload=request.workload
            )
            if reason:
                return Outcome(rule_id, NOT_APPLICABLE, reason)
            outcome, message, remedy = check(snapshot)
            return Outcome(rule_id, outcome, message, remedy if outcome == FAILED else "")

        rule.rule_id = rule_id  # type: ignore[attr-defined]
        return rule

    return wrap
