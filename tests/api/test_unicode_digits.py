"""Numbers in query strings, headers and ids are ASCII digits: "¹" or "³" (which ``str.isdigit()``
accepts and ``int()`` refuses) get the field's 400 or no match, never a 500."""

import pytest

from core.text import ascii_digits
from tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", True), ("2615", True), ("", False), ("³³", False), ("¹", False), ("٣", False)],
)
def test_ascii_digits(text, expected):
    assert ascii_digits(text) is expected


@pytest.mark.parametrize(
    "query",
    [
        "severity=%C2%B3%C2%B3",  # "³³", the fuzzer's find
        "severity=%C2%B9,critical",
        "status=%C2%B9",
        "slaState=%C2%B2",
    ],
)
def test_a_superscript_enum_number_is_the_fields_400(api, query):
    response = api.get(f"/v1/servicerequests?{query}")
    assert response.status_code == 400, response.content
    field = query.split("=")[0]
    assert field in {d["field"] for d in response.json()["data"]}


def test_a_superscript_search_is_a_title_search(api, world):
    ServiceRequestFactory(partner=world.partner, customer=world.customer, title="Mailbox ³ broken")
    response = api.get("/v1/servicerequests?q=%C2%B3")
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == ["Mailbox ³ broken"]


def test_a_superscript_if_match_is_refused_as_a_bad_etag(api, world):
    sr = ServiceRequestFactory(partner=world.partner, customer=world.customer)
    response = api.patch(
        f"/v1/servicerequests/{sr.id}", {"newNote": {"text": "hi"}}, format="json", HTTP_IF_MATCH='"¹"'
    )
    assert response.status_code == 400, response.content
    assert response.json()["data"][0]["field"] == "If-Match"
