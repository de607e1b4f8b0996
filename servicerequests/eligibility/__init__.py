"""The eligibility engine: may this user file this service request, and if so, where does it go?

Public interface::

    from servicerequests.eligibility import EligibilityRequest, Decision, Outcome, evaluate
    decision = evaluate(EligibilityRequest(user_id=..., customer_id=..., workload="m365"))
    decision.allowed, decision.outcomes, decision.failed_rule_ids, decision.portal, decision.isv_contact
    decision.as_dict()   # the API.md shape, messages in the active language
    decision.as_record() # what a filed request stores: English + msgids and params (outcomes_from_record)

``evaluate`` raises :class:`CustomerNotVisible` for a customer that does not
exist or is not linked to the user's partner; callers turn it into a 404.
See ``docs/eligibility.md``.
"""

from .engine import decide, evaluate, portal_route_for
from .facts import Snapshot
from .rules import RULES
from .snapshot import snapshot_build
from .tables import RULE_IDS
from .types import (
    FAILED,
    NOT_APPLICABLE,
    PASSED,
    CustomerNotVisible,
    Decision,
    EligibilityRequest,
    Outcome,
    PortalRoute,
    outcomes_from_record,
    record_as_dict,
)

__all__ = [
    "FAILED",
    "NOT_APPLICABLE",
    "PASSED",
    "RULES",
    "RULE_IDS",
    "CustomerNotVisible",
    "Decision",
    "EligibilityRequest",
    "Outcome",
    "PortalRoute",
    "Snapshot",
    "decide",
    "evaluate",
    "outcomes_from_record",
    "record_as_dict",
    "portal_route_for",
    "snapshot_build",
]
