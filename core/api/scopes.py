"""Scopes of app-only tokens, and the scope each ``/v1`` and ``/graph/v1.0`` endpoint needs.

An application registered by a partner (``apiaccess``) obtains a token at ``/oauth2/token`` with
some of ``SCOPES``. Every endpoint declares, in ``ENDPOINT_SCOPES`` keyed by its URL name (as
``request.resolver_match.view_name`` spells it), which scope an app token needs for each method:

- a string: that scope, whatever the method;
- a dict ``{"read": scope, "write": scope}``: the first for GET/HEAD/OPTIONS, the second for the
  others (either may be ``USER_ONLY``);
- ``USER_ONLY``: no scope lets an app in; a person's token (or session) is needed.

Personal tokens and sessions are not scoped: their user's roles decide, as before. A request with
an app token to an endpoint missing from the table is refused (fail closed), and
``tests/api/test_app_scopes.py`` fails naming the URL name, so a new endpoint can't go
unscoped. The table is data in the bottom layer: the apps that own the views don't import it,
and ``apiaccess`` reads ``SCOPES`` from here.
"""

from __future__ import annotations

from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import get_access_token_model
from rest_framework.permissions import SAFE_METHODS, BasePermission

SR_READ, SR_WRITE = "servicerequests.read", "servicerequests.write"
CUSTOMERS_READ = "customers.read"
GDAP_READ, GDAP_WRITE = "gdap.read", "gdap.write"
WEBHOOKS_MANAGE = "webhooks.manage"
AUDIT_READ = "audit.read"

# Scope → what it allows (shown on the Applications page, in OpenAPI and in docs/api.md). English
# here (OpenAPI, OAuth); pages translate each with ``gettext`` where they show it.
SCOPES: dict[str, str] = {
    SR_READ: gettext_noop("Read service requests, their notes, support topics and eligibility"),
    SR_WRITE: gettext_noop("File and update service requests (add notes, close, change severity)"),
    CUSTOMERS_READ: gettext_noop("Read customers, subscriptions, support options and service health"),
    GDAP_READ: gettext_noop("Read GDAP relationships, access assignments, operations, customers and groups"),
    GDAP_WRITE: gettext_noop("Create, change and end GDAP relationships and access assignments"),
    WEBHOOKS_MANAGE: gettext_noop("Register, change, test and remove the partner's webhook"),
    AUDIT_READ: gettext_noop("Read the partner's audit records"),
}

USER_ONLY = "user-only"


def read_write(read: str, write: str) -> dict[str, str]:
    return {"read": read, "write": write}


ENDPOINT_SCOPES: dict[str, str | dict[str, str]] = {
    # /v1 customers
    "v1:customer-list": CUSTOMERS_READ,
    "v1:customer-detail": CUSTOMERS_READ,
    "v1:customer-subscription-list": CUSTOMERS_READ,
    "v1:customer-subscription-detail": CUSTOMERS_READ,
    "v1:customer-support-options": CUSTOMERS_READ,
    "v1:customer-managed-services": CUSTOMERS_READ,
    "v1:customer-service-incidents": CUSTOMERS_READ,
    # /v1 service requests
    "v1:servicerequest-list": read_write(SR_READ, SR_WRITE),
    "v1:servicerequest-create-in-locale": SR_WRITE,
    "v1:supporttopic-list": SR_READ,
    "v1:servicerequest-detail": read_write(SR_READ, SR_WRITE),
    "v1:customer-servicerequest-list": read_write(SR_READ, SR_WRITE),
    # POST, but it changes nothing: whether a request could be filed
    "v1:customer-servicerequest-eligibility": SR_READ,
    "v1:customer-servicerequest-detail": read_write(SR_READ, SR_WRITE),
    "v1:servicerequest-attachment-list": read_write(SR_READ, SR_WRITE),
    "v1:servicerequest-attachment-detail": read_write(SR_READ, SR_WRITE),
    # reseller → provider hand-offs (an extension)
    "v1:customer-servicerequest-handoffs": SR_WRITE,
    "v1:servicerequest-handoff-list": SR_READ,
    "v1:servicerequest-handoff-detail": SR_READ,
    "v1:servicerequest-handoff-accept": SR_WRITE,
    "v1:servicerequest-handoff-decline": SR_WRITE,
    "v1:servicerequest-handoff-notes": SR_WRITE,
    # /graph/v1.0 service health (a customer's tenant)
    "graph-service-health-issues": CUSTOMERS_READ,
    # /v1 webhooks and audit
    "v1:webhook-registration": WEBHOOKS_MANAGE,
    "v1:webhook-test": WEBHOOKS_MANAGE,
    "v1:auditrecord-list": AUDIT_READ,
    "v1:auditrecord-detail": AUDIT_READ,
    # /v1 app registrations: managed by admin agents only, never by an app
    "v1:application-list": USER_ONLY,
    "v1:application-detail": USER_ONLY,
    "v1:application-secret-list": USER_ONLY,
    "v1:application-secret-detail": USER_ONLY,
    # /graph/v1.0 GDAP
    "graph:relationship_list": read_write(GDAP_READ, GDAP_WRITE),
    "graph:relationship_detail": read_write(GDAP_READ, GDAP_WRITE),
    "graph:request_list": read_write(GDAP_READ, GDAP_WRITE),
    "graph:request_detail": read_write(GDAP_READ, GDAP_WRITE),
    "graph:assignment_list": read_write(GDAP_READ, GDAP_WRITE),
    "graph:assignment_detail": read_write(GDAP_READ, GDAP_WRITE),
    "graph:operation_list": GDAP_READ,
    "graph:operation_detail": GDAP_READ,
    "graph:customer_list": GDAP_READ,
    "graph:customer_detail": GDAP_READ,
    "graph:service_management_details": GDAP_READ,
    "graph:group_list": GDAP_READ,
    "graph:group_detail": GDAP_READ,
    "graph:group_members": GDAP_READ,
}

# URL names under /v1 or /graph/v1.0 that need no token at all (nothing to scope).
UNAUTHENTICATED = frozenset({"v1:not-found"})


class UndeclaredEndpoint(LookupError):
    """The URL name is not in ``ENDPOINT_SCOPES``."""


def required_scope(view_name: str, method: str) -> str:
    """The scope an app token needs for ``method`` on the endpoint named ``view_name``
    (``USER_ONLY`` when none will do). ``UndeclaredEndpoint`` when the name is not in the table."""
    try:
        entry = ENDPOINT_SCOPES[view_name]
    except KeyError:
        raise UndeclaredEndpoint(view_name) from None
    if isinstance(entry, dict):
        return entry["read" if method.upper() in SAFE_METHODS else "write"]
    return entry


def api_url_names(patterns=None, namespace: str = ""):
    """(URL name, view class) of every named route of the project whose view is a class-based
    API view, walking the URL configuration (namespaces joined with ``:``)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            space = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from api_url_names(entry.url_patterns, space)
        elif isinstance(entry, URLPattern) and entry.name:
            view_class = getattr(entry.callback, "cls", None)
            if view_class is not None:
                yield (f"{namespace}:{entry.name}" if namespace else entry.name), view_class


@cache
def _names_by_view_class() -> dict[type, list[str]]:
    names: dict[type, list[str]] = {}
    for name, view_class in api_url_names():
        names.setdefault(view_class, []).append(name)
    return names


def view_scopes(view, method: str) -> list[str]:
    """The scope an app token needs for ``method`` on the routes served by ``view``'s class
    (empty when only a person's token will do): each operation's scopes in OpenAPI."""
    names = _names_by_view_class().get(type(view), [])
    scopes = set()
    for name in names:
        try:
            scopes.add(required_scope(name, method))
        except UndeclaredEndpoint:
            continue
    return sorted(scopes - {USER_ONLY})


def is_app_token(token) -> bool:
    """True for an app-only access token (django-oauth-toolkit's), False for a personal one."""
    return isinstance(token, get_access_token_model())


class EndpointScopePermission(BasePermission):
    """Lets an app token through only when it holds the scope its endpoint declares for the
    method; personal tokens and sessions are not concerned. The refusal (403, in the surface's
    error shape, recorded as ``auth.permission_denied``) names the missing scope."""

    message = _("Access denied.")

    def has_permission(self, request, view) -> bool:
        token = getattr(request, "auth", None)
        if not is_app_token(token):
            return True
        match = getattr(request, "resolver_match", None)
        view_name = match.view_name if match is not None else ""
        try:
            scope = required_scope(view_name, request.method)
        except UndeclaredEndpoint:
            self.message = gettext("Access denied: %(endpoint)s declares no scope for applications.") % {
                "endpoint": view_name or request.path
            }
            return False
        if scope == USER_ONLY:
            self.message = gettext(
                "Access denied: %(method)s %(path)s needs a user's token; applications can't use it."
            ) % {"method": request.method, "path": request.path}
            return False
        if scope not in token.scope.split():
            self.message = gettext(
                "Access denied: the application's token lacks the scope %(scope)s, which %(method)s "
                "%(path)s needs."
            ) % {"scope": scope, "method": request.method, "path": request.path}
            return False
        return True
