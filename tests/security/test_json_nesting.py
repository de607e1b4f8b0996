"""A JSON body nested deeper than JSON_MAX_DEPTH is a 400 naming the body on /v1 and Graph, before
any parser recurses into it (500 levels in 3 KB used to be a 500 RecursionError)."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from core.security import json_nesting_depth

from .conftest import written_rows

DEEP = "[" * 500 + "]" * 500
REASON = "JSON nested deeper than 32 levels is not accepted."


def nested(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("{}", 0),  # fewer brackets than the limit: not scanned
        (nested(33), 33),
        ('["[[[[' + "[" * 40 + '", 1]', 1),  # brackets inside a string don't count...
        ('["\\"' + "[" * 40 + '"]', 1),  # ...nor after an escaped quote inside it
        ("[" * 40 + "]" * 40, 33),  # counted only as far as needed to say "too deep"
    ],
)
def test_depth_counts_containers_outside_strings(text, depth):
    assert json_nesting_depth(text.encode(), 32) == depth


def client_of(world) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens['admin_agent']}")
    return client


@pytest.mark.parametrize("body", [DEEP, json.dumps({"title": json.loads(nested(40))})])
def test_v1_refuses_deep_nesting_naming_the_body(staged_world, db, body):
    customer = staged_world.orgs["A"].customer
    before = written_rows()
    response = client_of(staged_world).generic(
        "POST", f"/v1/customers/{customer.pk}/servicerequests", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == 3000
    assert response.json()["data"] == [{"field": "body", "reason": REASON}]
    assert written_rows() == before


def test_graph_refuses_deep_nesting_in_its_error_shape(staged_world, db):
    before = written_rows()
    response = client_of(staged_world).generic(
        "POST",
        "/graph/v1.0/tenantRelationships/delegatedAdminRelationships",
        DEEP,
        content_type="application/json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["target"]) == ("BadRequest", "body")
    assert written_rows() == before


def test_nesting_within_the_limit_reaches_the_view(staged_world, db):
    """32 levels pass the guard; the view then answers on the fields as usual (a title is no object)."""
    customer = staged_world.orgs["A"].customer
    body = json.dumps({"title": json.loads(nested(31))})
    response = client_of(staged_world).generic(
        "POST", f"/v1/customers/{customer.pk}/servicerequests", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "body" not in {item["field"] for item in response.json()["data"]}
