"""No link or button leads to a refusal: every persona of ``scenarios/demo.yaml`` signs in, and every
link and form reachable from the home page (to depth 3) answers neither 403, 404 nor 5xx.

The browser pages are those of the URL configuration (``partnercenter.urls``) outside the APIs,
the admin site and the sign-in pages; what a page offers is read from its HTML: ``<a href>``,
``hx-get`` and each ``<form>`` (a GET form is followed with its default values; a POST form is
submitted once per submit button with its default values inside a transaction that is rolled
back, so that nothing it does is kept, and its redirect is not followed). Sign out is not
submitted. The demo is loaded once for the module.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
import yaml
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, get_resolver, resolve

from gdap.models import EntraRole
from gdap.roles import ENTRA_ROLES
from home.navigation import MENU
from partners.models import User
from scenario.loader import scenario_load
from tests.conftest import SIGN_IN_BACKEND

DEMO = Path(settings.BASE_DIR) / "scenarios" / "demo.yaml"
MAX_DEPTH = 3
#: Path prefixes that are not browser pages of the portal: the APIs, their documents, the admin
#: site, health probes and static files.
NOT_PAGES = ("/v1/", "/graph/", "/api/", "/admin/", "/static/", "/healthz", "/readyz", "/metrics")
#: Route names never submitted by the crawl: signing out would end the crawl's own session.
NOT_SUBMITTED = frozenset({"logout"})
REFUSALS = {403, 404}
#: Browser routes the crawl of the demo does not reach from home, with the reason (each is covered
#: by the authorization matrix, tests/security/test_matrix.py, and its app's view tests).
NOT_LINKED: dict[str, str] = {
    "login": "a signed-in user is never sent to the sign-in page",
    "logout": "not submitted (it would end the crawl's session); the header's form is on every page",
    "gdap:relationship_lock": "offered on a created relationship only; the demo stages none",
    "gdap:relationship_delete": "offered on a created relationship only; the demo stages none",
    "queue_saved_rename": "offered on a saved queue only; the demo stages none",
    "queue_saved_delete": "offered on a saved queue only; the demo stages none",
    "webhooks:redeliver": "offered on a failed delivery only; the demo stages none",
    "queue_export_status": "reached through Prepare export's redirect (a POST's redirect is not followed)",
    "queue_export_download": "linked from an export's status page, after Prepare export",
    "portals:new": "reached through New request's redirect with a routing context (after a POST)",
    "portals:request": "the ticket page a portal submit lands on",
    "portals:request_status": "polled by the ticket page",
    "portals:home": "linked from Service management, deeper than 3 from home",
    "portals:tickets": "linked from a portal's home, deeper than 3 from home",
    "servicerequests:handoff_new": "posted from a refusal page (SR-AZURE-NONTECH-PROVIDER-ONLY)",
    "oauth2_token": "the OAuth 2 token endpoint: a POST by an application, never a page",
    "servicerequests:attachment_download": "offered on an attachment only; the demo stages none",
    "servicerequests:attachment_delete": "offered on an attachment only; the demo stages none",
}
#: Route names each persona's crawl reached (filled by the crawl test, read by the coverage test).
REACHED: dict[str, set[str]] = {}


def demo_usernames() -> list[str]:
    data = yaml.safe_load(DEMO.read_text())
    names = [u["username"] for p in data.get("partners", []) for u in p.get("users", [])]
    names += [u["username"] for c in data.get("customers", []) for u in c.get("admins", []) or []]
    return names


class PageLinks(HTMLParser):
    """The links (``href``, ``hx-get``) and forms (method, action, default fields, submit buttons)
    of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("hx-get"):
            self.links.append(a["hx-get"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action") or "",
                "fields": [],
                "buttons": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a.get("name")
            if kind in {"submit", "image"}:
                self._form["buttons"].append((name, a.get("value", "")))
            elif name and kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
            elif name and kind not in {"file", "button", "reset"}:
                self._form["fields"].append((name, a.get("value", "")))
        elif tag == "button":
            if (a.get("type") or "submit").lower() == "submit":
                self._form["buttons"].append((a.get("name"), a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name")
            self._form["fields"].append((self._select, None))
        elif tag == "option" and self._select:
            fields = self._form["fields"]
            name, value = fields[-1]
            if value is None or "selected" in a:
                fields[-1] = (name, a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self._form["fields"].append((a["name"], ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            if self._form and self._form["fields"] and self._form["fields"][-1][1] is None:
                name = self._form["fields"][-1][0]
                self._form["fields"][-1] = (name, "")
            self._select = None


def is_page(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
        return False
    if not parts.path.startswith("/") or parts.path.startswith(NOT_PAGES):
        return False
    try:
        resolve(parts.path)
    except Resolver404:
        return True  # a link to no route: followed, so that it fails as a 404
    return True


def crawl(client: Client, *, start: str = "/", max_depth: int = MAX_DEPTH) -> tuple[list[str], set[str]]:
    """Breadth-first from ``start``; returns the problems (one line each) and the route names reached."""
    problems: list[str] = []
    reached: set[str] = set()
    seen: set[tuple[str, str]] = set()
    queue = deque([("get", start, None, 0, "(start)")])
    while queue:
        method, url, data, depth, found_on = queue.popleft()
        key = (method, url + ("?" + urlencode(sorted(data)) if data else ""))
        if key in seen:
            continue
        seen.add(key)
        path = urlsplit(url).path
        try:
            match = resolve(path)
            name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        except Resolver404:
            name = "(no route)"
        if name in NOT_SUBMITTED:
            continue
        reached.add(name)
        if method == "post":
            with transaction.atomic():
                response = client.post(url, dict(data or ()))
                transaction.set_rollback(True)
        else:
            response = client.get(url)
        if response.status_code in REFUSALS or response.status_code >= 500:
            problems.append(
                f"{method.upper()} {url} ({name}) → {response.status_code}, linked from {found_on}"
            )
            continue
        if method == "post" or depth >= max_depth:
            continue
        if response.status_code in {301, 302, 303, 307, 308}:
            queue.append(("get", urljoin(url, response["Location"]), None, depth, found_on))
            continue
        if "html" not in response.get("Content-Type", ""):
            continue
        parser = PageLinks()
        parser.feed(response.content.decode())
        for href in parser.links:
            target = urljoin(url, href).split("#", 1)[0]
            if target and is_page(target):
                queue.append(("get", target, None, depth + 1, url))
        for form in parser.forms:
            action = urljoin(url, form["action"] or url).split("#", 1)[0]
            if not is_page(action):
                continue
            fields = [(n, v) for n, v in form["fields"] if n]
            if form["method"] == "get":
                base = action.split("?", 1)[0]
                target = base + ("?" + urlencode(fields) if fields else "")
                queue.append(("get", target, None, depth + 1, url))
                continue
            for button_name, button_value in form["buttons"] or [(None, "")]:
                submitted = fields + ([(button_name, button_value)] if button_name else [])
                queue.append(("post", action, tuple(submitted), depth + 1, url))
    return problems, reached


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        for template_id, name, tickets, health in ENTRA_ROLES:
            EntraRole.objects.get_or_create(
                template_id=template_id,
                defaults={"name": name, "support_tickets": tickets, "service_health": health},
            )
        scenario_load(DEMO)
        yield
        transaction.set_rollback(True)


def browser_route_names() -> set[str]:
    """Every named browser route of the URL configuration (namespaced), APIs and admin left out."""
    names: set[str] = set()

    def walk(patterns, prefix, namespace):
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                ns = ":".join(filter(None, [namespace, p.namespace])) if p.namespace else namespace
                walk(p.url_patterns, route, ns)
            elif p.name and not ("/" + route).startswith(NOT_PAGES):
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, "", "")
    return names


#: Pages each persona must reach from the home page (the crawl is not vacuous, and the features of
#: README's persona table are linked, not only typed in).
MUST_REACH = {
    "alice": {"servicerequests:new", "customers:service_health", "gdap:relationship_create", "audit:log"},
    "hank": {"queues", "servicerequests:detail", "customers:detail"},
    "maria": {"queue_reports", "queue_bulk", "servicerequests:detail"},
    "sam": {"servicerequests:detail"},
    "tom": {"gdap:invitation", "servicerequests:new"},
    "nora": {"servicerequests:new", "queues"},
    "fiona": {"gdap:partner_relationships", "servicerequests:filed_for_us", "customers:own_support_options"},
    "will": {"gdap:partner_relationships", "gdap:relationship_terminate"},
    "cora": {"gdap:invitation", "gdap:partner_relationships"},
}
#: Pages a persona must not be offered (they would refuse it).
MUST_NOT_REACH = {
    "hank": {"customers:service_health", "servicerequests:new"},
    "maria": {"customers:service_health", "servicerequests:new"},
    "sam": {"servicerequests:new", "queue_bulk"},
    "bill": {"servicerequests:list"},
    "fiona": {"servicerequests:new", "servicerequests:new_own", "customers:list"},
}


@pytest.mark.parametrize("username", demo_usernames())
def test_no_link_or_button_leads_to_a_refusal(demo, db, username):
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user, backend=SIGN_IN_BACKEND)
    problems, reached = crawl(client)
    REACHED[username] = reached
    assert not problems, f"{username}: {len(problems)} refusals:\n" + "\n".join(problems)
    assert "home" in reached
    assert MUST_REACH.get(username, set()) <= reached, MUST_REACH[username] - reached
    assert not MUST_NOT_REACH.get(username, set()) & reached


def test_every_browser_route_is_reached_by_some_persona():
    """Generated from the URL configuration: each browser page is linked from somewhere a persona
    reaches from home (or is listed in ``NOT_LINKED`` with its reason), so the crawl covers it."""
    if set(REACHED) != set(demo_usernames()):
        pytest.skip("runs after the crawl of every persona (this module, in order)")
    reached = set().union(*REACHED.values())
    missing = sorted(browser_route_names() - reached - set(NOT_LINKED))
    assert not missing, f"browser pages no persona reaches from home: {missing}"


def test_the_crawl_reports_a_refused_link(demo, db):
    """The crawl itself fails on a refusal: hank, sent straight to a page he may not open."""
    client = Client()
    client.force_login(User.objects.get(username="hank"), backend=SIGN_IN_BACKEND)
    problems, _reached = crawl(client, start="/service-health/")
    assert problems and "→ 403" in problems[0]


def test_every_route_of_the_menu_is_a_browser_route():
    """Each menu entry names a route of the URL configuration (a renamed page can't drop silently)."""
    routes = browser_route_names()
    assert {entry.url_name for entry in MENU} <= routes
