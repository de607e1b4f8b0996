"""Settings → Applications in the browser, and Swagger UI obtaining a client-credentials token."""

from __future__ import annotations

import pytest

from apiaccess.models import AppRegistration
from audit.models import AuditEvent

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_register_an_app_then_authorize_swagger_ui_with_it(page, world):
    sign_in(page, "alice")
    page.get_by_role("link", name="Applications").click()
    page.get_by_label("Name").fill("PSA sync (HaloPSA)")
    page.get_by_label("servicerequests.read").check()
    page.get_by_label("Support desk").check()
    page.get_by_role("button", name="Register application").click()
    client_id = page.get_by_test_id("new-client-id").input_value()
    secret = page.get_by_test_id("new-secret-value").input_value()
    registration = AppRegistration.objects.get(client_id=client_id)
    assert registration.scopes == ["servicerequests.read"]
    assert page.get_by_test_id("application").count() == 1

    page.goto("/api/docs/")
    page.get_by_role("button", name="Authorize").first.click()
    section = page.locator(".auth-container", has_text="appOAuth2")
    section.locator("input#client_id_clientCredentials").fill(client_id)
    section.locator("input#client_secret_clientCredentials").fill(secret)
    section.locator("label[for='servicerequests.read-clientCredentials-checkbox-appOAuth2']").click()
    section.get_by_role("button", name="Apply given OAuth2 credentials").click()
    # Swagger UI holds the token: its Logout button ("Remove authorization") shows.
    section.get_by_role("button", name="Remove authorization").wait_for()
    event = AuditEvent.objects.get(action="application.token_issued")
    assert event.after["clientId"] == client_id
    assert event.after["scopes"] == ["servicerequests.read"]
