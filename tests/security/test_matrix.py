"""The authorisation matrix: every URL of the project × persona × own / other partner's objects.

Generated, not hand-written: ``project_urls()`` walks the URL configuration (browser pages, ``/v1``
and Graph, everything but ``admin/`` and static files), fills each pattern's keywords with the ids
of partner A's or partner B's objects, and requests it as each persona. What each persona should
get is computed from ``URL_RULES`` (URL name → the name of a rule in ``RULES``), so the
expectations are data:

- anonymous → ``rule.anonymous`` (302 to the sign-in page in the browser, 401 on the API),
- another partner's object → ``rule.other`` (404: it does not exist for you),
- a role outside ``rule.allowed`` → ``rule.denied`` (403), or ``rule.other`` for the roles in
  ``rule.hidden`` (their selector returns nothing, so the object is not found),
- everyone else → ``rule.ok``.

GET is checked for every combination; each unsafe method a URL accepts (``UNSAFE``) is checked for
every combination that must be refused (anonymous, other partner, insufficient role), which must
also write no audit event. **A URL name missing from ``URL_RULES`` fails** ``test_every_url_has_a_rule``,
so a new page or endpoint can't escape the matrix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from core.models import ApiToken

from .conftest import PERSONAS, written_rows

ALL_PERSONAS = ("anonymous", *PERSONAS)
PARTNER_ROLES = frozenset(
    {
        "admin_agent",
        "admin_agent_other_partner",
        "helpdesk_agent",
        "sales_agent",
        "billing_admin",
        "support_manager",
    }
)
SIGNED_IN = PARTNER_ROLES | {"customer_admin"}
ADMIN_AGENTS = frozenset({"admin_agent", "admin_agent_other_partner"})
SR_VIEWERS = ADMIN_AGENTS | {"helpdesk_agent", "sales_agent", "support_manager"}  # SR-VIEW
# A sales agent only reads; a helpdesk agent changes only the requests assigned to them, and the
# staged request is assigned to nobody (tests/servicerequests/test_services_update.py covers both).
SR_WRITERS = ADMIN_AGENTS | {"support_manager"}
MANAGERS = ADMIN_AGENTS | {"support_manager"}  # audit log and webhooks
SR_HIDDEN = frozenset({"billing_admin", "customer_admin"})  # SR-VIEW: their request lists are empty
SUPPORT_MANAGERS = frozenset({"support_manager"})
QUEUE_USERS = ADMIN_AGENTS | {"helpdesk_agent", "support_manager"}
EXPORT_OWNERS = frozenset({"support_manager", "admin_agent_other_partner"})  # tests/security/conftest.py


@dataclass(frozen=True)
class Rule:
    """Expected statuses of one kind of URL (see the module docstring)."""

    allowed: frozenset[str]
    ok: int = 200
    anonymous: int = 302
    denied: int = 403
    other: int = 404
    hidden: frozenset[str] = frozenset()
    # The role is checked before the object is looked up: another partner's object + a refused role → 403.
    role_first: bool = False


API = {"anonymous": 401}

RULES: dict[str, Rule] = {
    # --- anyone ---------------------------------------------------------------------------
    "public": Rule(allowed=SIGNED_IN, anonymous=200),
    "public_not_found": Rule(allowed=SIGNED_IN, ok=404, anonymous=404),
    "signin_page": Rule(allowed=frozenset(), anonymous=200, denied=302),
    "post_only_public": Rule(allowed=SIGNED_IN, ok=405, anonymous=405),
    # --- browser ------------------------------------------------------------------------
    "signed_in": Rule(allowed=SIGNED_IN),
    "partner_user": Rule(allowed=PARTNER_ROLES, denied=404),
    "admin_agent_only": Rule(allowed=ADMIN_AGENTS),
    "managers_only": Rule(allowed=MANAGERS),
    "customer_scoped": Rule(allowed=SIGNED_IN),
    "customer_filing": Rule(allowed=ADMIN_AGENTS),
    "request_scoped": Rule(allowed=SR_VIEWERS, hidden=SR_HIDDEN),
    "request_write": Rule(allowed=SR_WRITERS, hidden=SR_HIDDEN),
    "relationship_scoped": Rule(allowed=SIGNED_IN),
    "relationship_admin": Rule(allowed=ADMIN_AGENTS),
    "relationship_terminate": Rule(allowed=ADMIN_AGENTS | {"customer_admin"}),
    "invitation_approver": Rule(allowed=frozenset({"customer_admin"})),
    # the customer admin portal (partner relationships, requests filed for us, support options)
    "customer_admin_only": Rule(allowed=frozenset({"customer_admin"})),
    "portal_context": Rule(allowed=SIGNED_IN, ok=400),
    "delivery_manager": Rule(allowed=MANAGERS, role_first=True),
    "queue_user": Rule(allowed=QUEUE_USERS),
    "support_manager_only": Rule(allowed=SUPPORT_MANAGERS),
    # a saved queue: agents may open queues but only "My requests", so a saved one is not found for them
    "saved_queue": Rule(allowed=SUPPORT_MANAGERS, hidden=QUEUE_USERS - SUPPORT_MANAGERS, role_first=True),
    "saved_queue_write": Rule(allowed=SUPPORT_MANAGERS, role_first=True),
    # a background queue export is its requester's alone (A's: the support manager's; B's: B's admin
    # agent's): every other queue user gets "not found", the other roles may not open queues at all
    "own_export": Rule(allowed=EXPORT_OWNERS, hidden=QUEUE_USERS - EXPORT_OWNERS, role_first=True),
    # --- API (/v1 and /graph/v1.0): anonymous → 401 -------------------------------------
    "api_signed_in": Rule(allowed=SIGNED_IN, **API),
    "api_partner_user": Rule(allowed=PARTNER_ROLES, denied=403, **API),
    "api_customer_scoped": Rule(allowed=SIGNED_IN, **API),
    "api_customer_health": Rule(allowed=ADMIN_AGENTS, **API),
    "api_request_list": Rule(allowed=SIGNED_IN, **API),
    "api_request_scoped": Rule(allowed=SR_VIEWERS, hidden=SR_HIDDEN, **API),
    "api_managers_only": Rule(allowed=MANAGERS, role_first=True, **API),
    "api_relationship_scoped": Rule(allowed=SIGNED_IN, **API),
    # a customer-side admin has no partner: the partner's groups and customers don't exist for them
    "api_partner_scoped": Rule(allowed=PARTNER_ROLES, hidden=frozenset({"customer_admin"}), **API),
    # a Graph call in a tenant's context: a customer-side admin's own tenant; a partner's user must
    # name the customer (tenantId, tests/api/test_graph_service_health.py), so without it: 400
    "api_tenant_context": Rule(allowed=frozenset({"customer_admin"}), denied=400, **API),
    "api_admin_agents": Rule(allowed=ADMIN_AGENTS, role_first=True, **API),
    # hand-offs: read like requests (SR-VIEW); filed by the provider's admin agents, declined and
    # annotated by its admin agents and support managers
    "handoff_file": Rule(allowed=ADMIN_AGENTS, hidden=SR_HIDDEN),
    "handoff_decide": Rule(allowed=MANAGERS, hidden=SR_HIDDEN),
    "api_handoff_file": Rule(allowed=ADMIN_AGENTS, hidden=SR_HIDDEN, **API),
    "api_handoff_decide": Rule(allowed=MANAGERS, hidden=SR_HIDDEN, **API),
}

# URL name → rule name. Every named URL of the project must be here.
URL_RULES: dict[str, str] = {
    # site
    "home": "signed_in",
    "login": "signin_page",
    "logout": "post_only_public",
    "language_set": "post_only_public",
    "healthz": "public",
    "readyz": "public",
    "api_access": "signed_in",
    "applications": "admin_agent_only",
    "oauth2_token": "post_only_public",
    "schema": "public",
    "swagger-ui": "public",
    # customers
    "customers:list": "signed_in",
    "customers:detail": "customer_scoped",
    "customers:relationships": "customer_scoped",
    "customers:service_management": "customer_scoped",
    "customers:service_requests": "customer_scoped",
    "customers:support_options": "customer_scoped",
    "customers:own_support_options": "customer_admin_only",
    "customers:service_health": "admin_agent_only",
    # service requests
    "servicerequests:list": "signed_in",
    "servicerequests:new_pick": "admin_agent_only",
    "servicerequests:filed_for_us": "customer_admin_only",
    "servicerequests:new_own": "partner_user",
    "servicerequests:detail": "request_scoped",
    "servicerequests:note_add": "request_write",
    "servicerequests:attachment_add": "request_write",
    "servicerequests:attachment_download": "request_scoped",
    "servicerequests:attachment_delete": "request_write",
    "servicerequests:new": "customer_filing",
    "servicerequests:handoff_new": "customer_filing",
    "servicerequests:handoff_list": "signed_in",
    "servicerequests:handoff_detail": "request_scoped",
    "servicerequests:handoff_file": "handoff_file",
    "servicerequests:handoff_decline": "handoff_decide",
    "servicerequests:handoff_note_add": "handoff_decide",
    # GDAP
    "gdap:relationship_list": "signed_in",
    "gdap:relationship_create": "admin_agent_only",
    "gdap:role_template_create": "admin_agent_only",
    "gdap:relationship_detail": "relationship_scoped",
    "gdap:relationship_lock": "relationship_admin",
    "gdap:relationship_auto_extend": "relationship_admin",
    "gdap:relationship_terminate": "relationship_terminate",
    "gdap:relationship_delete": "relationship_admin",
    "gdap:assignment_create": "relationship_admin",
    "gdap:assignment_delete": "relationship_admin",
    "gdap:invitation_list": "signed_in",
    "gdap:invitation": "invitation_approver",
    "gdap:partner_relationships": "customer_admin_only",
    # stub portals
    "portals:new": "portal_context",
    "portals:home": "customer_scoped",
    "portals:tickets": "customer_scoped",
    "portals:request": "request_scoped",
    "portals:request_status": "request_scoped",
    # support managers' queues and reports
    "queues": "queue_user",
    "queue_reports": "support_manager_only",
    "queue_handoffs": "managers_only",
    "queue_bulk": "support_manager_only",
    "queue_saved_create": "support_manager_only",
    "queue_saved_rename": "saved_queue_write",
    "queue_saved_delete": "saved_queue_write",
    "queue_detail": "saved_queue",
    "queue_export": "saved_queue",
    "queue_export_prepare": "saved_queue",
    "queue_export_status": "own_export",
    "queue_export_download": "own_export",
    # audit and webhooks
    "audit:log": "managers_only",
    "audit:export": "managers_only",
    "webhooks:registration": "managers_only",
    "webhooks:deliveries": "managers_only",
    "webhooks:redeliver": "delivery_manager",
    # /v1
    "v1:customer-list": "api_signed_in",
    "v1:customer-detail": "api_customer_scoped",
    "v1:customer-subscription-list": "api_customer_scoped",
    "v1:customer-subscription-detail": "api_customer_scoped",
    "v1:customer-support-options": "api_customer_scoped",
    "v1:customer-managed-services": "api_customer_scoped",
    "v1:customer-service-incidents": "api_customer_health",
    "v1:servicerequest-list": "api_request_list",
    "v1:servicerequest-create-in-locale": "api_signed_in",
    "v1:supporttopic-list": "api_signed_in",
    "v1:servicerequest-detail": "api_request_scoped",
    "v1:servicerequest-attachment-list": "api_request_scoped",
    "v1:servicerequest-attachment-detail": "api_request_scoped",
    "v1:customer-servicerequest-list": "api_customer_scoped",
    "v1:customer-servicerequest-eligibility": "api_customer_scoped",
    "v1:customer-servicerequest-detail": "api_request_scoped",
    "v1:customer-servicerequest-handoffs": "api_customer_scoped",
    "v1:servicerequest-handoff-list": "api_request_list",
    "v1:servicerequest-handoff-detail": "api_request_scoped",
    "v1:servicerequest-handoff-accept": "api_handoff_file",
    "v1:servicerequest-handoff-decline": "api_handoff_decide",
    "v1:servicerequest-handoff-notes": "api_handoff_decide",
    "v1:webhook-registration": "api_managers_only",
    "v1:webhook-test": "api_managers_only",
    "v1:auditrecord-list": "api_managers_only",
    "v1:auditrecord-detail": "api_managers_only",
    "v1:application-list": "api_admin_agents",
    "v1:application-detail": "api_admin_agents",
    "v1:application-secret-list": "api_admin_agents",
    "v1:application-secret-detail": "api_admin_agents",
    "v1:not-found": "public_not_found",
    # /graph/v1.0
    "graph:relationship_list": "api_signed_in",
    "graph:relationship_detail": "api_relationship_scoped",
    "graph:request_list": "api_relationship_scoped",
    "graph:request_detail": "api_relationship_scoped",
    "graph:assignment_list": "api_relationship_scoped",
    "graph:assignment_detail": "api_relationship_scoped",
    "graph:operation_list": "api_relationship_scoped",
    "graph:operation_detail": "api_relationship_scoped",
    "graph:customer_list": "api_signed_in",
    "graph:customer_detail": "api_partner_scoped",
    "graph:service_management_details": "api_partner_scoped",
    "graph-service-health-issues": "api_tenant_context",
    "graph:group_list": "api_signed_in",
    "graph:group_detail": "api_partner_scoped",
    "graph:group_members": "api_partner_scoped",
}

# URLs whose GET is not served (unsafe methods only): a signed-in GET is 405.
POST_ONLY = frozenset(
    {
        "servicerequests:note_add",
        "servicerequests:attachment_add",
        "servicerequests:attachment_delete",
        "gdap:role_template_create",
        "gdap:relationship_lock",
        "gdap:relationship_auto_extend",
        "gdap:relationship_delete",
        "gdap:assignment_create",
        "gdap:assignment_delete",
        "webhooks:redeliver",
        "v1:webhook-test",
        "v1:servicerequest-create-in-locale",
        "v1:customer-servicerequest-eligibility",
        "v1:application-secret-list",
        "v1:application-secret-detail",
        "queue_bulk",
        "queue_saved_create",
        "queue_saved_rename",
        "queue_saved_delete",
        "queue_export_prepare",
        "servicerequests:handoff_new",
        "servicerequests:handoff_file",
        "servicerequests:handoff_decline",
        "servicerequests:handoff_note_add",
        "v1:customer-servicerequest-handoffs",
        "v1:servicerequest-handoff-accept",
        "v1:servicerequest-handoff-decline",
        "v1:servicerequest-handoff-notes",
    }
)

# Unsafe methods each URL accepts; their refusals are checked (the allowed personas' writes are
# the subject of the feature tests).
UNSAFE: dict[str, tuple[str, ...]] = {
    "api_access": ("POST",),
    "applications": ("POST",),
    "servicerequests:new_own": ("POST",),
    "servicerequests:note_add": ("POST",),
    "servicerequests:attachment_add": ("POST",),
    "servicerequests:attachment_delete": ("POST",),
    "servicerequests:new": ("POST",),
    "gdap:relationship_create": ("POST",),
    "gdap:role_template_create": ("POST",),
    "gdap:relationship_lock": ("POST",),
    "gdap:relationship_auto_extend": ("POST",),
    "gdap:relationship_terminate": ("POST",),
    "gdap:relationship_delete": ("POST",),
    "gdap:assignment_create": ("POST",),
    "gdap:assignment_delete": ("POST",),
    "gdap:invitation": ("POST",),
    "portals:new": ("POST",),
    "webhooks:registration": ("POST",),
    "webhooks:redeliver": ("POST",),
    "queue_bulk": ("POST",),
    "queue_saved_create": ("POST",),
    "queue_saved_rename": ("POST",),
    "queue_saved_delete": ("POST",),
    "queue_export_prepare": ("POST",),
    "servicerequests:handoff_new": ("POST",),
    "servicerequests:handoff_file": ("POST",),
    "servicerequests:handoff_decline": ("POST",),
    "servicerequests:handoff_note_add": ("POST",),
    "v1:customer-servicerequest-handoffs": ("POST",),
    "v1:servicerequest-handoff-accept": ("POST",),
    "v1:servicerequest-handoff-decline": ("POST",),
    "v1:servicerequest-handoff-notes": ("POST",),
    "v1:servicerequest-list": ("POST",),
    "v1:servicerequest-create-in-locale": ("POST",),
    "v1:servicerequest-detail": ("PATCH",),
    "v1:servicerequest-attachment-list": ("POST",),
    "v1:servicerequest-attachment-detail": ("DELETE",),
    "v1:customer-servicerequest-list": ("POST",),
    "v1:customer-servicerequest-eligibility": ("POST",),
    "v1:customer-servicerequest-detail": ("PATCH",),
    "v1:webhook-registration": ("POST", "DELETE"),
    "v1:webhook-test": ("POST",),
    "v1:application-list": ("POST",),
    "v1:application-detail": ("DELETE",),
    "v1:application-secret-list": ("POST",),
    "v1:application-secret-detail": ("DELETE",),
    "graph:relationship_list": ("POST",),
    "graph:relationship_detail": ("PATCH", "DELETE"),
    "graph:request_list": ("POST",),
    "graph:assignment_list": ("POST",),
    "graph:assignment_detail": ("PATCH", "DELETE"),
}

# Some writes are refused by the request's own rules before the role matters; the status a refused
# persona gets for them, where it differs from the GET rule, is given here as a rule name.
UNSAFE_RULES: dict[str, str] = {
    "v1:servicerequest-attachment-list": "api_request_write",
    "v1:servicerequest-attachment-detail": "api_request_write",
    "v1:servicerequest-detail": "api_request_write",
    "v1:customer-servicerequest-detail": "api_request_write",
    "v1:servicerequest-list": "api_filing",
    "v1:servicerequest-create-in-locale": "api_filing",
    "v1:customer-servicerequest-list": "api_filing",
    "servicerequests:new_own": "partner_user",
    "v1:customer-servicerequest-handoffs": "api_filing",
}
RULES["api_request_write"] = Rule(allowed=SR_WRITERS, hidden=SR_HIDDEN, **API)
RULES["api_filing"] = Rule(allowed=ADMIN_AGENTS, **API)

FILING = {
    "title": "Matrix: mail delayed",
    "description": "Mail delivery is delayed.",
    "severity": "minimal",
    "workload": "m365",
}
# Valid bodies, so that a refusal comes from authorisation and not from a missing field.
UNSAFE_BODIES: dict[str, dict] = {
    "servicerequests:note_add": {"text": "A note from the matrix."},
    "v1:customer-servicerequest-list": FILING,
    "v1:servicerequest-list": {**FILING, "supportEntitlementId": "PREM-1", "supportTopicId": 32444610},
    "v1:servicerequest-create-in-locale": {
        **FILING,
        "supportEntitlementId": "PREM-1",
        "supportTopicId": 32444610,
    },
    "v1:servicerequest-detail": {"newNote": {"text": "A note from the matrix."}},
    "v1:customer-servicerequest-detail": {"newNote": {"text": "A note from the matrix."}},
    "v1:application-list": {"displayName": "Matrix app", "scopes": ["audit.read"]},
    "applications": {
        "action": "create",
        "display_name": "Matrix app",
        "scopes": "audit.read",
        "secret_expires_in_days": "180",
    },
    "servicerequests:handoff_new": {
        "subscription_id": "8c1b3a52-0d4e-4c1f-9a57-0b6f7e3d2a10",
        "issue_type": "billing",
        "title": "Matrix: invoice",
        "description": "The invoice is wrong.",
        "severity": "minimal",
        "contact_first_name": "Matrix",
        "contact_last_name": "Tester",
        "contact_email": "matrix@partner.example",
    },
    "servicerequests:handoff_file": {"title": "Matrix", "description": "Filed.", "severity": "minimal"},
    "servicerequests:handoff_decline": {"reason": "Not ours."},
    "servicerequests:handoff_note_add": {"text": "A note from the matrix."},
    "v1:customer-servicerequest-handoffs": {
        "subscriptionId": "8c1b3a52-0d4e-4c1f-9a57-0b6f7e3d2a10",
        "issueType": "billing",
        "title": "Matrix: invoice",
        "description": "The invoice is wrong.",
        "severity": "minimal",
    },
    "v1:servicerequest-handoff-decline": {"reason": "Not ours."},
    "v1:servicerequest-handoff-notes": {"text": "A note from the matrix."},
}


def _walk(patterns, prefix: str = "", namespace: str = "", keywords: frozenset[str] = frozenset()):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        names = keywords | frozenset(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            if route.startswith(("admin/", "static/", "^static/")):
                continue
            space = ":".join(p for p in (namespace, entry.namespace) if p)
            yield from _walk(entry.url_patterns, route, space, names)
        elif isinstance(entry, URLPattern):
            if route.startswith(("admin/", "static/", "^static/")):
                continue
            key = (
                f"{namespace}:{entry.name}"
                if namespace and entry.name
                else entry.name or f"<unnamed {route}>"
            )
            yield key, route, names


def project_urls() -> dict[str, frozenset[str]]:
    """Every URL name of the project (but admin and static) → the keywords its pattern takes."""
    return {key: names for key, _route, names in _walk(get_resolver().url_patterns)}


URLS = project_urls()


def test_every_url_has_a_rule():
    missing = sorted(set(URLS) - set(URL_RULES))
    assert missing == [], f"URLs without an authorisation rule in URL_RULES: {missing}"
    stale = sorted(set(URL_RULES) - set(URLS))
    assert stale == [], f"URL_RULES names URLs that no longer exist: {stale}"
    assert sorted({URL_RULES[k] for k in URL_RULES} - set(RULES)) == []


def url_for(world, key: str, org_key: str) -> str:
    """The URL with its keywords filled from organisation ``org_key``'s objects."""
    org = world.orgs[org_key]
    namespace = key.split(":", 1)[0] if ":" in key else ""
    values = {
        "customer_id": org.customer.pk,
        "tenant_id": org.customer.pk,
        "relationship_id": org.relationship.pk,
        "assignment_id": org.assignment.pk,
        "operation_id": org.operation.pk,
        "attachment_id": org.attachment.pk,
        "group_id": org.group.pk,
        "delivery_id": org.delivery.delivery_id,
        "record_id": org.audit_event_id,
        "subscription_id": org.subscription.pk,
        "handoff_id": org.handoff.pk,
        "portal": org.service_request.portal,
        "key": f"saved-{org.saved_queue.pk}" if org.saved_queue else "mine",
        "pk": org.saved_queue.pk if org.saved_queue else 0,
        "export_id": org.queue_export.pk if org.queue_export else "00000000-0000-0000-0000-000000000000",
        "request_id": org.relationship_request.pk if namespace == "graph" else org.service_request.pk,
        "agent_locale": "pt-BR",
        "application_id": org.app.pk,
        "key_id": org.app.secrets.values_list("pk", flat=True).first(),
    }
    if key == "v1:not-found":
        return "/v1/no-such-resource"
    return reverse(key, kwargs={name: values[name] for name in URLS[key]})


def is_api(path: str) -> bool:
    return path.startswith(("/v1/", "/graph/"))


def expected_status(rule: Rule, persona: str, ownership: str) -> int:
    """What ``persona`` gets from a URL of ``rule`` on its own objects or another partner's."""
    if persona == "anonymous":
        return rule.anonymous
    if persona in rule.hidden:
        return rule.other
    if persona not in rule.allowed:
        return rule.other if ownership == "other" and not rule.role_first else rule.denied
    return rule.other if ownership == "other" else rule.ok


def request_as(world, persona: str, method: str, path: str, body: dict | None = None):
    body = body or {}
    if is_api(path):
        client = APIClient()
        if persona != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens[persona]}")
        if method == "GET":
            return client.get(path)
        return client.generic(method, path, json.dumps(body), content_type="application/json")
    client = Client() if persona == "anonymous" else world.clients[persona]
    if method == "GET":
        return client.get(path)
    return client.generic(method, path, urlencode(body), content_type="application/x-www-form-urlencoded")


def combinations(world, key: str):
    """(persona, ownership, path) for every persona against A's objects and, when the URL names an
    object, B's objects too; ownership is ``own`` when the persona belongs to that partner."""
    org_keys = ("A", "B") if URLS[key] - {"portal", "agent_locale"} else ("A",)
    for org_key in org_keys:
        path = url_for(world, key, org_key)
        for persona in ALL_PERSONAS:
            if persona == "anonymous" and org_key == "B":
                continue
            persona_org = world.persona_org(persona)
            ownership = "own" if persona_org in (None, org_key) or len(org_keys) == 1 else "other"
            yield persona, ownership, path


@pytest.mark.parametrize("key", sorted(URL_RULES))
def test_get(staged_world, db, key):
    if key not in URLS:
        pytest.fail(f"{key} is in URL_RULES but not routed")
    rule = RULES[URL_RULES[key]]
    actual, expected = {}, {}
    for persona, ownership, path in combinations(staged_world, key):
        label = f"{persona} {ownership} GET {path}"
        actual[label] = request_as(staged_world, persona, "GET", path).status_code
        if key in POST_ONLY:
            # the method is checked first, except by API views that check the role on every method
            refused_first = is_api(path) and rule.role_first and persona not in rule.allowed | {"anonymous"}
            expected[label] = (
                rule.anonymous if persona == "anonymous" else rule.denied if refused_first else 405
            )
        else:
            expected[label] = expected_status(rule, persona, ownership)
    assert actual == expected


UNSAFE_CASES = [(key, method) for key, methods in sorted(UNSAFE.items()) for method in methods]


@pytest.mark.parametrize(("key", "method"), UNSAFE_CASES)
def test_unsafe_refused(staged_world, db, key, method):
    """Anonymous, another partner's object and an insufficient role are refused and write nothing."""
    rule = RULES[UNSAFE_RULES.get(key, URL_RULES[key])]
    actual, expected = {}, {}
    rows_before = written_rows()
    for persona, ownership, path in combinations(staged_world, key):
        refused = persona == "anonymous" or ownership == "other" or persona not in rule.allowed
        if not refused:
            continue
        label = f"{persona} {ownership} {method} {path}"
        actual[label] = request_as(staged_world, persona, method, path, UNSAFE_BODIES.get(key)).status_code
        expected[label] = expected_status(rule, persona, ownership)
    assert actual == expected
    assert written_rows() == rows_before


@pytest.mark.parametrize("persona", ["admin_agent_other_partner", "sales_agent", "customer_admin"])
def test_nobody_revokes_someone_elses_api_token(staged_world, db, persona):
    """Tokens are objects named in the form body, not the URL: another user's token key is "no such token"."""
    victim = staged_world.tokens["admin_agent"]
    token_key = ApiToken.objects.get(user=staged_world.users["admin_agent"]).token_key
    rows_before = written_rows()
    response = staged_world.clients[persona].post(
        "/settings/api-access/", {"action": "revoke", "token_key": token_key}, follow=True
    )
    assert response.status_code == 200
    assert "No such token." in response.content.decode()
    assert written_rows() == rows_before
    still_valid = APIClient(HTTP_AUTHORIZATION=f"Bearer {victim}").get("/v1/customers")
    assert still_valid.status_code == 200
