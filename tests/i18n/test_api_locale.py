"""The language of the APIs and of the refusal page: ``X-Locale`` on ``/v1``, ``Accept-Language`` on
Graph and the browser. Words change with the language; rule ids, outcomes, codes and field names
never do, and a filed request's recorded decision is stored in English and read in any language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from gdap.choices import RelationshipStatus
from servicerequests.eligibility import (
    EligibilityRequest,
    evaluate,
    outcomes_from_record,
    record_as_dict,
)
from servicerequests.models import ServiceRequest
from tests.api.conftest import (
    api_settings,  # noqa: F401  (the /v1 tests' throttle settings)
    client_for,
    make_partner_world,
)
from tests.api.test_servicerequests import M365_BODY, file_url
from tests.factories import RelationshipFactory
from tests.graph import assert_graph_error

pytestmark = pytest.mark.django_db

GDAP_ROLE_TICKETS_PT_BR = (
    "Nenhuma das funções que você recebe em Fabrikam of Contoso (Global Reader) pode abrir tíquetes de "
    "suporte."
)


@pytest.fixture
def world(db):
    """The /v1 tests' partner world: an admin agent who may file M365 requests for Fabrikam."""
    return make_partner_world()


def without_tickets_role(world) -> None:
    """Leave the admin's group only Global Reader: SR-GDAP-ROLE-TICKETS fails."""
    world.relationship.access_assignments.get().roles.set(
        world.relationship.roles.filter(name="Global Reader")
    )


def dry_run(world, **headers):
    response = client_for(world.admin, **headers).post(
        f"{file_url(world)}/eligibility", {"workload": "m365"}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_dry_run_in_pt_br_and_en_us_differs_only_in_words(world):
    without_tickets_role(world)
    portuguese = dry_run(world, HTTP_X_LOCALE="pt-BR")
    english = dry_run(world, HTTP_X_LOCALE="en-US")

    def verdicts(body):
        return body["allowed"], [(o["ruleId"], o["outcome"]) for o in body["outcomes"]]

    assert verdicts(portuguese) == verdicts(english)
    assert portuguese["allowed"] is False
    failed = {o["ruleId"]: o for o in portuguese["outcomes"] if o["outcome"] == "failed"}
    assert list(failed) == ["SR-GDAP-ROLE-TICKETS"]
    assert failed["SR-GDAP-ROLE-TICKETS"]["message"] == GDAP_ROLE_TICKETS_PT_BR
    english_outcome = next(o for o in english["outcomes"] if o["ruleId"] == "SR-GDAP-ROLE-TICKETS")
    assert english_outcome["message"] == (
        "None of the roles you get in Fabrikam of Contoso (Global Reader) can open support tickets."
    )
    assert english_outcome["remedy"] != failed["SR-GDAP-ROLE-TICKETS"]["remedy"]
    # Every rule's words differ; the passed ones too (the same sentence is never left in English).
    for pt, en in zip(portuguese["outcomes"], english["outcomes"], strict=True):
        assert pt["message"] != en["message"], pt["ruleId"]


def test_x_locale_wins_over_accept_language_on_v1(world):
    without_tickets_role(world)
    body = dry_run(world, HTTP_X_LOCALE="pt-BR", HTTP_ACCEPT_LANGUAGE="en-US")
    assert body["outcomes"][6]["message"] == GDAP_ROLE_TICKETS_PT_BR


def test_a_refused_filing_answers_in_the_request_language(world):
    without_tickets_role(world)
    response = client_for(world.admin, HTTP_X_LOCALE="pt-PT").post(file_url(world), M365_BODY, format="json")
    assert response.status_code == 403
    body = response.json()
    assert (body["code"], [d["ruleId"] for d in body["data"]]) == (2032, ["SR-GDAP-ROLE-TICKETS"])
    assert body["description"] == "Acesso negado: o pedido não é elegível (SR-GDAP-ROLE-TICKETS)."
    assert body["data"][0]["message"] == (
        "Nenhuma das funções que recebe em Fabrikam of Contoso (Global Reader) pode abrir pedidos de suporte."
    )


@pytest.mark.parametrize(
    ("locale", "description", "reason"),
    [
        ("pt-PT", "Propriedade inválida: description, title.", "Este campo é obrigatório."),
        ("en-US", "Invalid property: description, title.", "This field is required."),
    ],
)
def test_a_400_description_in_pt_pt_and_en(world, locale, description, reason):
    body = {key: value for key, value in M365_BODY.items() if key not in ("title", "description")}
    response = client_for(world.admin, HTTP_X_LOCALE=locale).post(file_url(world), body, format="json")
    assert response.status_code == 400
    error = response.json()
    assert (error["code"], error["description"]) == (3000, description)
    assert {(d["field"], d["reason"]) for d in error["data"]} == {("title", reason), ("description", reason)}


def test_a_graph_error_message_follows_accept_language(world):
    relationship = RelationshipFactory(
        partner=world.partner, customer=world.customer, status=RelationshipStatus.CREATED
    )
    client = APIClient(HTTP_ACCEPT_LANGUAGE="pt-BR")
    client.force_authenticate(world.admin)
    url = f"/graph/v1.0/tenantRelationships/delegatedAdminRelationships/{relationship.pk}"
    error = assert_graph_error(
        client.patch(url, {"displayName": "Novo"}, format="json"), 428, "PreconditionRequired"
    )
    assert (
        error["message"] == "O cabeçalho If-Match é obrigatório: envie o @odata.etag que você leu por último."
    )


def test_a_filed_requests_decision_is_stored_in_english_and_read_in_portuguese(world):
    response = client_for(world.admin, HTTP_X_LOCALE="pt-BR").post(file_url(world), M365_BODY, format="json")
    assert response.status_code == 201, response.content
    stored = ServiceRequest.objects.get().eligibility
    outcome = next(o for o in stored["outcomes"] if o["ruleId"] == "SR-GDAP-ROLE-TICKETS")
    assert outcome["message"].startswith("You get Service Support Administrator through 'Support desk'")
    assert outcome["messageText"]["msgid"] == "You get %(role)s %(source)s, which can open support tickets."
    answered = next(
        o for o in response.json()["eligibility"]["outcomes"] if o["ruleId"] == "SR-GDAP-ROLE-TICKETS"
    )
    assert answered == {
        "ruleId": "SR-GDAP-ROLE-TICKETS",
        "outcome": "passed",
        "message": "Você recebe Service Support Administrator por meio de 'Support desk' em "
        "'Fabrikam of Contoso support', que pode abrir tíquetes de suporte.",
        "remedy": "",
    }
    with translation.override("pt-pt"):
        read = next(o for o in outcomes_from_record(stored) if o.rule_id == "SR-GDAP-ROLE-TICKETS")
        assert read.message.startswith("Recebe Service Support Administrator através de 'Support desk'")


def test_an_outcome_is_rendered_in_the_language_active_when_read(world):
    without_tickets_role(world)
    with translation.override("pt-br"):
        decision = evaluate(
            EligibilityRequest(user_id=world.admin.pk, customer_id=world.customer.pk, workload="m365")
        )
    outcome = decision.outcome("SR-GDAP-ROLE-TICKETS")
    with translation.override("en"):
        assert outcome.message.startswith("None of the roles you get in Fabrikam of Contoso")
    with translation.override("pt-br"):
        assert outcome.message == GDAP_ROLE_TICKETS_PT_BR


def test_the_refusal_page_explains_the_failed_rule_in_portuguese(world):
    without_tickets_role(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="pt-BR")
    client.force_login(world.admin)
    response = client.post(f"/customers/{world.customer.pk}/service-requests/new/", {"workload": "m365"})
    assert response.status_code == 403, response.status_code
    page = response.content.decode()
    assert '<html lang="pt-BR"' in page
    assert GDAP_ROLE_TICKETS_PT_BR in page
    assert "Como corrigir:" in page
    assert 'data-rule-id="SR-GDAP-ROLE-TICKETS"' in page
    assert "Solicitar um relacionamento GDAP a Fabrikam of Contoso" in page


def test_an_answer_given_before_the_locale_middleware_follows_x_locale(world, settings):
    """The JSON nesting guard answers before Django's LocaleMiddleware: it picks the language itself."""
    deep = "[" * (settings.JSON_MAX_DEPTH + 1) + "]" * (settings.JSON_MAX_DEPTH + 1)
    response = client_for(world.admin, HTTP_X_LOCALE="pt-BR").post(
        file_url(world), deep, content_type="application/json"
    )
    assert response.status_code == 400
    error = response.json()
    assert (error["code"], error["description"]) == (3000, "Propriedade inválida: body.")
    assert error["data"] == [
        {
            "field": "body",
            "reason": f"JSON aninhado com mais de {settings.JSON_MAX_DEPTH} níveis não é aceito.",
        }
    ]


# A possessive parameter ("customer_s": "Fabrikam's") always travels with the plain name, which
# a Portuguese sentence uses instead.
POSSESSIVE_PAIRS = {"customer_s": "customer", "partner_s": "partner", "provider_s": "provider"}


@pytest.mark.parametrize("language", ["pt_BR", "pt_PT"])
def test_every_eligibility_translation_uses_only_parameters_its_sentence_has(language):
    """A msgstr naming a parameter its msgid doesn't pass would fail at render time; the engine's
    sentences may swap a possessive for its plain name."""
    import re
    from pathlib import Path

    import polib

    placeholder = re.compile(r"%\((\w+)\)")
    path = Path(__file__).resolve().parents[2] / "servicerequests" / "locale" / language / "LC_MESSAGES"
    wrong = []
    for entry in polib.pofile(str(path / "django.po")):
        if not any(file.startswith("servicerequests/eligibility/") for file, _ in entry.occurrences):
            continue
        given = set(placeholder.findall(entry.msgid + (entry.msgid_plural or "")))
        given |= {POSSESSIVE_PAIRS[name] for name in given if name in POSSESSIVE_PAIRS}
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if set(placeholder.findall(text)) - given:
                wrong.append(entry.msgid)
    assert wrong == []


def test_a_text_round_trips_through_its_stored_form():
    from servicerequests.eligibility.tables import ISSUE_TYPE_NOUNS, WORKLOAD_NAMES
    from servicerequests.eligibility.text import gettext_lazy, joined, ngettext_lazy, text_from_json

    text = gettext_lazy(
        "Only the provider of %(subscription)s, %(provider)s, may file %(issue)s requests; %(partner)s "
        "(%(type)s) may not.",
        subscription="'Azure plan' (1234)",
        provider="Northwind",
        issue=ISSUE_TYPE_NOUNS["billing"],
        partner="Tailspin",
        type=joined([WORKLOAD_NAMES["azure"], ngettext_lazy("%(count)s minute", "%(count)s minutes", 2)]),
    )
    stored = text.as_json()
    for language in ("en", "pt-br", "pt-pt"):
        with translation.override(language):
            assert str(text_from_json(stored)) == str(text)
    with translation.override("pt-pt"):
        assert str(text).startswith(
            "Só o fornecedor de 'Azure plan' (1234), Northwind, pode submeter pedidos de faturação"
        )


@pytest.mark.parametrize("refused", [False, True])
def test_a_record_read_in_english_is_the_decision_rendered_in_english(world, refused):
    """``record_as_dict`` takes the stored English sentences as they are: they must be exactly
    what rendering the outcomes again in English gives, for passed and failed rules alike."""
    if refused:
        without_tickets_role(world)
    decision = evaluate(
        EligibilityRequest(user_id=world.admin.pk, customer_id=world.customer.pk, workload="m365")
    )
    assert decision.allowed is not refused
    record = decision.as_record()
    with translation.override("en"):
        assert record_as_dict(record) == decision.as_dict()
        rendered_again = [o.as_dict() for o in outcomes_from_record(record)]
        assert record_as_dict(record)["outcomes"] == rendered_again
    with translation.override("pt-br"):
        read = record_as_dict(record)
        assert read == decision.as_dict()
        assert read["outcomes"] != record["outcomes"]
        if refused:
            tickets = next(o for o in read["outcomes"] if o["ruleId"] == "SR-GDAP-ROLE-TICKETS")
            assert tickets["message"] == GDAP_ROLE_TICKETS_PT_BR


def test_an_older_english_only_record_reads_the_same_in_english():
    """A record written before the msgids were stored (message and remedy only) reads as it was."""
    record = {
        "allowed": True,
        "outcomes": [{"ruleId": "SR-CONTACT-EMAIL", "outcome": "passed", "message": "Fine.", "remedy": ""}],
        "portal": None,
        "isvContact": None,
    }
    with translation.override("en"):
        assert record_as_dict(record) == record
    with translation.override("pt-br"):
        assert record_as_dict(record)["outcomes"] == record["outcomes"]


def test_a_texts_english_is_rendered_once_and_stays_english_whatever_the_active_language():
    from servicerequests.eligibility.tables import WORKLOAD_NAMES
    from servicerequests.eligibility.text import _english, gettext_lazy, joined

    text = gettext_lazy(
        "Only the provider of %(subscription)s, %(provider)s, may file %(issue)s requests; %(partner)s "
        "(%(type)s) may not.",
        subscription="'Azure plan' (42)",
        provider="Northwind",
        issue="billing",
        partner="Tailspin",
        type=joined([WORKLOAD_NAMES["azure"]]),
    )
    with translation.override("en"):
        expected = str(text)
    with translation.override("pt-br"):
        hits = _english.cache_info().hits
        assert text.english() == expected  # rendered (and remembered) while Portuguese is active
        assert text.english() == expected
        assert _english.cache_info().hits == hits + 1
        assert str(text) != expected  # the text itself still renders in the active language
    # A parameter that can't be hashed: rendered each time, the same sentence.
    unhashable = gettext_lazy("Contact %(name)s.", name={"first": "Ana"})
    with translation.override("pt-pt"):
        assert unhashable.english() == "Contact {'first': 'Ana'}."


def test_two_texts_whose_parameters_one_translation_merges_keep_their_own_english():
    from django.utils.functional import lazy

    from servicerequests.eligibility.text import gettext_lazy

    def word(english: str, portuguese: str):
        return lazy(lambda: english if translation.get_language() == "en" else portuguese, str)()

    minimal = gettext_lazy("Kind: %(kind)s.", kind=word("Minimal", "Mínima"))
    minimum = gettext_lazy("Kind: %(kind)s.", kind=word("Minimum", "Mínima"))
    with translation.override("pt-br"):
        assert minimal.english() == "Kind: Minimal."
        assert minimum.english() == "Kind: Minimum."
