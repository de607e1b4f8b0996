"""``GET /v1/servicerequests`` covers every queue filter (``slaState``, ``unassigned``,
``assignedTo``, ...) with the queues' meaning; PATCH ``assignedTo`` for support managers."""

from __future__ import annotations

import pytest
import time_machine

from tests.servicerequests.test_queues import NOW, build_queue_world

LIST = "/v1/servicerequests"


@pytest.fixture
def queue_world(db):
    return build_queue_world()


@pytest.fixture
def api(client, queue_world):
    client.force_login(queue_world.manager)
    with time_machine.travel(NOW, tick=False):
        yield client


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"slaState": "breaching_soon"}, ["100000000000001"]),
        ({"slaState": "breached"}, ["100000000000003"]),
        ({"slaState": "ok"}, ["100000000000002", "100000000000004"]),
        (
            {"slaState": "ok,breaching_soon", "orderBy": "slaDueDate"},
            ["100000000000001", "100000000000004", "100000000000002"],
        ),
        (
            {"unassigned": "true", "status": "open,none"},
            ["100000000000005", "100000000000002", "100000000000001"],
        ),
        (
            {"unassigned": "false"},
            ["100000000000002", "100000000000004", "100000000000007", "100000000000003"][1:],
        ),
        ({"assignedTo": "hugo"}, ["100000000000007", "100000000000003"]),
        (
            {"severity": "critical", "status": "open,none,attention_needed"},
            ["100000000000005", "100000000000001"],
        ),
        ({"workload": "dynamics"}, ["100000000000004"]),
    ],
)
def test_list_filters_match_the_queues(api, params, expected):
    assert _ids(api.get(LIST, params)) == expected


@pytest.mark.parametrize(
    ("params", "field"), [({"slaState": "late"}, "slaState"), ({"unassigned": "maybe"}, "unassigned")]
)
def test_bad_queue_filters_name_the_field(api, params, field):
    response = api.get(LIST, params)
    assert response.status_code == 400
    assert response.json()["data"][0]["field"] == field


def test_list_api_queries_do_not_grow_with_page_size(api, queue_world, django_assert_max_num_queries):
    from tests.servicerequests.test_queues import _make_rows

    _make_rows(queue_world.partner, 200)
    for size in (5, 100):
        with django_assert_max_num_queries(6):
            assert (
                len(_ids(api.get(LIST, {"slaState": "ok,breaching_soon", "status": "open", "size": size})))
                == size
            )


def test_patch_assigned_to_as_a_support_manager(api, queue_world):
    response = api.patch(f"{LIST}/100000000000001", {"assignedTo": "hugo"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert _ids(api.get(LIST, {"assignedTo": "hugo"}))[0] == "100000000000001"
