"""The GDAP glossary (``gdap:help``): the words of the GDAP pages in plain language, linked from
every GDAP page ("What do these terms mean?") and from the help icons beside key terms."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

#: (anchor, term, definition). The anchor (``#term-<anchor>``) is what the pages link to.
GLOSSARY: tuple[tuple[str, str, str], ...] = (
    (
        "gdap",
        _("GDAP (granular delegated admin privileges)"),
        _(
            "The way a customer lets a partner administer its Microsoft tenant with only the roles "
            "it needs, for a limited time, instead of full and permanent administrator rights."
        ),
    ),
    (
        "admin-relationship",
        _("Admin relationship"),
        _(
            "The agreement between one partner and one customer: which Microsoft Entra roles the "
            "partner may use in the customer's tenant, and for how long. The partner requests it; "
            "the customer's Global Administrator approves it."
        ),
    ),
    (
        "relationship-request",
        _("Relationship request (invitation)"),
        _(
            "A relationship the partner has locked for approval. The partner sends its invitation "
            "link to the customer, whose Global Administrator approves all its roles or rejects it "
            "within 90 days."
        ),
    ),
    (
        "security-group",
        _("Security group"),
        _(
            "A group of the partner's own users (agents), such as a support desk. Roles are never "
            "given to a person directly: they are given to a group, and everyone in it gets them."
        ),
    ),
    (
        "access-assignment",
        _("Access assignment"),
        _(
            "Gives some of an active relationship's roles to one of the partner's security groups. "
            "Until a role is assigned, no agent can use it, even in an active relationship."
        ),
    ),
    (
        "entra-role",
        _("Microsoft Entra role"),
        _(
            "A built-in administrator role of the customer's tenant, such as Service Support "
            "Administrator or Global Reader. Each role allows certain tasks: filing support "
            "requests, reading service health, and so on. Role names stay in English, as Microsoft "
            "shows them."
        ),
    ),
    (
        "least-privilege",
        _("Least privilege"),
        _(
            "Ask only for the roles a task needs. Service Support Administrator is enough to file "
            "support requests and Global Reader to read service health; Global Administrator is "
            "almost never needed."
        ),
    ),
    (
        "auto-extend",
        _("Auto-extend"),
        _(
            "When it is on, an active relationship renews itself for 180 days at each end date, "
            "until the partner turns it off or either side terminates the relationship. It is not "
            "possible with Global Administrator."
        ),
    ),
    (
        "expiry",
        _("Expiry"),
        _(
            "A relationship lasts from 1 to 730 days after approval. At its end date it expires "
            "(unless it auto-extends) and the partner loses its roles; a new relationship needs a "
            "new approval. Partners are warned 30, 7 and 1 days before."
        ),
    ),
    (
        "reseller-relationship",
        _("Reseller relationship"),
        _(
            "The commercial link between a customer and the partner that sells it Microsoft "
            "subscriptions (directly, or as an indirect reseller through an indirect provider). "
            "It is separate from GDAP: selling to a customer gives no admin access to its tenant."
        ),
    ),
)


@login_required
def gdap_help(request):
    """The glossary of GDAP terms, each with an anchor the pages link to."""
    terms = [{"anchor": anchor, "term": term, "definition": text} for anchor, term, text in GLOSSARY]
    return render(request, "gdap/help.html", {"terms": terms})
