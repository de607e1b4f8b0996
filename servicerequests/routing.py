"""Routing an allowed request to its workload portal with a signed, expiring context.

After an allowed decision, the partner portal issues a routing context: a
token signed with ``django.core.signing`` (salted, timestamped) that carries
the partner, the user, the customer's tenant id (never the partner's own
tenant; None for a request about the partner's own subscription), the
workload, the subscription, the issue type and the partner's cloud. The
stub portal reads it back with :func:`routing_context_read`, which refuses
a tampered token, a token older than ``settings.ROUTING_CONTEXT_MAX_AGE``
seconds, and a token issued to another user. At submit time the portal
evaluates eligibility again (``RoutingContext.filing_fields`` into the filing
pipeline, ``services.filing``), so a GDAP relationship that ended in between is refused.
A context files once: the filing records its digest (``RoutingContextUse``, in the filing's
transaction), and a second submit shows the request it already filed
(:func:`routing_context_filed`).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing

from partners.models import User
from servicerequests.eligibility import Decision, EligibilityRequest
from servicerequests.eligibility.engine import portal_route_for
from servicerequests.models import RoutingContextUse, ServiceRequest

SALT = "servicerequests.routing.context"
TOKEN_PARAMETER = "ctx"


class RoutingContextInvalid(Exception):
    """A routing token that can't be used; ``reason`` is ``tampered``, ``expired`` or ``wrong_user``."""

    MESSAGES = {
        "tampered": "The portal link is invalid: it was altered or is not one this portal issued.",
        "expired": "The portal link has expired: start the request again from the partner portal.",
        "wrong_user": "The portal link was issued to another user: start the request from your own account.",
    }

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(self.MESSAGES[reason])


@dataclass(frozen=True)
class RoutingContext:
    """What the stub portal may rely on: who acts, for which tenant, about what."""

    partner_id: str
    user_id: Any
    customer_id: str | None  # the customer's tenant id; None for the partner's own subscription
    workload: str
    subscription_id: str | None
    issue_type: str
    cloud: str
    support_entitlement_id: str
    token: str = ""

    @property
    def on_behalf_of_customer(self) -> bool:
        return self.customer_id is not None

    def filing_fields(self) -> dict[str, Any]:
        """What this context fixes of the request, as keyword arguments of
        ``services.eligibility_request_build`` (the portal form adds the contact, severity, plan)."""
        return {
            "customer_id": uuid.UUID(self.customer_id) if self.customer_id else None,
            "workload": self.workload,
            "subscription_id": uuid.UUID(self.subscription_id) if self.subscription_id else None,
            "issue_type": self.issue_type,
            "support_entitlement_id": self.support_entitlement_id,
        }


def routing_context_issue(*, user: User, request: EligibilityRequest) -> str:
    """Sign a routing context for ``request`` filed by ``user``; call it only after an allowed decision.

    Raises ``ValueError`` when the request is not the user's or the user has
    no partner. No side effects (nothing is stored: the token is the state; a random nonce makes
    every token distinct).
    """
    if request.user_id is None or str(request.user_id) != str(user.pk):
        raise ValueError("request.user_id is not the user the routing context is issued to")
    if user.partner_id is None:
        raise ValueError("only a partner user can be routed to a workload portal")
    if request.customer_id is not None and str(request.customer_id) == str(user.partner_id):
        raise ValueError("customer_id is the partner's own tenant; use customer_id=None")
    payload = {
        "p": str(user.partner_id),
        "u": user.pk,
        "c": str(request.customer_id) if request.customer_id is not None else None,
        "w": request.workload,
        "s": str(request.subscription_id) if request.subscription_id else None,
        "i": request.issue_type,
        "cl": user.partner.cloud,
        "e": request.support_entitlement_id,
        # Each issued context is distinct (a context files once), even two alike in one second.
        "n": secrets.token_urlsafe(6),
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def routing_context_read(token: str, *, user: User) -> RoutingContext:
    """Verify and decode ``token`` for ``user``.

    Raises :class:`RoutingContextInvalid` with reason ``expired`` (older than
    ``ROUTING_CONTEXT_MAX_AGE`` seconds), ``tampered`` (bad signature or
    shape) or ``wrong_user`` (issued to someone else).
    """
    try:
        payload = signing.loads(token or "", salt=SALT, max_age=settings.ROUTING_CONTEXT_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise RoutingContextInvalid("expired") from exc
    except signing.BadSignature as exc:
        raise RoutingContextInvalid("tampered") from exc
    if not isinstance(payload, dict) or not {"p", "u", "c", "w"} <= payload.keys():
        raise RoutingContextInvalid("tampered")
    if str(payload["u"]) != str(user.pk) or str(payload["p"]) != str(user.partner_id):
        raise RoutingContextInvalid("wrong_user")
    return RoutingContext(
        partner_id=payload["p"],
        user_id=payload["u"],
        customer_id=payload["c"],
        workload=payload["w"],
        subscription_id=payload.get("s"),
        issue_type=payload.get("i") or "",
        cloud=payload.get("cl") or "commercial",
        support_entitlement_id=payload.get("e") or "",
        token=token,
    )


def routing_context_digest(token: str) -> str:
    """The SHA-256 (hex) by which a used routing context is remembered (``RoutingContextUse``)."""
    return hashlib.sha256(token.encode()).hexdigest()


def routing_context_filed(ctx: RoutingContext) -> ServiceRequest | None:
    """The request this routing context already filed, if any (a context files once)."""
    use = (
        RoutingContextUse.objects.filter(digest=routing_context_digest(ctx.token))
        .select_related("service_request")
        .first()
    )
    return use.service_request if use is not None else None


def portal_redirect_url(target: Decision | RoutingContext, token: str = "") -> str:
    """The stub portal page of ``target`` with the routing token as ``?ctx=``.

    ``target`` is an allowed :class:`Decision` (its portal route) or a
    :class:`RoutingContext` (its workload and cloud; its own token unless
    ``token`` is given). Raises ``ValueError`` when there is no portal to go
    to (a denied decision, marketplace) or no token.
    """
    if isinstance(target, RoutingContext):
        route = portal_route_for(workload=target.workload, cloud=target.cloud)
        token = token or target.token
    else:
        route = target.portal
    if route is None:
        raise ValueError("no workload portal for this request (denied, or not a Microsoft workload)")
    if not token:
        raise ValueError("a routing token is needed")
    return f"{route.url}?{urlencode({TOKEN_PARAMETER: token})}"
