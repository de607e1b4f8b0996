"""Paging the service request lists at any depth: deep offsets read the page's ids first (same rows,
same number of queries), and the keyset continuation (``continuationToken`` → ``MS-ContinuationToken``
with ``seekOperation=Next``, an extension) walks the same rows as offset paging."""

from datetime import timedelta

import pytest
from django.utils import timezone

from servicerequests.models import ServiceRequest
from tests.factories import ServiceRequestFactory

from .test_conventions import assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests_(world):
    base = timezone.now() - timedelta(days=1)
    made = []
    for n in range(23):
        # Some share a creation time: the id breaks the tie, in offset and keyset paging alike.
        made.append(
            ServiceRequestFactory(
                partner=world.partner,
                customer=world.customer,
                created_by=world.admin,
                created_at=base + timedelta(minutes=n // 3),
                updated_at=base + timedelta(minutes=(23 - n) // 2),
            )
        )
    return made


def ordered_ids(order_by):
    return list(ServiceRequest.objects.order_by(*order_by).values_list("id", flat=True))


def walk(api, url, headers=None):
    ids, pages = [], 0
    while url:
        body = api.get(url, headers=headers or {}).json()
        ids += [i["id"] for i in body["items"]]
        pages += 1
        nxt = body["links"].get("next")
        url = nxt["uri"] if nxt else None
        headers = {h["key"]: h["value"] for h in nxt["headers"]} if nxt else None
    return ids, pages


@pytest.mark.parametrize(
    "query,order_by",
    [
        ("", ("-created_at", "-id")),
        ("&orderBy=createdDate", ("created_at", "id")),
        ("&orderBy=-lastModifiedDate", ("-updated_at", "-id")),
    ],
)
def test_offset_and_continuation_walk_the_same_rows_in_order(api, requests_, query, order_by):
    expected = ordered_ids(order_by)
    by_offset, _ = walk(api, f"/v1/servicerequests?size=5{query}")
    assert by_offset == expected
    first = api.get(f"/v1/servicerequests?size=5{query}").json()
    token = first["continuationToken"]
    by_token, pages = walk(
        api, f"/v1/servicerequests?size=5&seekOperation=Next{query}", headers={"MS-ContinuationToken": token}
    )
    assert [i["id"] for i in first["items"]] + by_token == expected
    assert pages == 4  # 18 rows after the first page, 5 a page


def test_a_seek_page_links_the_next_one_with_the_token_in_its_headers(api, requests_):
    token = api.get("/v1/servicerequests?size=10").json()["continuationToken"]
    body = api.get(
        "/v1/servicerequests?size=10&seekOperation=Next", headers={"MS-ContinuationToken": token}
    ).json()
    nxt = body["links"]["next"]
    assert nxt["uri"] == "/v1/servicerequests?seekOperation=Next&size=10"
    assert nxt["headers"] == [{"key": "MS-ContinuationToken", "value": body["continuationToken"]}]
    last = api.get(nxt["uri"], headers={"MS-ContinuationToken": body["continuationToken"]}).json()
    assert (last["totalCount"], last["links"], "continuationToken" in last) == (3, {}, False)


def test_the_last_page_has_no_token(api, requests_):
    assert "continuationToken" not in api.get("/v1/servicerequests?size=23").json()


def test_a_deep_offset_reads_the_same_rows_in_the_same_number_of_queries(
    api, requests_, django_assert_num_queries, django_assert_max_num_queries
):
    expected = ordered_ids(("-created_at", "-id"))
    with django_assert_max_num_queries(7) as first:
        api.get("/v1/servicerequests?size=4")
    with django_assert_num_queries(len(first.captured_queries)):
        body = api.get("/v1/servicerequests?size=4&offset=17").json()
    assert [i["id"] for i in body["items"]] == expected[17:21]
    with django_assert_num_queries(len(first.captured_queries)):
        seek = api.get(
            "/v1/servicerequests?size=4&seekOperation=Next",
            headers={"MS-ContinuationToken": body["continuationToken"]},
        ).json()
    assert [i["id"] for i in seek["items"]] == expected[21:23]


def test_another_partners_rows_never_follow_a_token(api, requests_, world):
    ServiceRequestFactory()  # another partner's, the oldest of all
    token = api.get("/v1/servicerequests?size=20").json()["continuationToken"]
    body = api.get(
        "/v1/servicerequests?size=20&seekOperation=Next", headers={"MS-ContinuationToken": token}
    ).json()
    assert {i["id"] for i in body["items"]} <= {r.id for r in requests_}


@pytest.mark.parametrize(
    "query,headers,field",
    [
        ("seekOperation=Next", {}, "MS-ContinuationToken"),
        ("seekOperation=Next", {"MS-ContinuationToken": "forged"}, "MS-ContinuationToken"),
        ("seekOperation=Previous", {"MS-ContinuationToken": "x"}, "seekOperation"),
        ("seekOperation=Next&offset=5", {"MS-ContinuationToken": "x"}, "offset"),
        ("seekOperation=Next&orderBy=slaDueDate", {"MS-ContinuationToken": "x"}, "seekOperation"),
    ],
)
def test_a_bad_continuation_is_a_400_naming_its_part(api, requests_, query, headers, field):
    body = assert_error(api.get(f"/v1/servicerequests?size=5&{query}", headers=headers), 400, 3000)
    assert [d["field"] for d in body["data"]] == [field]


def test_a_token_of_another_ordering_is_refused(api, requests_):
    token = api.get("/v1/servicerequests?size=5").json()["continuationToken"]
    response = api.get(
        "/v1/servicerequests?size=5&seekOperation=Next&orderBy=createdDate",
        headers={"MS-ContinuationToken": token},
    )
    body = assert_error(response, 400, 3000)
    assert body["data"][0]["field"] == "MS-ContinuationToken"


def test_the_customer_list_pages_by_token_too(api, requests_, world):
    url = f"/v1/customers/{world.customer.id}/servicerequests?size=10"
    token = api.get(url).json()["continuationToken"]
    body = api.get(url + "&seekOperation=Next", headers={"MS-ContinuationToken": token}).json()
    assert [i["id"] for i in body["items"]] == ordered_ids(("-created_at", "-id"))[10:20]


def test_the_openapi_document_labels_the_continuation_as_an_extension(api):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = schema["paths"]["/v1/servicerequests"]["get"]["parameters"]
    seek = {p["name"]: p for p in parameters if p["name"] in ("seekOperation", "MS-ContinuationToken")}
    assert set(seek) == {"seekOperation", "MS-ContinuationToken"}
    assert all(p["x-extension"] is True for p in seek.values())
    customers = schema["paths"]["/v1/customers"]["get"]["parameters"]
    assert "seekOperation" not in {p["name"] for p in customers}
