"""App-only tokens in the authorisation matrix, and the scope of every API endpoint.

Generated from the URL configuration, like ``test_matrix``: every route under ``/v1`` and
``/graph/v1.0`` must declare in ``core.api.scopes.ENDPOINT_SCOPES`` the scope an app token needs
(``test_every_api_endpoint_declares_a_scope`` fails naming the URL names that don't). Then, for
every endpoint and method:

- an app token holding every scope but the one the endpoint declares is refused with 403 naming
  the missing scope (an endpoint for users only refuses every app token);
- an app token holding only that scope is not refused for its scope;
- on GET, an app with every scope gets exactly what the partner's admin agent gets with a personal
  token, on its own partner's objects and on the other partner's (404: an app never crosses
  partners); its service identity has the admin agent role and the same security group.
"""

from __future__ import annotations

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver
from rest_framework.test import APIClient

from core.api.scopes import ENDPOINT_SCOPES, SCOPES, UNAUTHENTICATED, USER_ONLY, required_scope

from .test_matrix import POST_ONLY, UNSAFE, UNSAFE_BODIES, URLS, _walk, is_api, request_as, url_for

API_ROUTES = {key: route for key, route, _names in _walk(get_resolver().url_patterns)}
API_KEYS = sorted(key for key, route in API_ROUTES.items() if route.startswith(("v1/", "graph/")))
SCOPED_KEYS = [key for key in API_KEYS if key not in UNAUTHENTICATED]


def test_every_api_endpoint_declares_a_scope():
    missing = [key for key in SCOPED_KEYS if key not in ENDPOINT_SCOPES]
    assert missing == [], (
        f"API endpoints without a scope for app tokens: {', '.join(missing)}. Add each URL name to "
        "ENDPOINT_SCOPES in core/api/scopes.py with the scope an app token needs: a scope, "
        'read_write(read_scope, write_scope), or USER_ONLY (e.g. "v1:thing-list": SR_READ).'
    )
    stale = sorted(set(ENDPOINT_SCOPES) - set(SCOPED_KEYS))
    assert stale == [], f"ENDPOINT_SCOPES names URL names that are not routed: {', '.join(stale)}"
    unknown = sorted(
        {required_scope(key, method) for key in ENDPOINT_SCOPES for method in ("GET", "POST")}
        - set(SCOPES)
        - {USER_ONLY}
    )
    assert unknown == [], f"ENDPOINT_SCOPES uses scopes that SCOPES does not define: {unknown}"


def _token(org, scopes) -> str:
    response = APIClient().post(
        "/oauth2/token",
        {"grant_type": "client_credentials", "scope": " ".join(sorted(scopes))},
        HTTP_AUTHORIZATION="Basic "
        + base64.b64encode(f"{org.app.client_id}:{org.app_secret}".encode()).decode(),
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


@pytest.fixture(scope="module")
def app_tokens(staged_world, django_db_blocker):
    """Tokens of partner A's app: every scope ("all"), every scope but one ("-scope"), one scope
    only ("scope"); and partner B's app with every scope ("B:all"). Issued inside the staged world."""
    with django_db_blocker.unblock():
        org_a, org_b = staged_world.orgs["A"], staged_world.orgs["B"]
        tokens = {"all": _token(org_a, SCOPES), "B:all": _token(org_b, SCOPES)}
        for scope in SCOPES:
            tokens[f"-{scope}"] = _token(org_a, set(SCOPES) - {scope})
            tokens[scope] = _token(org_a, {scope})
        yield tokens


def _methods(key: str) -> list[str]:
    return ([] if key in POST_ONLY else ["GET"]) + list(UNSAFE.get(key, ()))


SCOPE_CASES = [(key, method) for key in SCOPED_KEYS for method in _methods(key)]


#: Endpoints whose writes are multipart uploads rather than JSON bodies.
MULTIPART = {"v1:servicerequest-attachment-list"}


def _send(token: str, method: str, path: str, body: dict | None, *, key: str = ""):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    if method == "GET":
        return client.get(path)
    if key in MULTIPART:
        upload = SimpleUploadedFile("app.log", b"2026-12-04 an app's log line\n", content_type="text/plain")
        return client.post(path, {"file": upload}, format="multipart")
    return client.generic(method, path, json.dumps(body or {}), content_type="application/json")


def _message(response) -> str:
    body = response.json()
    return body.get("description") or body.get("error", {}).get("message", "")


@pytest.mark.parametrize(("key", "method"), SCOPE_CASES)
def test_scope_enforced(staged_world, app_tokens, db, key, method):
    path = url_for(staged_world, key, "A")
    body = UNSAFE_BODIES.get(key)
    scope = required_scope(key, method)
    if scope == USER_ONLY:
        response = _send(app_tokens["all"], method, path, body, key=key)
        assert response.status_code == 403, response.content
        assert "needs a user's token" in _message(response)
        return
    refused = _send(app_tokens[f"-{scope}"], method, path, body, key=key)
    assert refused.status_code == 403, refused.content
    assert f"lacks the scope {scope}" in _message(refused)
    if path.startswith("/v1/"):
        assert refused.json()["code"] == 2032
    else:
        assert refused.json()["error"]["code"] == "Forbidden"
    allowed = _send(app_tokens[scope], method, path, body, key=key)
    assert allowed.status_code != 403 or "lacks the scope" not in _message(allowed), allowed.content


GET_KEYS = [key for key in SCOPED_KEYS if key not in POST_ONLY]


@pytest.mark.parametrize("key", GET_KEYS)
def test_app_gets_what_its_admin_agent_gets(staged_world, app_tokens, db, key):
    """Same status as the partner's admin agent on A's objects and on B's (never across partners);
    an endpoint for users only refuses the app (403)."""
    org_keys = ("A", "B") if URLS[key] else ("A",)
    for org_key in org_keys:
        path = url_for(staged_world, key, org_key)
        expected = request_as(staged_world, "admin_agent", "GET", path).status_code
        if required_scope(key, "GET") == USER_ONLY:
            expected = 403
        actual = _send(app_tokens["all"], "GET", path, None).status_code
        assert (path, actual) == (path, expected)
    assert is_api(path)


def test_app_of_the_other_partner_sees_only_its_own(staged_world, app_tokens, db):
    """B's app lists only B's customers and requests, and gets 404 for A's request."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {app_tokens['B:all']}")
    customers = client.get("/v1/customers").json()["items"]
    assert [c["id"] for c in customers] == [str(staged_world.orgs["B"].customer.pk)]
    requests = client.get("/v1/servicerequests").json()["items"]
    assert {r["id"] for r in requests} == {str(staged_world.orgs["B"].service_request.pk)}
    a_request = staged_world.orgs["A"].service_request.pk
    assert client.get(f"/v1/servicerequests/{a_request}").status_code == 404
