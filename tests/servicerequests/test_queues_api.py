"""``GET /v1/servicerequests`` covers every queue filter (``slaState``, ``unassigned``,
``assignedTo``, ...) with the queues' meaning; PATCH ``assignedTo`` for support managers."""

from __future__ import annotations

import pytest
import time_machine

from tests.queues.test_queues import NOW, build_queue_world

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


def test_list_api_queries_do_not_grow_with_page_size_or_depth(api, queue_world):
    """One query for the page (no COUNT): the same number at any ``size`` and ``offset``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.queues.test_queues import _make_rows

    _make_rows(queue_world.partner, 200)
    counts = {}
    for size, offset in ((5, 0), (100, 0), (5, 150)):
        params = {"slaState": "ok,breaching_soon", "status": "open", "size": size, "offset": offset}
        with CaptureQueriesContext(connection) as queries:
            assert len(_ids(api.get(LIST, params))) == size
        counts[(size, offset)] = len(queries)
        assert not [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert set(counts.values()) == {5}, counts  # token, token cleanup, roles, page, the partner


def test_patch_assigned_to_as_a_support_manager(api, queue_world):
    response = api.patch(f"{LIST}/100000000000001", {"assignedTo": "hugo"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert _ids(api.get(LIST, {"assignedTo": "hugo"}))[0] == "100000000000001"
