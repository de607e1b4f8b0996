"""``service_request_bulk_apply``: one action over many rows, authorised and audited per row, with
per-row reasons; and the bulk form of the queue page."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from queues.bulk import MAX_BULK_ROWS, NOT_FOUND, service_request_bulk_apply
from servicerequests.models import Note, ServiceRequest
from tests.queues.test_queues import build_queue_world

OWN = ["100000000000001", "100000000000002", "100000000000005"]
FOREIGN = "100000000000008"


@pytest.fixture
def queue_world(db):
    return build_queue_world()


def audit_actions(ids):
    return sorted(
        AuditEvent.objects.filter(
            object_type="servicerequests.ServiceRequest", object_id__in=ids
        ).values_list("object_id", "action")
    )


def test_bulk_assign_over_two_partners_changes_and_audits_only_the_callers_rows(queue_world):
    result = service_request_bulk_apply(
        actor=queue_world.manager,
        request_ids=[*OWN, FOREIGN, "999999999999999"],
        action="assign",
        assignee=queue_world.helpdesk,
    )
    assert result.succeeded == OWN
    assert result.failed == {FOREIGN: NOT_FOUND, "999999999999999": NOT_FOUND}
    assert dict(
        ServiceRequest.objects.filter(pk__in=[*OWN, FOREIGN]).values_list("pk", "assigned_to_id")
    ) == {
        **dict.fromkeys(OWN, queue_world.helpdesk.pk),
        FOREIGN: None,
    }
    assert audit_actions([*OWN, FOREIGN]) == [(pk, "servicerequest.updated") for pk in OWN]
    event = AuditEvent.objects.get(object_id=OWN[0])
    assert (event.actor_id, event.before, event.after) == (
        queue_world.manager.pk,
        {"assigned_to_id": None},
        {"assigned_to_id": queue_world.helpdesk.pk},
    )


@pytest.mark.parametrize(
    ("action", "kwargs", "field", "expected"),
    [
        ("set_status", {"status": "closed"}, "status", "closed"),
        ("set_severity", {"severity": "minimal"}, "severity", "minimal"),
    ],
)
def test_bulk_status_and_severity(queue_world, action, kwargs, field, expected):
    result = service_request_bulk_apply(actor=queue_world.manager, request_ids=OWN, action=action, **kwargs)
    assert result.succeeded == OWN and result.failed == {}
    assert set(ServiceRequest.objects.filter(pk__in=OWN).values_list(field, flat=True)) == {expected}
    assert len(audit_actions(OWN)) == 3


def test_bulk_note_adds_one_note_and_event_per_row(queue_world):
    result = service_request_bulk_apply(
        actor=queue_world.manager, request_ids=OWN[:2], action="add_note", note_text="  Looking into it "
    )
    assert result.succeeded == OWN[:2]
    assert sorted(Note.objects.values_list("request_id", "text")) == [
        (OWN[0], "Looking into it"),
        (OWN[1], "Looking into it"),
    ]
    assert audit_actions(OWN) == [
        (OWN[0], "servicerequest.note_added"),
        (OWN[1], "servicerequest.note_added"),
    ]


def test_a_helpdesk_agent_cannot_assign_each_row_says_why(queue_world):
    result = service_request_bulk_apply(actor=queue_world.helpdesk, request_ids=OWN[:2], action="unassign")
    assert result.succeeded == []
    assert result.failed == dict.fromkeys(OWN[:2], "Only a support manager may assign a service request.")
    assert audit_actions(OWN) == []


def test_a_failing_row_is_rolled_back_and_the_others_kept(queue_world):
    outsider = queue_world.other_manager
    result = service_request_bulk_apply(
        actor=queue_world.manager, request_ids=OWN[:1], action="assign", assignee=outsider
    )
    assert result.failed == {
        OWN[0]: "assigned_to: must be an active user of the same partner who is an admin agent, "
        "helpdesk agent or support manager."
    }
    result = service_request_bulk_apply(
        actor=queue_world.manager, request_ids=[OWN[0], OWN[1]], action="set_status", status="closed"
    )
    assert result.succeeded == OWN[:2]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"action": "explode"}, "action"),
        ({"action": "assign"}, "assignee"),
        ({"action": "set_status", "status": "none"}, "status"),
        ({"action": "set_severity", "severity": "urgent"}, "severity"),
        ({"action": "add_note", "note_text": "   "}, "note_text"),
        ({"action": "unassign", "request_ids": []}, "request_ids"),
        (
            {"action": "unassign", "request_ids": [str(10**14 + i) for i in range(MAX_BULK_ROWS + 1)]},
            "request_ids",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(queue_world, kwargs, field):
    kwargs = {"request_ids": OWN, **kwargs}
    with pytest.raises(ValidationError) as excinfo:
        service_request_bulk_apply(actor=queue_world.manager, **kwargs)
    assert list(excinfo.value.message_dict) == [field]
    assert audit_actions(OWN) == []


def test_bulk_form_assigns_and_reports_per_row(client, queue_world):
    client.force_login(queue_world.manager)
    back = reverse("queue_detail", args=["unassigned"])
    response = client.post(
        reverse("queue_bulk"),
        {
            "ids": [*OWN[:2], FOREIGN],
            "action": "assign",
            "assignee": str(queue_world.helpdesk.pk),
            "next": back,
        },
    )
    assert response.status_code == 302 and response["Location"] == back
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Assign to: done for 2 of 3 request(s).",
        f"Assign to: request {FOREIGN} not changed: {NOT_FOUND}",
    ]
    assert set(ServiceRequest.objects.filter(pk__in=OWN[:2]).values_list("assigned_to_id", flat=True)) == {
        queue_world.helpdesk.pk
    }


def test_bulk_form_refuses_non_managers_and_unknown_assignees(client, queue_world):
    client.force_login(queue_world.helpdesk)
    assert client.post(reverse("queue_bulk"), {"ids": OWN, "action": "unassign"}).status_code == 403
    client.force_login(queue_world.manager)
    response = client.post(
        reverse("queue_bulk"), {"ids": OWN, "action": "assign", "assignee": str(queue_world.other_manager.pk)}
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["assignee: is required to assign."]
    assert audit_actions(OWN) == []
