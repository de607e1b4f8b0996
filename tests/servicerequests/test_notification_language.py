"""E-mails are written in their recipient's language (``User.language``; blank: English), whatever
language the code that sends them runs in."""

import pytest
from django.core import mail
from django.utils import translation

from portals.models import PortalTicket
from servicerequests.handoffs.services import handoff_create
from tests.factories import UserFactory
from tests.servicerequests.test_services_file import file_m365

HANDOFF = {
    "issue_type": "billing",
    "title": "Invoice charges the plan twice",
    "description": "The March invoice charges the Azure plan twice.",
    "severity": "moderate",
}

pytestmark = pytest.mark.django_db


def test_a_pt_pt_filer_receives_the_filed_notification_in_european_portuguese(
    world, django_capture_on_commit_callbacks
):
    world.alice.language = "pt-pt"
    world.alice.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        request = file_m365(world)

    request.refresh_from_db()
    ticket = PortalTicket.objects.get(service_request=request).ticket_number
    due = f"{request.sla_due_at:%d/%m/%Y %H:%M}"
    [message] = mail.outbox
    assert message.to == ["alice@contosopartners.com"]
    assert message.subject == f"Pedido de serviço {request.pk} submetido: Mail stuck in the outbox"
    assert message.body.startswith(
        f"Olá, {world.alice.get_full_name()},\n\n"
        f"O seu pedido de serviço {request.pk} foi submetido em nome de Fabrikam e o Centro de "
        f"administração do Microsoft 365 aceitou-o como pedido de suporte {ticket}.\n\n"
        "Título: Mail stuck in the outbox\n"
        "Carga de trabalho: Microsoft 365\n"
        "Gravidade: Moderada (B)\n"
        f"Portal: Centro de administração do Microsoft 365, pedido de suporte {ticket}\n"
        f"Resposta: prazo até {due} UTC (SR-PRIORITY: crítica 2 h, moderada 4 h, mínima 8 h)\n\n"
        "A partir daqui, os engenheiros do portal tratam do pedido de suporte; as notas e as "
        "alterações de estado aparecem na página do pedido.\n"
    )
    assert message.body.rstrip().endswith("Contoso Partners — portal do fluxo de suporte do Partner Center")


@pytest.mark.parametrize("active", ["en", "pt-br"])
def test_an_english_filer_receives_it_in_english_whatever_language_is_active(
    world, django_capture_on_commit_callbacks, active
):
    assert world.alice.language == ""
    with translation.override(active), django_capture_on_commit_callbacks(execute=True):
        request = file_m365(world)

    ticket = PortalTicket.objects.get(service_request=request).ticket_number
    [message] = mail.outbox
    assert message.subject == f"Service request {request.pk} filed: Mail stuck in the outbox"
    assert (
        f"Your service request {request.pk} was filed on behalf of Fabrikam and the Microsoft 365 "
        f"admin center accepted it as ticket {ticket}.\n" in message.body
    )
    assert "Severity: Moderate (B)\n" in message.body


def test_each_provider_manager_receives_the_handoff_e_mail_in_their_own_language(
    handoff_world, django_capture_on_commit_callbacks
):
    w = handoff_world
    w.extra["maria"].language = "pt-br"
    w.extra["maria"].save(update_fields=["language"])
    UserFactory(
        username="mike", email="mike@contosopartners.com", partner=w.partner, roles=["support_manager"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        handoff = handoff_create(
            actor=w.extra["paula"], customer_id=w.customer.pk, subscription_id=w.azure.pk, **HANDOFF
        )

    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_recipient) == ["maria@contosopartners.com", "mike@contosopartners.com"]
    brazilian = by_recipient["maria@contosopartners.com"]
    assert brazilian.subject == "Transferência de Proseware Advisors: Invoice charges the plan twice"
    assert (
        "Proseware Advisors pede a Contoso Partners que abra uma solicitação de serviço que ele próprio "
        "não pode abrir: só o provedor de uma assinatura do Azure abre solicitações de cobrança "
        "(SR-AZURE-NONTECH-PROVIDER-ONLY)."
    ) in brazilian.body
    assert f"/service-requests/handoffs/{handoff.pk}/" in brazilian.body
    english = by_recipient["mike@contosopartners.com"]
    assert english.subject == "Hand-off from Proseware Advisors: Invoice charges the plan twice"
    assert "files billing requests (SR-AZURE-NONTECH-PROVIDER-ONLY)." in english.body
