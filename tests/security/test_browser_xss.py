"""In a real browser: markup typed into a service request is shown as text, never run, and no page
trips the Content-Security-Policy (every script and style comes from a static file).

Chromium is driven through Playwright in a thread of its own: the browser tests of ``tests/e2e``
keep a session-wide Playwright running in the main thread, and Playwright's sync API allows one per
thread. Chromium, the ``sign_in`` helper and the ``world`` are those of ``tests/e2e/conftest.py``.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from servicerequests.models import ServiceRequest
from tests.conftest import require
from tests.e2e.conftest import (  # noqa: F401  (catalogues and world are fixtures used by these tests)
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    DEFAULT_TIMEOUT_MS,
    catalogues,
    chromium_available,
    sign_in,
    world,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def in_browser(base_url: str, steps):
    """Run ``steps(page)`` in a fresh Chromium page (in its own thread) and return what it returns."""
    require(
        chromium_available(), f"Chromium is not installed at {CHROMIUM_PATH}: apt-get install -y chromium"
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        require(False, "the playwright package is not installed: pip install -r requirements-dev.txt")

    def run():
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True
            )
            try:
                context = chromium.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
                context.set_default_timeout(DEFAULT_TIMEOUT_MS)
                return steps(context.new_page())
            finally:
                chromium.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


XSS_TITLE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'
XSS_NOTE = '<svg onload="window.__pwned=3"></svg><a href="javascript:window.__pwned=4">x</a>'


def _watch_csp(browser_page) -> list[str]:
    """Console messages of Content-Security-Policy violations (Chromium reports each one)."""
    violations: list[str] = []
    browser_page.on(
        "console",
        lambda message: (
            violations.append(f"{browser_page.url}: {message.text[:120]}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return violations


def test_a_scripted_title_is_filed_and_shown_as_text(live_server, world):  # noqa: F811
    in_browser(live_server.url, _file_and_show_a_scripted_title)


def _file_and_show_a_scripted_title(page) -> None:
    violations = _watch_csp(page)
    sign_in(page, "alice")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="Fabrikam").click()
    page.get_by_role("link", name="New request").click()
    page.get_by_label("Microsoft 365", exact=True).check()
    page.get_by_role("button", name="Show service health and details").click()
    page.get_by_role("button", name="Check eligibility and continue").click()
    page.wait_for_url(re.compile(r"/portals/m365/new-support-request\?ctx="))
    page.get_by_role("link", name=re.compile("^Exchange Online")).click()
    page.get_by_label("Summary").fill(XSS_TITLE)
    page.get_by_label("Description").fill(XSS_NOTE)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/portals/m365/.+/requests/\d{15}/$"))

    request = ServiceRequest.objects.get()
    assert request.title == XSS_TITLE  # stored as typed
    for path in (page.url, f"/service-requests/{request.pk}/", "/service-requests/"):
        page.goto(path)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.get_by_text(XSS_TITLE, exact=False).first.is_visible(), path
    page.goto(f"/service-requests/{request.pk}/")
    assert page.locator("h1").inner_text() == XSS_TITLE
    assert page.get_by_text(XSS_NOTE).first.is_visible()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert violations == []


def test_the_main_pages_run_under_the_content_security_policy(live_server, world):  # noqa: F811
    customer = world.customer.pk
    in_browser(live_server.url, lambda page: _visit_the_main_pages(page, customer))


def _visit_the_main_pages(page, customer) -> None:
    violations = _watch_csp(page)
    sign_in(page, "alice")
    for path in (
        "/",
        "/customers/",
        f"/customers/{customer}/",
        f"/customers/{customer}/service-management/",
        f"/customers/{customer}/service-requests/new/?workload=m365",
        "/service-requests/",
        "/gdap/relationships/",
        "/gdap/relationships/new/",
        "/settings/api-access/",
        "/api/docs/",
    ):
        response = page.goto(path)
        assert response is not None and response.status < 400, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
    assert violations == []
    # Swagger UI rendered from its static start-up script.
    assert page.locator(".swagger-ui").first.is_visible()
