"""Bad input: malformed JSON, wrong types, unknown enum values, oversized bodies, very long strings,
NUL characters, invalid UUIDs, SQL metacharacters and HTML/script, on the APIs and browser forms.

Every refusal is a 4xx that names the field and the reason, and nothing is written (the rows of
``written_rows()`` are counted before and after). Accepted input (unicode, markup in a title) is
stored exactly and rendered escaped.
"""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from servicerequests.models import Note, ServiceRequest

from .conftest import written_rows

FILING = {
    "title": "Mail delayed",
    "description": "Mail is delayed.",
    "severity": "minimal",
    "workload": "m365",
}
NUL_REASON = "null characters (\\x00) are not allowed."
SCRIPT_TITLE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def api_client(world, persona: str = "admin_agent") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens[persona]}")
    return client


def fill(path: str, world) -> str:
    org = world.orgs["A"]
    other = world.orgs["B"]
    return (
        path.replace("{customer}", str(org.customer.pk))
        .replace("{request}", org.service_request.pk)
        .replace("{other_customer}", str(other.customer.pk))
    )


def v1_fields(response) -> list[str]:
    return sorted(item["field"] for item in response.json()["data"])


# (name, method, path, raw body, HTTP status, v1 error code, the fields named in ``data``)
V1_CASES = [
    ("malformed JSON", "POST", "/v1/customers/{customer}/servicerequests", "{title: 'x'", 400, 800002, []),
    ("a list, not an object", "POST", "/v1/customers/{customer}/servicerequests", "[1, 2]", 400, 3000, [""]),
    (
        "wrong types",
        "POST",
        "/v1/customers/{customer}/servicerequests",
        json.dumps({**FILING, "description": ["x"], "severity": {"a": 1}, "workload": 7}),
        400,
        3000,
        ["description", "severity", "workload"],
    ),
    (
        "unknown enum values",
        "POST",
        "/v1/customers/{customer}/servicerequests",
        json.dumps({**FILING, "severity": "urgent", "workload": "xbox"}),
        400,
        3000,
        ["severity", "workload"],
    ),
    (
        "a contact that is not an object",
        "POST",
        "/v1/customers/{customer}/servicerequests",
        json.dumps({**FILING, "primaryContact": "me"}),
        400,
        3000,
        ["primaryContact"],
    ),
    (
        "very long strings",
        "POST",
        "/v1/customers/{customer}/servicerequests",
        json.dumps({**FILING, "title": "t" * 201, "description": "d" * 10_001}),
        400,
        3000,
        ["description", "title"],
    ),
    (
        "NUL in a title",
        "POST",
        "/v1/customers/{customer}/servicerequests",
        json.dumps({**FILING, "title": "Mail\x00delayed"}),
        400,
        3000,
        ["title"],
    ),
    (
        "NUL in an enum",
        "POST",
        "/v1/customers/{customer}/servicerequests/eligibility",
        json.dumps({"workload": "m365\x00"}),
        400,
        3000,
        ["workload"],
    ),
    (
        "NUL in a note",
        "PATCH",
        "/v1/servicerequests/{request}",
        json.dumps({"newNote": {"text": "x\x00y"}}),
        400,
        3000,
        ["newNote.text"],
    ),
    (
        "unknown status",
        "PATCH",
        "/v1/servicerequests/{request}",
        json.dumps({"status": "reopened"}),
        400,
        3000,
        ["status"],
    ),
    ("NUL in a search", "GET", "/v1/servicerequests?q=%00", None, 400, 3000, ["q"]),
    ("NUL in a filter", "GET", "/v1/servicerequests?assignedTo=a%00", None, 400, 3000, ["assignedTo"]),
    ("NUL in a date", "GET", "/v1/auditrecords?startDate=%00", None, 400, 3000, ["startDate"]),
    (
        "NUL inside the JSON filter",
        "GET",
        '/v1/customers?filter={"Field":"CompanyName","Value":"a\\u0000","Operator":"starts_with"}',
        None,
        400,
        3000,
        ["filter.Value"],
    ),
    (
        "invalid UUID filter",
        "GET",
        "/v1/servicerequests?customerId=not-a-uuid",
        None,
        400,
        3000,
        ["customerId"],
    ),
    ("unknown status filter", "GET", "/v1/servicerequests?status=bogus", None, 400, 3000, ["status"]),
    ("a size that is not a number", "GET", "/v1/servicerequests?size=abc", None, 400, 3000, ["size"]),
    ("invalid UUID in the path", "GET", "/v1/customers/not-a-uuid", None, 404, 1000, []),
    ("a line break in the path", "GET", "/v1/customers/%0A/managedservices", None, 404, 1000, []),
    (
        "an offset beyond any row",
        "GET",
        "/v1/servicerequests?offset=10000000000000000001",
        None,
        400,
        3000,
        ["offset"],
    ),
    ("a negative offset", "GET", "/v1/customers?offset=-1", None, 400, 3000, ["offset"]),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code", "fields"),
    [case[1:] for case in V1_CASES],
    ids=[case[0] for case in V1_CASES],
)
def test_v1_refuses_bad_input_naming_the_field(staged_world, db, method, path, body, status, code, fields):
    before = written_rows()
    client = api_client(staged_world)
    url = fill(path, staged_world)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.generic(method, url, body, content_type="application/json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["source"] == "PartnerCenterSimulator"
    assert v1_fields(response) == fields
    if status == 400 and fields and fields != [""]:
        assert all(field.split(".")[0] in response.json()["description"] for field in fields)
    assert written_rows() == before


def test_v1_nul_reason_is_stated(staged_world, db):
    response = api_client(staged_world).get("/v1/servicerequests?q=%00")
    assert response.json() == {
        "code": 3000,
        "description": "Invalid property: q.",
        "data": [{"field": "q", "reason": NUL_REASON}],
        "source": "PartnerCenterSimulator",
    }


def test_an_oversized_body_is_413_and_writes_nothing(staged_world, db, settings):
    before = written_rows()
    body = json.dumps({**FILING, "description": "d" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = api_client(staged_world).generic(
        "POST",
        fill("/v1/customers/{customer}/servicerequests", staged_world),
        body,
        content_type="application/json",
    )
    assert response.status_code == 413
    assert (
        response.json()["description"]
        == f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    )
    assert written_rows() == before


@pytest.mark.parametrize(
    "search", ["' OR 1=1 --", "%", "_", "\\", "'; DROP TABLE servicerequests_servicerequest; --"]
)
def test_sql_metacharacters_in_a_search_match_nothing(staged_world, db, search):
    response = api_client(staged_world).get("/v1/servicerequests", {"q": search})
    assert response.status_code == 200
    assert response.json()["totalCount"] == 0
    assert ServiceRequest.objects.count() == 2  # the table is still there, with both partners' requests


GRAPH = "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code", "target"),
    [
        ("GET", f"{GRAPH}/%00", None, 400, "BadRequest", "path"),
        ("GET", f"{GRAPH}?$filter=status%20eq%20%27%00%27", None, 400, "BadRequest", "$filter"),
        ("GET", f"{GRAPH}?$skiptoken=%00", None, 400, "BadRequest", "$skiptoken"),
        ("POST", GRAPH, "{bad", 400, "BadRequest", None),
        (
            "POST",
            GRAPH,
            json.dumps({"displayName": "a\x00", "duration": "P1D"}),
            400,
            "BadRequest",
            "displayName",
        ),
        ("GET", "/graph/v1.0/groups/not-a-uuid", None, 404, "ResourceNotFound", None),
        ("GET", "/graph/v1.0/no/such/thing", None, 404, "ResourceNotFound", None),
    ],
)
def test_graph_refuses_bad_input_in_its_error_shape(
    staged_world, db, method, path, body, status, code, target
):
    before = written_rows()
    client = api_client(staged_world)
    response = (
        client.get(path)
        if method == "GET"
        else client.generic(method, path, body, content_type="application/json")
    )
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error.get("target") == target
    assert written_rows() == before


# Browser forms and pages: (method, path, form data, status, text the page must show).
BROWSER_CASES = [
    ("GET", "/customers/?q=%00", None, 400, "q: null characters (\\x00) are not allowed."),
    ("GET", "/service-requests/%00/", None, 400, "path: null characters (\\x00) are not allowed."),
    ("GET", "/gdap/relationships/%00/", None, 400, "path: null characters (\\x00) are not allowed."),
    ("POST", "/service-requests/{request}/notes/", {"text": "x\x00y"}, 400, "text: null characters"),
    (
        "POST",
        "/service-requests/{request}/notes/",
        {"text": "n" * 10_001},
        400,
        "Ensure this value has at most 10000",
    ),
    ("POST", "/service-requests/{request}/notes/", {"text": "   "}, 400, "This field is required."),
    ("POST", "/service-requests/new/own-subscription/", {"title": "a\x00"}, 400, "title: null characters"),
    (
        "POST",
        "/gdap/relationships/new/",
        {"display_name": "x" * 51, "duration_days": "abc"},
        400,
        "Enter a whole number.",
    ),
    ("GET", "/service-requests/?customer=not-a-uuid", None, 400, "is not a valid UUID."),
    ("GET", "/service-requests/?customer={other_customer}", None, 400, "Select a valid choice."),
    ("GET", "/audit/?cursor=not-a-cursor", None, 400, ""),
]


@pytest.mark.parametrize(("method", "path", "data", "status", "text"), BROWSER_CASES)
def test_browser_refuses_bad_input_naming_the_field(staged_world, db, method, path, data, status, text):
    before = written_rows()
    client = staged_world.clients["admin_agent"]
    url = fill(path, staged_world)
    response = client.get(url) if method == "GET" else client.post(url, data)
    assert response.status_code == status
    assert text in response.content.decode()
    assert written_rows() == before


def test_an_oversized_form_is_refused(staged_world, db, settings):
    before = written_rows()
    url = fill("/service-requests/{request}/notes/", staged_world)
    response = staged_world.clients["admin_agent"].post(
        url, {"text": "n" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )
    assert response.status_code == 400
    assert written_rows() == before


UNICODE_TITLE = "Ünïcödé — 日本語 — עברית ‮RTL‬ — 🚀 e\u0301"


def test_unicode_is_stored_and_returned_exactly(staged_world, db):
    client = api_client(staged_world)
    response = client.post(
        fill("/v1/customers/{customer}/servicerequests", staged_world),
        {**FILING, "title": UNICODE_TITLE, "description": "Ⅻ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \u200b zero-width"},
        format="json",
    )
    assert response.status_code == 201, response.content
    request_id = response.json()["id"]
    assert client.get(f"/v1/servicerequests/{request_id}").json()["title"] == UNICODE_TITLE
    assert ServiceRequest.objects.get(pk=request_id).title == UNICODE_TITLE


def test_markup_in_titles_and_notes_is_stored_as_text_and_rendered_escaped(staged_world, db):
    client = api_client(staged_world)
    response = client.post(
        fill("/v1/customers/{customer}/servicerequests", staged_world),
        {**FILING, "title": SCRIPT_TITLE, "description": "<b>bold</b> & <i>co</i>"},
        format="json",
    )
    assert response.status_code == 201, response.content
    request_id = response.json()["id"]
    note = client.patch(
        f"/v1/servicerequests/{request_id}", {"newNote": {"text": SCRIPT_TITLE}}, format="json"
    )
    assert note.status_code == 200
    assert ServiceRequest.objects.get(pk=request_id).title == SCRIPT_TITLE
    assert Note.objects.filter(request_id=request_id, text=SCRIPT_TITLE).count() == 1
    browser = staged_world.clients["admin_agent"]
    customer_id = staged_world.orgs["A"].customer.pk
    for path in (
        f"/service-requests/{request_id}/",
        "/service-requests/",
        f"/customers/{customer_id}/service-requests/",
        f"/portals/m365/{customer_id}/requests/{request_id}/",
    ):
        page = browser.get(path).content.decode()
        assert "<script>window.__pwned" not in page, path
        assert 'onerror="window.__pwned' not in page, path
        assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page, path
