"""Accessibility and layout of the main pages, for every persona of the demo, at 1366 and 390 px.

For each persona of ``scenarios/demo.yaml``: the home page and every page its main menu leads
to, plus the journeys' pages of ``scripts/screenshots.py`` (New request with health, refusals, a
simulated portal form, queues, reports...). On each page:

- axe-core (``axe-playwright-python``, run in the page) finds no *serious* or *critical*
  violation, and no ``region`` violation (all content inside landmarks);
- the page never scrolls sideways (``scrollWidth <= innerWidth``);
- at 1366 px the queue table stays within its card.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from tests.conftest import require

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scenarios" / "demo.yaml"
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
BLOCKING_IMPACTS = {"serious", "critical"}
ALWAYS_BLOCKING_RULES = {"region"}


def _screenshots_module():
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
    module = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    return module


def demo_personas() -> list[str]:
    """Every sign-in of the demo: the partners' users and the customers' admins."""
    demo = yaml.safe_load(DEMO.read_text())
    users = [user for partner in demo["partners"] for user in partner.get("users", [])]
    users += [admin for customer in demo["customers"] for admin in customer.get("admins", [])]
    return [user["username"] for user in users]


def _axe_script() -> str:
    """axe-core's script as ``axe-playwright-python`` ships it (injected once per browser context)."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:  # pragma: no cover - depends on the environment
        require(False, "axe-playwright-python is not installed: make install-dev")
    return Axe().axe_script


def page_problems(page, *, width_name: str) -> list[str]:
    """What is wrong with the page on screen: blocking axe violations, sideways scrolling, a
    queue table wider than its card."""
    problems = []
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    for violation in results["violations"]:
        if violation["impact"] in BLOCKING_IMPACTS or violation["id"] in ALWAYS_BLOCKING_RULES:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            problems.append(f"axe {violation['impact']} {violation['id']}: {targets}")
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    if scroll_width > inner_width:
        problems.append(f"scrolls sideways: {scroll_width} px wide in a {inner_width} px window")
    if width_name == "desktop" and page.locator("[data-testid=queue-table]").count():
        table, card = page.evaluate(
            "(() => { const t = document.querySelector('[data-testid=queue-table]');"
            " return [t.getBoundingClientRect().right,"
            " t.closest('.queue-main').getBoundingClientRect().right]; })()"
        )
        if table > card + 1:
            problems.append(f"the queue table overflows its card ({table:.0f} > {card:.0f})")
    return problems


def menu_links(page) -> list[str]:
    return page.locator("nav[aria-label=Main] a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_main_pages_of_every_persona(browser, live_server, width_name):
    call_command("load_scenario", str(DEMO), verbosity=0)
    screenshots = _screenshots_module()
    ids = screenshots.demo_ids()
    axe_script = _axe_script()
    width, height = WIDTHS[width_name]
    journeys: dict[str, list] = {}
    for shot in screenshots.SHOTS:
        journeys.setdefault(shot.persona, []).append(shot)
    problems: list[str] = []
    checked = 0
    for persona in demo_personas():
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        context.add_init_script(axe_script)
        page = context.new_page()
        screenshots.sign_in(page, persona)
        pages = [("home", lambda page, ids: page.goto("/"))]
        pages += [(href, lambda page, ids, href=href: page.goto(href)) for href in menu_links(page)]
        pages += [(shot.name, shot.go) for shot in journeys.get(persona, [])]
        seen = set()
        for name, go in pages:
            go(page, ids)
            page.wait_for_load_state("load")
            if page.url in seen:  # a journey that ends on a page the menu already led to
                continue
            seen.add(page.url)
            checked += 1
            problems += [
                f"{persona} {name} ({width_name}): {problem}"
                for problem in page_problems(page, width_name=width_name)
            ]
        context.close()
    assert checked >= 2 * len(demo_personas())
    assert problems == []


def test_the_menu_folds_behind_a_toggle_on_phones(browser, live_server, world):
    from tests.e2e.conftest import sign_in as sign_in_with_password

    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in_with_password(page, "alice")
    menu = page.get_by_role("navigation", name="Main")
    toggle = page.get_by_role("button", name="Menu")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert menu.get_by_role("link", name="Customers").is_visible()
    toggle.click()
    assert not menu.is_visible()
    page.set_viewport_size({"width": 1366, "height": 900})
    assert menu.is_visible() and not toggle.is_visible()
    context.close()
