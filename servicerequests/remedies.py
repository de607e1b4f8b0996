"""What a refusal page offers for each failed rule: its explanation, its fix, and the action that
leads to the fix (rules as data: ``REMEDY_ACTIONS`` maps a rule id to the builder of its action).

A rule without an action (the fix happens outside the portal: an Azure role at the customer, a
support plan, a cloud) shows its fix as a sentence only. Labels are translated when the steps are
built (per request); the rule's message and remedy stay :class:`~.eligibility.text.Text`, rendered
in the page's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext

from core.text import possessive
from customers.choices import Workload

from .eligibility.text import Text

# The least-privileged role templates of the GDAP form's picker (gdap.roles.SUGGESTED_TEMPLATES).
TICKETS_TEMPLATE = "service-desk"
AZURE_TEMPLATE = "azure-support"


@dataclass(frozen=True)
class RemedyAction:
    """A link that leads to the fix: ``label`` is the button's text."""

    label: str
    url: str


@dataclass(frozen=True)
class RefusalStep:
    """One failed rule, in the words the refusal page leads with."""

    rule_id: str
    message: Text | str
    remedy: Text | str
    action: RemedyAction | None


def _request_relationship(decision, customer) -> RemedyAction | None:
    """The GDAP form, pre-filled with the customer and the least-privileged role for the workload."""
    if customer is None:
        return None
    workload = decision.request.workload if decision.request else ""
    template = AZURE_TEMPLATE if workload == Workload.AZURE else TICKETS_TEMPLATE
    query = urlencode({"customer": customer.pk, "template": template})
    return RemedyAction(
        gettext("Request a GDAP relationship from %(customer)s") % {"customer": customer.name},
        f"{reverse('gdap:relationship_create')}?{query}",
    )


def _assign_group(decision, customer) -> RemedyAction | None:
    """The customer's GDAP relationships, where a security group is assigned to one."""
    if customer is None:
        return None
    label = gettext("Open %(customer_s)s admin relationships") % {
        "customer": customer.name,
        "customer_s": possessive(customer.name),
    }
    return RemedyAction(label, reverse("customers:relationships", args=[customer.pk]))


def _back_to_form(decision, customer) -> RemedyAction | None:
    label = gettext("Back to the request to change it")
    if customer is None:
        return RemedyAction(label, reverse("servicerequests:new_own"))
    return RemedyAction(label, reverse("servicerequests:new", args=[customer.pk]))


REMEDY_ACTIONS: dict[str, Callable] = {
    "SR-GDAP-ACTIVE": _request_relationship,
    "SR-GDAP-ROLE-TICKETS": _request_relationship,
    "SR-GDAP-ANY-ROLE": _request_relationship,
    "SR-GDAP-ASSIGNMENT": _assign_group,
    "SR-CONTACT-IS-PARTNER": _back_to_form,
    "SR-CRITICAL-NEEDS-PHONE": _back_to_form,
}


def refusal_steps(decision, *, customer=None) -> list[RefusalStep]:
    """The failed rules of ``decision`` in RULES.md order, each with its action (or None)."""
    steps = []
    for outcome in decision.outcomes:
        if not outcome.failed:
            continue
        build = REMEDY_ACTIONS.get(outcome.rule_id)
        steps.append(
            RefusalStep(
                rule_id=outcome.rule_id,
                message=outcome.message_text,
                remedy=outcome.remedy_text,
                action=build(decision, customer) if build else None,
            )
        )
    return steps
