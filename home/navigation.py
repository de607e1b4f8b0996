"""The side menu and the page actions, computed from what the signed-in user may do.

Each menu entry names its page and the predicate the page's view refuses with, so the menu offers
exactly the pages that answer (no link leads to a 403). A new page joins the menu with one line in
``MENU``. ``can`` gives templates of every app the same predicates for their action links and
buttons (``{% if can.file_requests %}``), since a lower app's template can't ask a higher app.

``navigation`` is the context processor (``nav_menu``, ``can``); it adds no query for a partner's
user (roles are prefetched by ``CurrentUserMiddleware``) and one for a customer admin (the count of
invitations waiting for them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from apiaccess.applications import application_registrations_visible
from audit.selectors import audit_log_visible
from customers.selectors import sees_customers_through_partner
from gdap.permissions import is_customer_side
from gdap.selectors import pending_invitations
from partners.models import User
from queues.definitions import is_queue_manager, may_open_queues
from servicerequests.permissions import (
    may_file_requests,
    may_view_partner_health,
    may_view_partner_requests,
    may_view_requests_filed_for_customer,
    may_work_handoffs,
)
from webhooks.selectors import webhooks_visible


def signed_in(user: User) -> bool:
    return True


def is_partner_user(user: User) -> bool:
    return user.partner_id is not None


def works_own_requests(user: User) -> bool:
    """Admin and helpdesk agents open the queues as "My requests"; managers see every queue."""
    return may_open_queues(user) and not is_queue_manager(user)


def invitations_waiting(user: User) -> int:
    return pending_invitations(actor=user).count()


@dataclass(frozen=True)
class MenuEntry:
    """One link of the side menu.

    ``allowed``: the predicate of the page's view. ``current``: route names (``namespace:name``,
    shell patterns allowed) under which the entry is the current page, minus ``not_current``.
    ``count``: an optional number shown beside the label (``count_label`` says what it counts).
    """

    label: str | Promise
    url_name: str
    allowed: Callable[[User], bool]
    current: tuple[str, ...] = ()
    not_current: tuple[str, ...] = ()
    count: Callable[[User], int] | None = None
    count_label: str | Promise = ""

    def is_current(self, route: str) -> bool:
        return any(fnmatchcase(route, p) for p in self.current) and not any(
            fnmatchcase(route, p) for p in self.not_current
        )


CUSTOMER_ADMIN_PAGES = ("customers:own_support_options",)
#: A customer's New request page: under Customers, as its breadcrumb says.
CUSTOMER_REQUEST_PAGES = ("servicerequests:new",)

MENU: tuple[MenuEntry, ...] = (
    MenuEntry(pgettext_lazy("menu", "Home"), "home", signed_in, current=("home",)),
    # A partner's users.
    MenuEntry(
        _("Customers"),
        "customers:list",
        sees_customers_through_partner,
        current=("customers:*", *CUSTOMER_REQUEST_PAGES),
        not_current=("customers:service_health", *CUSTOMER_ADMIN_PAGES),
    ),
    MenuEntry(
        _("Service requests"),
        "servicerequests:list",
        may_view_partner_requests,
        current=("servicerequests:*",),
        not_current=("servicerequests:filed_for_us", "servicerequests:handoff*", *CUSTOMER_REQUEST_PAGES),
    ),
    MenuEntry(
        _("Hand-offs"),
        "servicerequests:handoff_list",
        may_work_handoffs,
        current=("servicerequests:handoff*",),
    ),
    MenuEntry(
        _("Admin relationships"),
        "gdap:relationship_list",
        is_partner_user,
        current=("gdap:*",),
        not_current=("gdap:partner_relationships",),
    ),
    MenuEntry(
        _("Service health"),
        "customers:service_health",
        may_view_partner_health,
        current=("customers:service_health",),
    ),
    MenuEntry(_("Queues"), "queues", is_queue_manager, current=("queues", "queue_*")),
    MenuEntry(_("My requests"), "queues", works_own_requests, current=("queues", "queue_*")),
    MenuEntry(_("Audit log"), "audit:log", lambda u: audit_log_visible(actor=u), current=("audit:*",)),
    MenuEntry(
        _("Webhooks"), "webhooks:registration", lambda u: webhooks_visible(actor=u), current=("webhooks:*",)
    ),
    MenuEntry(_("API access"), "api_access", is_partner_user, current=("api_access",)),
    MenuEntry(
        _("Applications"),
        "applications",
        lambda u: application_registrations_visible(actor=u),
        current=("applications",),
    ),
    # A customer's admins (their side of the Microsoft 365 admin center).
    MenuEntry(
        _("Partner relationships"),
        "gdap:partner_relationships",
        is_customer_side,
        current=("gdap:*",),
        count=invitations_waiting,
        count_label=_("waiting for your approval"),
    ),
    MenuEntry(
        _("Service requests filed for us"),
        "servicerequests:filed_for_us",
        may_view_requests_filed_for_customer,
        current=("servicerequests:filed_for_us",),
    ),
    MenuEntry(
        _("Support options"), "customers:own_support_options", is_customer_side, current=CUSTOMER_ADMIN_PAGES
    ),
)


class Can:
    """The page actions open to the user, by name, each from the predicate its view refuses with."""

    def __init__(self, user: User):
        self._user = user

    @cached_property
    def file_requests(self) -> bool:  # New request, Request about your own subscription
        return may_file_requests(self._user)


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    return f"{match.namespace}:{match.url_name}" if match.namespace else (match.url_name or "")


def menu_for(user: User, route: str = "") -> list[dict]:
    """The user's menu: label, url, whether it is the current page, and its count (None without)."""
    items = []
    for entry in MENU:
        if not entry.allowed(user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # a page not installed in this configuration
            continue
        items.append(
            {
                "label": str(entry.label),
                "url": url,
                "current": entry.is_current(route),
                "count": entry.count(user) if entry.count else None,
                "count_label": str(entry.count_label),
            }
        )
    return items


def navigation(request) -> dict:
    """Context processor: ``nav_menu`` (the side menu) and ``can`` (page actions)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_menu": menu_for(user, route_of(request)), "can": Can(user)}
