"""Helpers of the Microsoft Graph endpoint tests (GDAP and groups): a client and the error shape.

``from tests.graph import assert_graph_error, client_for``.
"""

from __future__ import annotations

from rest_framework.test import APIClient


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_graph_error(response, status, code, target=None):
    """The response is Graph's error shape with this status, code and (optional) target."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert set(error["innerError"]) == {"request-id", "date"}
    assert response["request-id"] == error["innerError"]["request-id"]
    assert error.get("target") == target
    return error
