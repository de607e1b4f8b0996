"""The hand-off offer of the refusal page (``servicerequests/partials/handoff_offer.html``)."""

from __future__ import annotations

from .forms import HandoffForm
from .services import handoff_offer


def handoff_offer_context(user, customer, eligibility_request) -> dict:
    """``handoff_offer`` and ``handoff_form`` when SR-AZURE-NONTECH-PROVIDER-ONLY lets ``user`` ask
    the subscription's provider to file this request; else an empty dict."""
    offer = handoff_offer(
        actor=user,
        customer_id=customer.pk,
        subscription_id=eligibility_request.subscription_id,
        issue_type=eligibility_request.issue_type,
    )
    if offer is None:
        return {}
    form = HandoffForm(
        initial={
            "subscription_id": offer.subscription.pk,
            "issue_type": offer.issue_type,
            **HandoffForm.initial_contact(user),
        }
    )
    return {"handoff_offer": offer, "handoff_form": form}
