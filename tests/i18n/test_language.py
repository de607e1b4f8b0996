"""Choosing the language: Accept-Language, the switcher (cookie and stored choice), the stored
choice over the browser, X-Locale on /v1 only."""

import pytest
from django.conf import settings

from tests.api.conftest import client_for, make_partner_world
from tests.conftest import SIGN_IN_BACKEND

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("accept", "lang", "skip_link"),
    [
        ("pt-BR,pt;q=0.9", "pt-BR", "Ir para o conteúdo"),
        ("pt-PT", "pt-PT", "Saltar para o conteúdo"),
        ("en-US", "en", "Skip to content"),
        ("de-DE", "en", "Skip to content"),
    ],
)
def test_the_browser_language_chooses_the_page_language(client, accept, lang, skip_link):
    html = client.get("/signin/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert f'<html lang="{lang}">' in html
    assert skip_link in html


def test_the_switcher_stores_the_choice_of_a_signed_in_user_and_sets_the_cookie(client):
    world = make_partner_world()
    client.force_login(world.admin, backend=SIGN_IN_BACKEND)
    response = client.post("/language/", {"language": "pt-pt", "next": "/customers/"})
    assert (response.status_code, response["Location"]) == (302, "/customers/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pt-pt"
    world.admin.refresh_from_db()
    assert world.admin.language == "pt-pt"
    # The stored choice wins over another browser's Accept-Language (no cookie there).
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert '<html lang="pt-PT">' in html


def test_an_unknown_language_changes_nothing(client):
    world = make_partner_world()
    client.force_login(world.admin, backend=SIGN_IN_BACKEND)
    client.post("/language/", {"language": "xx", "next": "/"})
    world.admin.refresh_from_db()
    assert world.admin.language == ""


def test_an_unsafe_next_is_not_followed(client):
    response = client.post("/language/", {"language": "pt-br", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_header_offers_every_language_in_its_own_name(client):
    html = client.get("/signin/", HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    for code, name in settings.LANGUAGES:
        assert f'<option value="{code}" lang="{code}"' in html
        assert name in html


def test_x_locale_sets_the_language_of_the_api_and_not_of_pages(client):
    world = make_partner_world()
    api = client_for(world.admin)
    assert api.get("/v1/customers", HTTP_X_LOCALE="pt-BR")["Content-Language"] == "pt-br"
    assert api.get("/v1/customers", HTTP_X_LOCALE="en-US")["Content-Language"] == "en"
    page = client.get("/signin/", HTTP_X_LOCALE="pt-BR")
    assert page["Content-Language"] == "en"


def test_the_stored_choice_does_not_apply_to_the_api(client):
    world = make_partner_world()
    world.admin.language = "pt-pt"
    world.admin.save(update_fields=["language"])
    assert client_for(world.admin).get("/v1/customers")["Content-Language"] == "en"
