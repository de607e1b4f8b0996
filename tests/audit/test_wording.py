"""The audit log in words: a sentence per event, the raw action and object kept beside it."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from audit.selectors import KNOWN_ACTIONS
from audit.services import audit_event_record
from audit.wording import ACTION_SENTENCES, audit_event_sentence
from tests.factories import CustomerFactory, CustomerPartnerRelationshipFactory, UserFactory


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A request in Portuguese leaves its language active in the thread: the next test starts in English."""
    yield
    translation.deactivate()


def event(**fields):
    base = {
        "actor_name": "Alice Admin",
        "action": "",
        "object_type": "",
        "object_id": "",
        "customer_id": None,
    }
    return SimpleNamespace(**{**base, **fields})


def test_every_known_action_has_a_sentence():
    assert set(KNOWN_ACTIONS) - set(ACTION_SENTENCES) == set()


@pytest.mark.parametrize(
    ("fields", "customer", "expected"),
    [
        (
            {"action": "auth.signed_in", "object_type": "partners.User", "object_id": "1"},
            "",
            "Alice Admin signed in",
        ),
        (
            {
                "action": "servicerequest.filed",
                "object_type": "servicerequests.ServiceRequest",
                "object_id": "4433",
            },
            "Fabrikam",
            "Alice Admin filed service request 4433 for Fabrikam",
        ),
        ({"action": "gdap.relationship.expired", "actor_name": ""}, "", "The system saw it expire"),
        ({"action": "custom.thing_done"}, "", "Alice Admin recorded custom: thing done"),
    ],
)
def test_sentences(fields, customer, expected):
    assert audit_event_sentence(event(**fields), customer_name=customer) == expected


def _alice_noted_a_request_for_fabrikam():
    """Alice Admin, whose partner serves Fabrikam, with one audit event: a note on its request."""
    admin = UserFactory(username="alice", first_name="Alice", last_name="Admin", roles=["admin_agent"])
    customer = CustomerFactory(name="Fabrikam")
    CustomerPartnerRelationshipFactory(customer=customer, partner=admin.partner)
    audit_event_record(
        action="servicerequest.note_added",
        actor=admin,
        partner_id=admin.partner_id,
        object_type="servicerequests.ServiceRequest",
        object_id="443396999279963",
        customer_id=customer.pk,
    )
    return admin


@pytest.mark.django_db
def test_the_log_page_shows_the_sentence_with_the_customers_name(client):
    admin = _alice_noted_a_request_for_fabrikam()
    client.force_login(admin)
    html = client.get(reverse("audit:log")).content.decode()
    assert "Alice Admin added a note to service request 443396999279963 for Fabrikam" in html
    assert '<span class="mono">servicerequest.note_added</span>' in html


@pytest.mark.parametrize(
    ("language", "fields", "customer", "expected"),
    [
        (
            "pt-br",
            {
                "action": "servicerequest.filed",
                "object_type": "servicerequests.ServiceRequest",
                "object_id": "4433",
            },
            "Fabrikam",
            "Alice Admin abriu a solicitação de serviço 4433 do cliente Fabrikam",
        ),
        (
            "pt-pt",
            {
                "action": "servicerequest.filed",
                "object_type": "servicerequests.ServiceRequest",
                "object_id": "4433",
            },
            "Fabrikam",
            "Alice Admin submeteu o pedido de serviço 4433 do cliente Fabrikam",
        ),
        (
            "pt-br",
            {"action": "gdap.relationship.expired", "object_type": "gdap.Relationship", "object_id": "r1"},
            "",
            "Alice Admin constatou que o relacionamento GDAP r1 expirou",
        ),
        (
            "pt-pt",
            {"action": "gdap.relationship.expired", "object_type": "gdap.Relationship", "object_id": "r1"},
            "",
            "Alice Admin constatou que a relação GDAP r1 expirou",
        ),
        ("pt-pt", {"action": "auth.signed_in", "actor_name": ""}, "", "O sistema iniciou sessão"),
    ],
)
def test_sentences_in_portuguese_agree_with_their_object(language, fields, customer, expected):
    with translation.override(language):
        assert audit_event_sentence(event(**fields), customer_name=customer) == expected


@pytest.mark.django_db
def test_the_log_page_in_pt_br_reads_as_sentences(client):
    admin = _alice_noted_a_request_for_fabrikam()
    client.force_login(admin)
    html = client.get(reverse("audit:log"), HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert (
        "Alice Admin adicionou uma observação à solicitação de serviço 443396999279963 do cliente Fabrikam"
        in html
    )
    assert "<h1>Log de auditoria</h1>" in html
    assert '<span class="mono">servicerequest.note_added</span>' in html  # the action id stays
