"""OpenAPI: both security schemes, each operation's scope, the extension labels."""

from __future__ import annotations

import pytest
import yaml
from django.urls import resolve

from core.api.scopes import SCOPES, USER_ONLY, required_scope

from .conftest import register, request_token

METHODS = {"get", "post", "patch", "put", "delete"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        return yaml.safe_load(Client().get("/api/schema/").content)


def _operations(schema):
    for url, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method in METHODS:
                yield url, method, operation


def _view_name(url: str) -> str:
    sample = (
        url.replace("{tenant_id}", "5b3d7a8e-1d2c-4e5f-8a9b-0c1d2e3f4a5b")
        .replace("{request_id}", "123456789012345")
        .replace("{agent_locale}", "pt-BR")
        .replace("{application_id}", "5b3d7a8e-1d2c-4e5f-8a9b-0c1d2e3f4a5b")
        .replace("{key_id}", "5b3d7a8e-1d2c-4e5f-8a9b-0c1d2e3f4a5b")
    )
    for name in (
        "subscription_id",
        "assignment_id",
        "operation_id",
        "customer_id",
        "group_id",
        "attachment_id",
        "handoff_id",
    ):
        sample = sample.replace("{" + name + "}", "5b3d7a8e-1d2c-4e5f-8a9b-0c1d2e3f4a5b")
    sample = sample.replace("{relationship_id}", "rel-1").replace("{record_id}", "1")
    if "/graph/" in sample and "requests/" in sample:
        sample = sample.replace("123456789012345", "5b3d7a8e-1d2c-4e5f-8a9b-0c1d2e3f4a5b")
    return resolve(sample).view_name


def test_both_schemes_with_the_client_credentials_flow(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["knoxApiToken"] == {"type": "http", "scheme": "bearer"}
    flow = schemes["appOAuth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/oauth2/token"
    assert flow["scopes"] == SCOPES


def test_every_operation_lists_the_scope_it_needs(schema):
    checked = 0
    for url, method, operation in _operations(schema):
        scope = required_scope(_view_name(url), method.upper())
        app = [entry["appOAuth2"] for entry in operation["security"] if "appOAuth2" in entry]
        assert {"knoxApiToken": []} in operation["security"], (method, url)
        assert app == ([] if scope == USER_ONLY else [[scope]]), (method, url)
        checked += 1
    assert checked >= 35


def test_application_operations_are_labelled_extensions(schema):
    labelled = {
        (method, url)
        for url, method, operation in _operations(schema)
        if url.startswith("/v1/applications") and operation.get("x-extension") is True
    }
    assert labelled == {
        ("get", "/v1/applications"),
        ("post", "/v1/applications"),
        ("get", "/v1/applications/{application_id}"),
        ("delete", "/v1/applications/{application_id}"),
        ("post", "/v1/applications/{application_id}/secrets"),
        ("delete", "/v1/applications/{application_id}/secrets/{key_id}"),
    }


@pytest.mark.django_db
def test_the_token_request_swagger_ui_sends_is_answered(world):
    """Swagger UI's client-credentials flow: form-encoded, Basic auth, space-separated scopes."""
    registration, secret = register(world.admin, scopes=["servicerequests.read", "customers.read"])
    response = request_token(registration.client_id, secret, "servicerequests.read customers.read")
    assert response.status_code == 200
    assert sorted(response.json()["scope"].split()) == ["customers.read", "servicerequests.read"]
