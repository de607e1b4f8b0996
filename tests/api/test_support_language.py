"""The preferred support language of a request (``supportLanguage``) and Partner Center's create
path in a locale (``POST /v1/servicerequests/{agent-locale}``)."""

import pytest

from servicerequests.models import ServiceRequest
from tests.factories import SupportEntitlementFactory

from .test_servicerequests import M365_BODY, file_url

pytestmark = pytest.mark.django_db


def test_a_request_defaults_to_english_and_says_so(api, world):
    body = api.post(file_url(world), M365_BODY, format="json").json()
    assert body["supportLanguage"] == "en-US"
    assert ServiceRequest.objects.get().support_language == "en-US"


def test_the_users_stored_language_is_the_default(api, world):
    world.admin.language = "pt-pt"
    world.admin.save(update_fields=["language"])
    body = api.post(file_url(world), M365_BODY, format="json").json()
    assert body["supportLanguage"] == "pt-PT"


def test_x_locale_is_the_default_when_the_user_has_none(api, world):
    body = api.post(file_url(world), M365_BODY, format="json", HTTP_X_LOCALE="pt-BR").json()
    assert body["supportLanguage"] == "pt-BR"


def test_a_named_support_language_wins_and_a_bad_one_is_a_400_naming_it(api, world):
    body = api.post(file_url(world), {**M365_BODY, "supportLanguage": "ja-JP"}, format="json").json()
    assert body["supportLanguage"] == "ja-JP"
    response = api.post(file_url(world), {**M365_BODY, "supportLanguage": "klingon"}, format="json")
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["data"]] == ["supportLanguage"]
    assert ServiceRequest.objects.count() == 1


def test_the_agent_locale_path_files_an_own_request_in_that_locale(api, world):
    entitlement = SupportEntitlementFactory(partner=world.partner)
    payload = {**M365_BODY, "supportEntitlementId": entitlement.entitlement_id}
    response = api.post("/v1/servicerequests/pt-BR", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["supportLanguage"] == "pt-BR"
    assert body["customerId"] is None
    filed = ServiceRequest.objects.get(pk=body["id"])
    assert (filed.customer_id, filed.support_language) == (None, "pt-BR")


def test_the_agent_locale_path_answers_in_its_locale(api, world):
    entitlement = SupportEntitlementFactory(partner=world.partner)
    payload = {**M365_BODY, "supportEntitlementId": entitlement.entitlement_id}
    del payload["title"]
    english = api.post("/v1/servicerequests/en-US", payload, format="json")
    portuguese = api.post("/v1/servicerequests/pt-BR", payload, format="json")
    assert english.status_code == portuguese.status_code == 400
    assert [d["field"] for d in english.json()["data"]] == [d["field"] for d in portuguese.json()["data"]]
    assert english.json()["code"] == portuguese.json()["code"]
    assert (english["Content-Language"], portuguese["Content-Language"]) == ("en", "pt-br")
    assert english.json()["data"] != portuguese.json()["data"]  # DRF's own messages, translated


def test_an_unknown_agent_locale_is_a_400_naming_it(api, world):
    entitlement = SupportEntitlementFactory(partner=world.partner)
    payload = {**M365_BODY, "supportEntitlementId": entitlement.entitlement_id}
    response = api.post("/v1/servicerequests/xx-YY", payload, format="json")
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["data"]] == ["agent-locale"]
    assert ServiceRequest.objects.count() == 0


def test_options_on_the_agent_locale_path_describes_the_body(api):
    response = api.options("/v1/servicerequests/pt-BR")
    assert response.status_code == 200
    assert "supportLanguage" in response.json()["actions"]["POST"]
