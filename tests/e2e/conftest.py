"""Browser tests: Playwright for Python driving Debian's Chromium against Django's live server.

Reusable fixtures:

- ``browser`` (session): Chromium launched from ``CHROMIUM_PATH`` (default
  ``/usr/bin/chromium``); Playwright never downloads a browser. Without
  Chromium or the ``playwright`` package the test is skipped with the reason,
  and fails when ``CI=true`` (``tests.conftest.require``).
- ``page``: a fresh browser context and page whose base URL is the live
  server, so ``page.goto("/customers/")`` works. When the test fails, a
  full-page screenshot is saved to ``test-artifacts/<test name>.png``.
- ``sign_in(page, username, password)``: signs in through the real form.
- ``world``: the eligibility tests' world (``tests/servicerequests/conftest.py``):
  Contoso Partners, admin agent ``alice``, customer Fabrikam, allowed for
  every workload.

Mark browser tests ``@pytest.mark.browser`` and
``@pytest.mark.django_db(transaction=True, serialized_rollback=True)`` (the
live server needs committed rows; the serialized rollback restores the
catalogues seeded by data migrations for the tests that run afterwards).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import require
from tests.servicerequests.conftest import world  # noqa: F401  (a fixture the browser tests stage data with)

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEFAULT_TIMEOUT_MS = 15_000


def chromium_available() -> bool:
    return bool(shutil.which(CHROMIUM_PATH) or os.access(CHROMIUM_PATH, os.X_OK))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def catalogues(request):
    """The catalogues that data migrations seed (Entra roles, support topics), present in every browser test.

    A transactional test's flush empties them, and the serialized rollback has
    been seen not to bring every row back in long runs; recreating them is
    idempotent and cheap.
    """
    if "live_server" not in request.fixturenames and "page" not in request.fixturenames:
        return
    request.getfixturevalue("transactional_db")
    from servicerequests.models import SupportTopic
    from servicerequests.support_topics import SUPPORT_TOPICS
    from tests.servicerequests.conftest import ensure_entra_roles

    ensure_entra_roles()
    for topic_id, workload, name, description in SUPPORT_TOPICS:
        SupportTopic.objects.get_or_create(
            pk=topic_id, defaults={"workload": workload, "name": name, "description": description}
        )


@pytest.fixture(scope="session")
def browser():
    require(
        chromium_available(),
        f"Chromium is not installed at {CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)",
    )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the environment
        require(False, "the playwright package is not installed: pip install -r requirements-dev.txt")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(request, browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the test failure
            print(f"screenshot failed: {exc}")
    context.close()


def sign_in(page, username: str, password: str = "pass-word-123") -> None:
    """Sign in through the sign-in form and wait for the home page."""
    page.goto("/signin/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
