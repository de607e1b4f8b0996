"""A Portuguese-speaking partner admin end to end: a pt-BR browser signs in, files an Azure request
through the simulated Azure portal and meets a refusal; every page on the way is Portuguese
(``lang="pt-BR"``); the header's switcher then shows the pt-PT wording and English.

Labels are looked up in the catalogues (``gettext`` in the language), so the test follows the
translators' wording; a few exact strings pin that the catalogues are really there.
"""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

from gdap.models import EntraRole
from servicerequests.models import ServiceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def t(language: str, text: str) -> str:
    with translation.override(language):
        return gettext(text)


def tp(language: str, context: str, text: str) -> str:
    with translation.override(language):
        return pgettext(context, text)


def assert_language(page, lang: str) -> None:
    assert page.locator("html").get_attribute("lang") == lang, page.url


@pytest.fixture
def pt_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="pt-BR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in_pt(page, username: str) -> None:
    page.goto("/signin/")
    assert_language(page, "pt-BR")
    page.get_by_label(t("pt-br", "User name")).fill(username)
    page.get_by_label(t("pt-br", "Password")).fill("pass-word-123")
    page.get_by_role("button", name=t("pt-br", "Sign in")).click()
    page.wait_for_url(re.compile(r"/$"))
    assert_language(page, "pt-BR")


def test_a_pt_br_browser_files_an_azure_request_in_portuguese(pt_page, world):
    page = pt_page
    br = "pt-br"
    assert t(br, "Sign out") == "Sair"  # the catalogues are compiled and found
    sign_in_pt(page, "alice")
    page.goto(f"/customers/{world.customer.pk}/service-requests/new/")
    assert_language(page, "pt-BR")
    page.get_by_label("Azure", exact=True).check()
    page.get_by_role("button", name=t(br, "Show service health and details")).click()
    assert_language(page, "pt-BR")
    page.locator('select[name="subscription"]').select_option(str(world.azure.pk))
    page.locator('select[name="issue_type"]').select_option("technical")
    page.get_by_role("button", name=t(br, "Check eligibility and continue")).click()

    page.wait_for_url(re.compile(r"/portals/azure/new-support-request\?ctx="))
    assert_language(page, "pt-BR")
    page.locator('select[name="support_topic_id"]').select_option(label="Virtual Machines")
    page.locator('input[name="title"]').fill("VM não inicia")
    page.locator('textarea[name="description"]').fill("A VM web-01 está presa em 'iniciando' desde as 9h.")
    page.locator('input[name="severity"][value="moderate"]').check()
    page.get_by_role("button", name=tp(br, "Azure portal step", "Review + create")).click()
    assert_language(page, "pt-BR")
    page.get_by_role("button", name=t(br, "Create"), exact=True).click()
    page.wait_for_url(re.compile(r"/portals/azure/.+/requests/\d{15}/$"))
    assert_language(page, "pt-BR")
    filed = ServiceRequest.objects.get()
    assert (filed.title, filed.support_language) == ("VM não inicia", "pt-BR")

    # A refusal explains the failed rule in Portuguese.
    world.assignment.roles.set(EntraRole.objects.filter(name="Global Reader"))
    page.goto(f"/customers/{world.customer.pk}/service-requests/new/")
    page.get_by_label("Microsoft 365", exact=True).check()
    page.get_by_role("button", name=t(br, "Show service health and details")).click()
    page.get_by_role("button", name=t(br, "Check eligibility and continue")).click()
    assert_language(page, "pt-BR")
    step = page.get_by_test_id("fix-step").first
    assert step.get_attribute("data-rule-id") == "SR-GDAP-ROLE-TICKETS"
    problem = step.locator(".fix-problem").inner_text()
    assert "can open support tickets" not in problem
    assert "Service Support Administrator" in step.locator(".fix-remedy").inner_text()  # role names stay

    # The switcher: pt-PT wording where it differs, then English.
    with page.expect_navigation():
        page.locator("#language-select").select_option("pt-pt")
    assert_language(page, "pt-PT")
    assert page.get_by_role("button", name="Terminar sessão").is_visible()
    with page.expect_navigation():
        page.locator("#language-select").select_option("en")
    assert_language(page, "en")
    assert page.get_by_role("button", name="Sign out").is_visible()
