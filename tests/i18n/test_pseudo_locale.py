"""Every string a page shows is marked for translation: each demo persona's pages, rendered in a
pseudo-locale where every translated string is wrapped in ``⟦…⟧``, show no word outside markers
but data (names and texts of the database), product names, rule ids and numbers.

The pages are those a persona reaches from home by links and GET forms to depth 2 (one page per
route name) and from New request, the pages POST forms answer with (a refusal, a form with its
errors, a simulated portal's form), and the sign-in page. A failure names the page and the unmarked fragments.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from partners.models import User
from tests.conftest import SIGN_IN_BACKEND
from tests.home.test_navigation_crawl import PageLinks, demo, demo_usernames, is_page  # noqa: F401
from tests.i18n.pseudo import (
    CLOSE,
    OPEN,
    PSEUDO_LANGUAGE,
    data_vocabulary,
    pseudo_catalogue,
    untranslated_text,
)

MAX_DEPTH = 2


@pytest.fixture(scope="module")
def pseudo_locale(tmp_path_factory):
    folder = pseudo_catalogue(tmp_path_factory.mktemp("pseudo-locale"))
    languages = [*settings.LANGUAGES, (PSEUDO_LANGUAGE, "Pseudo")]
    with override_settings(LANGUAGES=languages, LOCALE_PATHS=[folder, *settings.LOCALE_PATHS]):
        yield


@pytest.fixture(scope="module")
def demo_data(request):
    """The demo world (the navigation crawl's ``demo`` fixture) and the words of its data."""
    request.getfixturevalue("demo")
    return vocabulary_of_database()


def vocabulary_of_database() -> frozenset[str]:
    """The words of every text column of every model: what users typed or the scenario loaded."""
    strings = []
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if fields:
            for row in model.objects.values_list(*fields):
                strings.extend(row)
    return data_vocabulary(strings)


def pseudo_client(user: User | None = None) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = PSEUDO_LANGUAGE
    if user is not None:
        client.force_login(user, backend=SIGN_IN_BACKEND)
    return client


NOT_SUBMITTED = frozenset({"logout", "language_set"})


def _route_name(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def pages_of(client: Client, *starts: str) -> dict[str, tuple[str, str]]:
    """route name → (url, html) of the first page of each route reached from ``start`` by links
    and GET forms; each POST form met is also submitted once with its default values (inside a
    rolled-back transaction) and its answer kept as ``POST <route name>`` when it is a page (a
    refusal, a form with its errors)."""
    pages: dict[str, tuple[str, str]] = {}
    seen: set[str] = set()
    queue = deque([("get", start, None, 0) for start in starts or ("/",)])
    while queue:
        method, url, data, depth = queue.popleft()
        name = _route_name(url)
        key = name if method == "get" else f"POST {name}"
        if name is None or name in NOT_SUBMITTED or key in pages or (method, url, data) in seen:
            continue
        seen.add((method, url, data))
        if method == "post":
            with transaction.atomic():
                response = client.post(url, dict(data))
                # A refusal or a form with its errors: 200, 400, 403, 409 or 422 with a page.
                html = response.content.decode() if 200 <= response.status_code < 500 else ""
                html = "" if 300 <= response.status_code < 400 else html
                transaction.set_rollback(True)
            if "html" in response.get("Content-Type", "") and html:
                pages[key] = (url, html)
            elif response.status_code in {302, 303}:  # e.g. on to a simulated portal's form
                queue.append(("get", urljoin(url, response["Location"]), None, depth))
            continue
        response = client.get(url)
        if response.status_code in {301, 302, 303}:
            queue.append(("get", urljoin(url, response["Location"]), None, depth))
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[key] = (url, html)
        parser = PageLinks()
        parser.feed(html)
        if depth >= MAX_DEPTH:  # the last pages' POST forms are still submitted
            parser.links = []
            parser.forms = [form for form in parser.forms if form["method"] != "get"]
        for href in parser.links:
            target = urljoin(url, href).split("#", 1)[0]
            if target and is_page(target):
                queue.append(("get", target, None, depth + 1))
        for form in parser.forms:
            action = urljoin(url, form["action"] or url).split("#", 1)[0]
            if not is_page(action):
                continue
            fields = tuple((n, v) for n, v in form["fields"] if n)
            if form["method"] == "get":
                query = "?" + urlencode(fields) if fields else ""
                queue.append(("get", action.split("?", 1)[0] + query, None, depth + 1))
            else:
                button = form["buttons"][0] if form["buttons"] else (None, "")
                submitted = fields + ((button,) if button[0] else ())
                queue.append(("post", action, submitted, depth + 1))
    return pages


def report(pages: dict[str, tuple[str, str]], vocabulary: frozenset[str]) -> list[str]:
    problems = []
    for name, (url, html) in sorted(pages.items()):
        fragments = sorted(set(untranslated_text(html, vocabulary)))
        if fragments:
            problems.append(f"{url} ({name}): " + " | ".join(fragments[:12]))
    return problems


pytestmark = pytest.mark.django_db


def test_the_pseudo_locale_wraps_what_is_marked(pseudo_locale, demo_data):
    client = pseudo_client(User.objects.get(username=demo_usernames()[0]))
    html = client.get("/").content.decode()
    assert f"{OPEN}Sign out{CLOSE}" in html
    assert 'lang="qps-PLOC"' in html


def test_untranslated_text_finds_an_unmarked_word_and_allows_data():
    vocabulary = frozenset({"fabrikam"})
    html = (
        f"<title>{OPEN}Customers{CLOSE}</title><p>{OPEN}Filed for %(name)s{CLOSE} Fabrikam</p>"
        "<p>SR-CONTACT-IS-PARTNER 12 Dec. 2026</p><button>Delete</button>"
        "<input type='submit' value='Go'><script>var english = 1;</script>"
    )
    assert untranslated_text(html, vocabulary) == ["SR-CONTACT-IS-PARTNER 12 Dec. 2026", "Delete", "Go"]


def test_the_sign_in_page_is_marked(pseudo_locale, demo_data):
    pages = pages_of(pseudo_client(), "/signin/")
    assert report(pages, demo_data) == []


@pytest.mark.parametrize("username", demo_usernames())
def test_every_page_of_a_persona_is_marked(pseudo_locale, demo_data, username):
    # From home, and from New request (whose POST answers with a refusal or a simulated portal).
    pages = pages_of(pseudo_client(User.objects.get(username=username)), "/", "/service-requests/new/")
    assert len(pages) >= 3, f"{username} reached only {sorted(pages)}"
    problems = report(pages, demo_data)
    assert problems == [], f"{len(problems)} pages of {username} show unmarked text:\n" + "\n".join(problems)
