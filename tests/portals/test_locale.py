"""The workload portals follow the user's language: Azure's New support request in Microsoft's own
Portuguese wording, pt-BR and pt-PT apart where the languages differ, values unchanged."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from servicerequests.models import ServiceRequest, SupportTopic
from tests.portals.test_views import AZURE_NEW, M365_NEW, _azure_data, _token
from tests.servicerequests import conftest as eligibility_world

pytestmark = pytest.mark.django_db

world = eligibility_world.world


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A request in Portuguese leaves its language active in the thread: the next test starts in English."""
    yield
    translation.deactivate()


# The same Azure form, words that read the same in both languages and words that do not.
AZURE_COMMON = [
    "Descrição do problema",
    "Detalhes adicionais",
    "Método de suporte",
    "Tipo de problema",
    "Gravidade",
]
AZURE_WORDS = {
    "pt-br": [
        '<html lang="pt-BR">',
        "<h1>Nova solicitação de suporte</h1>",
        "Assinatura",
        "4. Informações de contato",
        "Método de contato preferencial",
        "A – Impacto crítico: a empresa está em risco, a produção está parada",
        ">Examinar + criar</button>",
        "Gerenciar solicitações de suporte",
    ],
    "pt-pt": [
        '<html lang="pt-PT">',
        "<h1>Novo pedido de suporte</h1>",
        "Subscrição",
        "4. Informações de contacto",
        "Método de contacto preferencial",
        "A – Impacto crítico: o negócio está em risco, a produção está parada",
        ">Rever + criar</button>",
        "Gerir pedidos de suporte",
    ],
}


@pytest.fixture
def alice_client(client, world):
    client.force_login(world.alice)
    return client


@pytest.mark.parametrize("language", ["pt-br", "pt-pt"])
def test_the_azure_form_speaks_the_users_language(alice_client, world, language):
    html = alice_client.get(AZURE_NEW, {"ctx": _token(world)}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    other = "pt-pt" if language == "pt-br" else "pt-br"
    for words in AZURE_COMMON + AZURE_WORDS[language]:
        assert words in html
    for words in AZURE_WORDS[other][1:]:
        assert words not in html
    for english in ("New support request", "Problem description", "Review + create", "Severity"):
        assert english not in html
    # Values, rule ids and the product's plan name stay as they are.
    assert 'value="critical"' in html and 'value="technical"' in html
    assert "SR-AZURE-SUPPORT-PLAN" in html and "Cloud Solution Provider" in html


def test_the_azure_review_step_in_pt_pt(alice_client, world):
    response = alice_client.post(AZURE_NEW, _azure_data(world, _token(world)), HTTP_ACCEPT_LANGUAGE="pt-PT")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h2>Rever + criar</h2>" in html
    assert "<dt>Método de contacto</dt><dd>E-mail</dd>" in html
    assert "B – Impacto moderado: o negócio está afetado" in html


def test_the_admin_center_form_in_pt_br(alice_client, world):
    token = _token(world, workload="m365", subscription_id=None)
    topic = SupportTopic.objects.filter(workload="m365").order_by("name").first()
    response = alice_client.get(M365_NEW, {"ctx": token, "category": topic.pk}, HTTP_ACCEPT_LANGUAGE="pt-BR")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Nova solicitação de serviço: {topic.name}</h1>" in html
    assert "Centro de administração do Microsoft 365" in html
    assert ">Enviar</button>" in html and "Anexar arquivos (opcional)" in html
    assert "Exibir todos os tíquetes de suporte" in html


def test_english_stays_the_default(alice_client, world):
    html = alice_client.get(AZURE_NEW, {"ctx": _token(world)}).content.decode()
    assert "<h1>New support request</h1>" in html and ">Review + create</button>" in html
    assert reverse("portals:new", kwargs={"portal": "azure"}) in html


def test_the_preferred_support_language_follows_the_page_and_is_filed(alice_client, world):
    token = _token(world)
    html = alice_client.get(AZURE_NEW, {"ctx": token}, HTTP_ACCEPT_LANGUAGE="pt-PT").content.decode()
    assert "Idioma de suporte preferido" in html
    assert '<option value="pt-PT" selected>Português (Portugal)</option>' in html
    data = _azure_data(world, token, step="create", support_language="es-ES")
    response = alice_client.post(AZURE_NEW, data)
    assert response.status_code == 302
    filed = ServiceRequest.objects.get(title="VM does not start")
    assert filed.support_language == "es-ES"
    page = alice_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="pt-BR").content.decode()
    assert '<dt>Idioma de suporte preferencial</dt><dd lang="es-ES" translate="no">Español</dd>' in page
