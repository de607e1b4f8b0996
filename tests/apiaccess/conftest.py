"""App registrations: a partner world (tests/api's) with helpers to register an app and get a token."""

from __future__ import annotations

import base64

import pytest
from rest_framework.test import APIClient

from apiaccess.applications import application_create
from tests.api.conftest import api_settings, client_for, make_partner_world  # noqa: F401 - fixtures

ALL_SCOPES = [
    "servicerequests.read",
    "servicerequests.write",
    "customers.read",
    "gdap.read",
    "gdap.write",
    "webhooks.manage",
    "audit.read",
]


@pytest.fixture
def world(db):
    return make_partner_world()


def register(actor, *, scopes=("servicerequests.read",), groups=(), name="PSA sync", **kwargs):
    """(registration, secret) of a new app of the actor's partner."""
    registration, _row, secret = application_create(
        actor=actor,
        display_name=name,
        scopes=list(scopes),
        security_group_ids=[g.pk for g in groups],
        **kwargs,
    )
    return registration, secret


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def request_token(client_id: str, secret: str, scope: str | None = None, *, in_body: bool = False):
    """POST /oauth2/token (client credentials), credentials in Basic auth or in the body."""
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    client = APIClient()
    if in_body:
        data.update(client_id=client_id, client_secret=secret)
        return client.post("/oauth2/token", data)
    return client.post("/oauth2/token", data, HTTP_AUTHORIZATION=basic(client_id, secret))


def app_client(registration, secret, scope: str | None = None, **headers) -> APIClient:
    """An API client holding an app token of the registration."""
    response = request_token(registration.client_id, secret, scope)
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}", **headers)
    return client
