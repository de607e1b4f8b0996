"""The GDAP pages' words: the glossary every GDAP page links to, the titles that say what happened,
and the pages in Portuguese (pt-PT where it differs from pt-BR), the Graph errors included."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from gdap.choices import AUTO_EXTEND_ON
from gdap.choices import RelationshipStatus as S
from gdap.help_views import GLOSSARY
from gdap.models import Relationship
from gdap.roles import GLOBAL_READER
from tests.graph import client_for

pytestmark = pytest.mark.django_db

HELP = reverse("gdap:help")


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A request in Portuguese leaves its language active in the thread; later tests read English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_the_glossary_defines_every_term_with_an_anchor(client, admin_agent):
    client.force_login(admin_agent)
    response = client.get(HELP)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>GDAP glossary ·" in html
    anchors = [anchor for anchor, _term, _text in GLOSSARY]
    assert anchors == [
        "gdap",
        "admin-relationship",
        "relationship-request",
        "security-group",
        "access-assignment",
        "entra-role",
        "least-privilege",
        "auto-extend",
        "expiry",
        "reseller-relationship",
    ]
    for anchor in anchors:
        assert f'<dt id="term-{anchor}">' in html


def test_a_partner_admin_reaches_the_glossary_from_every_relationship_page(
    client, admin_agent, make_relationship
):
    rel = make_relationship(status=S.ACTIVE)
    client.force_login(admin_agent)
    for url in (
        reverse("gdap:relationship_list"),
        reverse("gdap:relationship_detail", args=[rel.pk]),
        reverse("gdap:relationship_create"),
        reverse("gdap:relationship_terminate", args=[rel.pk]),
        reverse("customers:relationships", args=[rel.customer_id]),
    ):
        html = client.get(url).content.decode()
        assert f'href="{HELP}" data-testid="gdap-help-link"' in html, url
    detail = client.get(reverse("gdap:relationship_detail", args=[rel.pk])).content.decode()
    # the key terms link to their definition
    for anchor in ("entra-role", "auto-extend", "access-assignment", "security-group", "expiry"):
        assert f'href="{HELP}#term-{anchor}"' in detail


def test_the_customer_admin_reaches_the_glossary_from_the_relationship_pages(
    client, customer_admin, make_relationship
):
    pending = make_relationship(status=S.APPROVAL_PENDING, display_name="Please approve")
    active = make_relationship(status=S.ACTIVE, display_name="Service desk")
    client.force_login(customer_admin)
    for url in (
        reverse("gdap:partner_relationships"),
        reverse("gdap:invitation", args=[pending.pk]),
        reverse("gdap:relationship_detail", args=[active.pk]),
    ):
        html = client.get(url).content.decode()
        assert f'href="{HELP}" data-testid="gdap-help-link"' in html, url
    glossary = client.get(HELP).content.decode()
    assert f'<a href="{reverse("gdap:partner_relationships")}">Partner relationships</a>' in glossary


def test_after_approve_all_the_title_says_the_relationship_is_approved(
    client, customer_admin, make_relationship, django_capture_on_commit_callbacks
):
    rel = make_relationship(status=S.APPROVAL_PENDING, display_name="Coho support")
    client.force_login(customer_admin)
    url = reverse("gdap:invitation", args=[rel.pk])
    assert "<title>Approve partner roles ·" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # activation runs after commit
        response = client.post(url, {"decision": "approve"}, follow=True)
    html = response.content.decode()
    assert Relationship.objects.get(pk=rel.pk).status == S.ACTIVE
    assert "<title>Relationship approved ·" in html
    assert '<h1 data-testid="gdap-invitation-heading">Relationship approved</h1>' in html
    assert "You approved the relationship “Coho support”." in html
    granted = html.split('data-testid="gdap-invitation-granted">', 1)[1]
    assert granted.startswith("Contoso Partners now holds these Microsoft Entra roles in Fabrikam until")
    assert 'data-testid="gdap-approve-confirm"' not in html and 'value="approve"' not in html


def test_after_reject_the_title_says_the_relationship_is_rejected(client, customer_admin, make_relationship):
    rel = make_relationship(status=S.APPROVAL_PENDING)
    client.force_login(customer_admin)
    response = client.post(reverse("gdap:invitation", args=[rel.pk]), {"decision": "reject"}, follow=True)
    assert "<title>Relationship rejected ·" in response.content.decode()
    assert Relationship.objects.get(pk=rel.pk).status == S.TERMINATED


def test_the_approve_all_confirmation_names_the_roles_and_the_days(client, customer_admin, make_relationship):
    rel = make_relationship(status=S.APPROVAL_PENDING, auto_extend_duration=AUTO_EXTEND_ON)
    client.force_login(customer_admin)
    html = client.get(reverse("gdap:invitation", args=[rel.pk]), {"confirm": "approve"}).content.decode()
    confirm = html.split('data-testid="gdap-approve-confirm"', 1)[1]
    assert "can act in Fabrikam for 730 days." in confirm
    assert "extends itself by 180 days unless you terminate it." in confirm
    assert "Roles: Global Reader, Service Support Administrator" in confirm


def test_the_terminate_confirmation_names_the_roles_lost(client, customer_admin, make_relationship):
    rel = make_relationship(status=S.ACTIVE)
    client.force_login(customer_admin)
    html = client.get(reverse("gdap:relationship_terminate", args=[rel.pk])).content.decode()
    assert "The 2 roles it loses: Global Reader, Service Support Administrator." in html
    assert "<title>Terminate " in html


@pytest.mark.parametrize(
    ("language", "title", "duration"),
    [
        ("pt-PT", "Relações com parceiros", "180 dias"),
        ("pt-BR", "Relacionamentos com parceiros", "180 dias"),
    ],
)
def test_partner_relationships_in_portuguese(
    client, customer_admin, make_relationship, language, title, duration
):
    make_relationship(status=S.ACTIVE, display_name="Service desk", auto_extend_duration=AUTO_EXTEND_ON)
    client.force_login(customer_admin)
    html = client.get(reverse("gdap:partner_relationships"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<title>{title} ·" in html
    table = html.split('data-testid="partner-relationships"', 1)[1]
    assert f"<td>{duration}</td>" in table
    assert "Global Reader, Service Support Administrator" in table  # Entra role names stay English
    assert 'class="badge badge-active"' in table  # the status value is not translated, its label is
    assert ">Ativa<" in table if language == "pt-PT" else ">Ativo<" in table


def test_the_relationship_detail_in_pt_pt_says_relacao_and_terminar(client, admin_agent, make_relationship):
    rel = make_relationship(status=S.ACTIVE)
    client.force_login(admin_agent)
    url = reverse("gdap:relationship_detail", args=[rel.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="pt-PT").content.decode()
    assert "Relações de administrador" in html and ">Terminar<" in html
    assert "730 dias" in html
    assert rel.end_at.strftime("%d/%m/%Y") in html  # the locale's date format


def test_a_graph_error_honours_accept_language(admin_agent, customer):
    api = client_for(admin_agent)
    body = {
        "displayName": "x" * 51,
        "duration": "P730D",
        "customer": {"tenantId": str(customer.pk)},
        "accessDetails": {"unifiedRoles": [{"roleDefinitionId": GLOBAL_READER}]},
    }
    base = "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"
    english = api.post(base, body, format="json").json()["error"]
    portuguese = api.post(base, body, format="json", HTTP_ACCEPT_LANGUAGE="pt-PT").json()["error"]
    assert english["code"] == portuguese["code"] == "GDAP-NAME"  # codes never change
    assert "the display name has 51 characters; at most 50 are allowed" in english["message"]
    assert "o nome a apresentar tem 51 carateres; são permitidos no máximo 50" in portuguese["message"]


def test_a_notification_reaches_each_recipient_in_their_language(
    admin_agent, customer_admin, make_relationship
):
    from django.core import mail

    from gdap import notifications

    customer_admin.language = "pt-pt"
    customer_admin.save(update_fields=["language"])
    rel = make_relationship(status=S.ACTIVE, display_name="Fabrikam support")
    assert notifications.send("termination_requested", rel.pk) == 2
    by_recipient = {tuple(m.to): m.subject for m in mail.outbox}
    assert by_recipient == {
        (admin_agent.email,): "GDAP relationship 'Fabrikam support' is being terminated",
        (customer_admin.email,): "A relação GDAP 'Fabrikam support' está a ser terminada",
    }
