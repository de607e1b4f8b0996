"""Support options a customer has (rules SUPPORT-OPTIONS-TRIAL and SUPPORT-OPTIONS-PAID), as a pure function.

A customer with CSP subscriptions plus direct *trial* ones can only contact its
CSP partner; with CSP plus direct *paid* ones it can either open a request with
Microsoft or contact its partner. With CSP only, the partner is the way in.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .choices import Channel, SubscriptionStatus


@dataclass(frozen=True)
class SupportOptions:
    can_contact_partner: bool
    can_open_with_microsoft: bool
    rule_ids: tuple[str, ...] = field(default_factory=tuple)
    explanation: str = ""


def support_options_for(subscriptions) -> SupportOptions:
    """Decide the customer's support options from its (live) subscriptions.

    ``subscriptions`` is any iterable of objects with ``channel``, ``is_trial`` and ``status``.
    """
    live = [s for s in subscriptions if s.status == SubscriptionStatus.ACTIVE]
    has_csp = any(s.channel == Channel.CSP for s in live)
    direct = [s for s in live if s.channel == Channel.DIRECT]
    direct_paid = any(not s.is_trial for s in direct)
    direct_trial = any(s.is_trial for s in direct)
    if has_csp and direct_paid:
        return SupportOptions(
            can_contact_partner=True,
            can_open_with_microsoft=True,
            rule_ids=("SUPPORT-OPTIONS-PAID",),
            explanation=_(
                "This customer has CSP subscriptions and paid direct subscriptions: it can open a "
                "request with Microsoft or contact its partner."
            ),
        )
    if has_csp and direct_trial:
        return SupportOptions(
            can_contact_partner=True,
            can_open_with_microsoft=False,
            rule_ids=("SUPPORT-OPTIONS-TRIAL",),
            explanation=_(
                "This customer has CSP subscriptions and only trial direct subscriptions: it can only "
                "contact its CSP partner for support."
            ),
        )
    if has_csp:
        return SupportOptions(
            can_contact_partner=True,
            can_open_with_microsoft=False,
            explanation=_("This customer buys through CSP only: its partner is its support contact."),
        )
    return SupportOptions(
        can_contact_partner=False,
        can_open_with_microsoft=bool(direct_paid),
        explanation=_("This customer has no active CSP subscription."),
    )
