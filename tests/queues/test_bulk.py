"""``service_request_bulk_apply``: one action over many rows, authorised and audited per row, with
per-row reasons; and the bulk form of the queue page."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from queues.bulk import CONFIRM_ABOVE, MAX_BULK_ROWS, NOT_FOUND, service_request_bulk_apply
from servicerequests.models import Note, ServiceRequest
from tests.queues.test_queues import build_queue_world, make_request

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
        "2 requests assigned to Hugo Help.",
        f"Request {FOREIGN} not changed: {NOT_FOUND}",
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
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Assignee: is required to assign."]
    assert audit_actions(OWN) == []


def _many_requests(world, n: int) -> list[str]:
    """``n`` active unassigned requests of the world's partner, besides its own rows."""
    customer = world.customers["tailspin"]
    return [
        make_request(world.partner, customer, id=f"2000000000000{i:02d}", minutes_ago=30 + i, due_in=240).pk
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("form", "question"),
    [
        ({"action": "assign", "assignee": "HUGO"}, "Assign 11 requests to Hugo Help?"),
        ({"action": "unassign"}, "Unassign 11 requests (nobody will be assigned to them)?"),
        ({"action": "set_status", "status": "closed"}, "Change the status of 11 requests to “Closed”?"),
        (
            {"action": "set_severity", "severity": "minimal"},
            "Change the severity of 11 requests to “Minimal (C)”?",
        ),
        ({"action": "add_note", "note_text": "Called the customer."}, "Add this note to 11 requests?"),
    ],
)
def test_a_bulk_action_over_more_than_ten_rows_asks_first_naming_the_count_and_the_action(
    client, queue_world, form, question
):
    ids = _many_requests(queue_world, CONFIRM_ABOVE + 1)
    form = {k: str(queue_world.helpdesk.pk) if v == "HUGO" else v for k, v in form.items()}
    back = reverse("queue_detail", args=["unassigned"])
    client.force_login(queue_world.manager)
    response = client.post(reverse("queue_bulk"), {"ids": ids, "next": back, **form})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<p class="bulk-question" id="bulk-question" data-testid="bulk-question">{question}</p>' in html
    assert html.count('name="ids"') == CONFIRM_ABOVE + 1
    assert '<input type="hidden" name="confirmed" value="1">' in html
    assert f'href="{back}" data-testid="bulk-cancel"' in html
    # Nothing changed until it is confirmed.
    assert audit_actions(ids) == []
    assert not Note.objects.filter(request_id__in=ids).exists()
    response = client.post(reverse("queue_bulk"), {"ids": ids, "next": back, "confirmed": "1", **form})
    assert response.status_code == 302 and response["Location"] == back
    (said,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "11 requests" in said
    # Unassigning unassigned requests leaves them as they were: nothing to audit.
    assert len(audit_actions(ids)) == (0 if form["action"] == "unassign" else CONFIRM_ABOVE + 1)


def test_ten_rows_or_fewer_apply_at_once_and_say_what_happened(client, queue_world):
    ids = _many_requests(queue_world, CONFIRM_ABOVE)
    client.force_login(queue_world.manager)
    response = client.post(
        reverse("queue_bulk"), {"ids": ids, "action": "set_severity", "severity": "critical"}
    )
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Severity changed to “Critical (A)” on 10 requests."
    ]
    assert set(ServiceRequest.objects.filter(pk__in=ids).values_list("severity", flat=True)) == {"critical"}


def test_an_invalid_large_bulk_action_is_refused_before_the_confirmation(client, queue_world):
    ids = _many_requests(queue_world, CONFIRM_ABOVE + 1)
    client.force_login(queue_world.manager)
    response = client.post(reverse("queue_bulk"), {"ids": ids, "action": "set_status", "status": "bogus"})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Status: must be one of attention_needed, closed, open."
    ]


def test_the_outcome_is_said_in_the_users_language(client, queue_world):
    queue_world.manager.language = "pt-br"
    queue_world.manager.save(update_fields=["language"])
    client.force_login(queue_world.manager)
    response = client.post(
        reverse("queue_bulk"), {"ids": OWN[:2], "action": "assign", "assignee": str(queue_world.helpdesk.pk)}
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["2 solicitações atribuídas a Hugo Help."]
