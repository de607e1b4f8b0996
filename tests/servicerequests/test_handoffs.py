"""Reseller → provider hand-offs (SR-AZURE-NONTECH-PROVIDER-ONLY): the offer on the refusal page,
creation, the provider's filing through the filing pipeline, decline, notes, isolation, audit,
webhooks and the e-mail to the provider's support managers."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from queues.reports import queue_counts_refresh
from servicerequests.handoffs.models import HandoffStatus, ServiceRequestHandoff
from servicerequests.handoffs.services import (
    handoff_accept,
    handoff_add_note,
    handoff_create,
    handoff_decline,
    handoff_offer,
)
from servicerequests.models import QueueCount, ServiceRequest
from webhooks.models import WebhookEvent, WebhookRegistration

from .conftest import World

FIELDS = {
    "issue_type": "billing",
    "title": "Invoice charges the plan twice",
    "description": "The March invoice charges the Azure plan twice.",
    "severity": "moderate",
}


def _create(w: World, **overrides):
    values = {
        "actor": w.extra["paula"],
        "customer_id": w.customer.pk,
        "subscription_id": w.azure.pk,
        **FIELDS,
    }
    values.update(overrides)
    return handoff_create(**values)


def test_the_offer_is_for_a_reseller_or_advisor_refused_a_non_technical_request(handoff_world):
    w = handoff_world
    offer = handoff_offer(
        actor=w.extra["paula"], customer_id=w.customer.pk, subscription_id=w.azure.pk, issue_type="billing"
    )
    assert offer is not None and offer.provider == w.partner
    # technical: the advisor files it itself; the provider never hands off to itself
    assert (
        handoff_offer(
            actor=w.extra["paula"],
            customer_id=w.customer.pk,
            subscription_id=w.azure.pk,
            issue_type="technical",
        )
        is None
    )
    assert (
        handoff_offer(
            actor=w.alice, customer_id=w.customer.pk, subscription_id=w.azure.pk, issue_type="billing"
        )
        is None
    )
    # a subscription bought directly has no provider to ask
    w.azure.provider = None
    w.azure.channel = "direct"
    w.azure.save()
    assert (
        handoff_offer(
            actor=w.extra["paula"],
            customer_id=w.customer.pk,
            subscription_id=w.azure.pk,
            issue_type="billing",
        )
        is None
    )


def test_creating_a_handoff_writes_it_audits_both_partners_emits_webhooks_and_emails_the_managers(
    handoff_world, django_capture_on_commit_callbacks
):
    w = handoff_world
    for partner in (w.partner, w.extra["proseware"]):
        WebhookRegistration.objects.create(
            partner=partner,
            url="https://hooks.example.com/pc",
            events=["servicerequest-handoff-created", "servicerequest-handoff-declined"],
            secret_salt="s",
            secret_hint="abcd",
            created_by=None,
        )
    with django_capture_on_commit_callbacks(execute=True):
        handoff = _create(w)
    assert handoff.status == HandoffStatus.PENDING
    assert handoff.provider == w.partner and handoff.reseller == w.extra["proseware"]
    assert handoff.contact_email == "paula@proseware.example"  # the reseller's contact, by default
    assert (handoff.due_at - handoff.created_at).total_seconds() == 4 * 3600  # moderate: 4 h
    events = AuditEvent.objects.filter(action="servicerequest.handoff_created", object_id=str(handoff.pk))
    assert sorted(str(e.partner_id) for e in events) == sorted(
        [str(w.partner.pk), str(w.extra["proseware"].pk)]
    )
    webhooks = WebhookEvent.objects.filter(
        event_name="servicerequest-handoff-created", resource_id=str(handoff.pk)
    )
    assert webhooks.count() == 2
    assert '"resourceName":"servicerequesthandoff"' in webhooks.first().body
    assert [m.to for m in mail.outbox] == [["maria@contosopartners.com"]]
    assert "Hand-off from Proseware Advisors" in mail.outbox[0].subject
    assert "/service-requests/handoffs/" in mail.outbox[0].body
    assert QueueCount.objects.get(partner=w.partner, queue_key="handoffs").count == 1


def test_bad_fields_are_named_and_nothing_is_written(handoff_world):
    w = handoff_world
    with pytest.raises(ValidationError) as exc:
        _create(w, title="", severity="urgent", issue_type="technical", contact_email="nope")
    assert set(exc.value.message_dict) == {"title", "severity", "issue_type", "contact_email"}
    assert not ServiceRequestHandoff.objects.exists()


def test_only_a_refused_reseller_or_advisor_hands_off(handoff_world):
    w = handoff_world
    with pytest.raises(PermissionDenied, match="SR-AZURE-NONTECH-PROVIDER-ONLY"):
        _create(w, actor=w.alice)  # the provider files it itself
    assert not ServiceRequestHandoff.objects.exists()


def test_the_provider_files_it_through_the_filing_pipeline_and_both_sides_see_the_link(
    handoff_world, django_capture_on_commit_callbacks
):
    w = handoff_world
    handoff = _create(w)
    with django_capture_on_commit_callbacks(execute=True):
        handoff = handoff_accept(actor=w.alice, handoff=handoff)
    sr = handoff.service_request
    assert handoff.status == HandoffStatus.ACCEPTED and handoff.decided_by == w.alice
    assert sr.partner == w.partner and sr.customer == w.customer and sr.subscription == w.azure
    assert (sr.issue_type, sr.severity, sr.title) == ("billing", "moderate", FIELDS["title"])
    assert "Handed off by Proseware Advisors (contact: " in sr.description
    assert sr.eligibility["allowed"] is True  # the normal eligibility check ran
    assert AuditEvent.objects.filter(action="servicerequest.filed", object_id=sr.pk).exists()
    assert AuditEvent.objects.filter(action="servicerequest.handoff_accepted").count() == 2
    sr.refresh_from_db()
    assert sr.status == "open"  # dispatched to the Azure portal (eager Celery)
    # both sides' pages show the filed request and its status; only the provider links to it
    for user, links in ((w.extra["paula"], False), (w.alice, True)):
        from django.test import Client

        client = Client()
        client.force_login(user)
        html = client.get(reverse("servicerequests:handoff_detail", args=[handoff.pk])).content.decode()
        assert sr.pk in html and 'data-testid="filed-status">Open<' in html
        assert (reverse("servicerequests:detail", args=[sr.pk]) in html) is links
    # and the provider's request page links back to the hand-off
    from django.test import Client

    client = Client()
    client.force_login(w.alice)
    html = client.get(reverse("servicerequests:detail", args=[sr.pk])).content.decode()
    assert 'data-testid="handoff-origin"' in html and "a hand-off from Proseware Advisors" in html
    with pytest.raises(ValidationError, match="filed by the provider already"):
        handoff_accept(actor=w.alice, handoff=handoff)


def test_filing_is_refused_when_the_provider_is_not_eligible_and_the_handoff_stays_pending(handoff_world):
    w = handoff_world
    handoff = _create(w)
    w.relationship.status = "terminated"
    w.relationship.save()
    from servicerequests.exceptions import EligibilityDenied

    with pytest.raises(EligibilityDenied):
        handoff_accept(actor=w.alice, handoff=handoff)
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.PENDING and handoff.service_request is None
    assert AuditEvent.objects.filter(action="servicerequest.filing_denied", actor_id=w.alice.pk).exists()


@pytest.mark.parametrize("who", ["paula", "hank", "maria"])
def test_only_the_providers_admin_agent_files(handoff_world, who):
    w = handoff_world
    handoff = _create(w)
    with pytest.raises(PermissionDenied):
        handoff_accept(actor=w.extra[who], handoff=handoff)
    assert not ServiceRequest.objects.filter(title=FIELDS["title"]).exists()


def test_the_provider_declines_with_a_reason(handoff_world):
    w = handoff_world
    handoff = _create(w)
    with pytest.raises(ValidationError) as exc:
        handoff_decline(actor=w.extra["maria"], handoff=handoff, reason="  ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        handoff_decline(actor=w.extra["paula"], handoff=handoff, reason="mine")
    handoff = handoff_decline(actor=w.extra["maria"], handoff=handoff, reason="Credits are automatic.")
    assert handoff.status == HandoffStatus.DECLINED and handoff.decline_reason == "Credits are automatic."
    event = AuditEvent.objects.filter(action="servicerequest.handoff_declined").first()
    assert event.after["reason"] == "Credits are automatic."
    with pytest.raises(ValidationError):
        handoff_accept(actor=w.alice, handoff=handoff)


def test_either_side_adds_notes_and_nobody_else(handoff_world):
    w = handoff_world
    handoff = _create(w)
    handoff_add_note(actor=w.extra["paula"], handoff=handoff, text="Go-live is Monday.")
    handoff_add_note(actor=w.extra["maria"], handoff=handoff, text="On it.")
    assert [n.partner_id for n in handoff.notes.all()] == [w.extra["proseware"].pk, w.partner.pk]
    with pytest.raises(PermissionDenied):
        handoff_add_note(actor=w.extra["lena"], handoff=handoff, text="Not mine.")
    with pytest.raises(PermissionDenied):
        handoff_add_note(actor=w.extra["hank"], handoff=handoff, text="Helpdesk.")


def test_another_partner_never_sees_a_handoff(client, handoff_world):
    w = handoff_world
    handoff = _create(w)
    client.force_login(w.extra["lena"])
    assert client.get(reverse("servicerequests:handoff_detail", args=[handoff.pk])).status_code == 404
    assert FIELDS["title"] not in client.get(reverse("servicerequests:handoff_list")).content.decode()
    response = client.post(reverse("servicerequests:handoff_decline", args=[handoff.pk]), {"reason": "x"})
    assert response.status_code == 404
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.PENDING


def test_the_refusal_page_offers_the_handoff_next_to_the_rule(client, handoff_world):
    w = handoff_world
    client.force_login(w.extra["paula"])
    url = reverse("servicerequests:new", args=[w.customer.pk])
    response = client.post(url, {"workload": "azure", "subscription": w.azure.pk, "issue_type": "billing"})
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="handoff-offer"' in html and "Ask Contoso Partners to file this" in html
    assert 'data-testid="handoff-link"' in html  # in the rule's row
    response = client.post(
        reverse("servicerequests:handoff_new", args=[w.customer.pk]),
        {
            **FIELDS,
            "subscription_id": w.azure.pk,
            "contact_first_name": "Paula",
            "contact_last_name": "P",
            "contact_email": "paula@proseware.example",
            "contact_phone": "",
        },
    )
    handoff = ServiceRequestHandoff.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("servicerequests:handoff_detail", args=[handoff.pk])
    # a technical refusal (another rule) offers nothing
    client.force_login(w.extra["lena"])
    response = client.post(url, {"workload": "azure", "subscription": w.azure.pk, "issue_type": "technical"})
    assert 'data-testid="handoff-offer"' not in response.content.decode()


def test_the_handoff_form_names_bad_fields(client, handoff_world):
    w = handoff_world
    client.force_login(w.extra["paula"])
    response = client.post(
        reverse("servicerequests:handoff_new", args=[w.customer.pk]),
        {
            "subscription_id": w.azure.pk,
            "issue_type": "billing",
            "title": "",
            "description": "x",
            "severity": "minimal",
        },
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ServiceRequestHandoff.objects.exists()


def test_the_providers_queue_lists_pending_handoffs_with_their_clock(client, handoff_world):
    w = handoff_world
    handoff = _create(w)
    queue_counts_refresh(partner_id=w.partner.pk)
    client.force_login(w.extra["maria"])
    html = client.get(reverse("queue_handoffs")).content.decode()
    assert FIELDS["title"] in html and 'data-testid="handoff-clock"' in html
    html = client.get(reverse("queue_detail", args=["unassigned"])).content.decode()
    assert 'data-queue="handoffs"' in html  # the sidebar entry, with its count
    handoff_decline(actor=w.extra["maria"], handoff=handoff, reason="No.")
    assert FIELDS["title"] not in client.get(reverse("queue_handoffs")).content.decode()
    assert FIELDS["title"] in client.get(reverse("queue_handoffs"), {"status": "all"}).content.decode()
    client.force_login(w.extra["hank"])
    assert client.get(reverse("queue_handoffs")).status_code == 403
