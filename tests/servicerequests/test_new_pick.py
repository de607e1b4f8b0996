"""New request from Service requests: the customer picker, then the workload, then the customer's
New request page (as the seed files it: Service requests › New request)."""

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, CustomerPartnerRelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db

PICK = reverse("servicerequests:new_pick")


@pytest.fixture
def alice_client(client, world):
    client.force_login(world.alice)
    return client


def test_choosing_a_customer_and_a_workload_leads_to_its_new_request_page(alice_client, world):
    response = alice_client.get(PICK, {"customer": world.customer.pk, "workload": "m365"})
    assert response.status_code == 302
    assert response["Location"] == reverse("servicerequests:new", args=[world.customer.pk]) + "?workload=m365"


def test_the_search_lists_only_the_partners_matching_customers(alice_client, world):
    other_partners = CustomerFactory(name="Fabrikam Labs")  # another partner's customer
    mine = CustomerFactory(name="Fabrikam Retail")
    CustomerPartnerRelationshipFactory(customer=mine, partner=world.partner)
    html = alice_client.get(PICK, {"q": "fabrikam", "search": "1"}).content.decode()
    assert f'value="{world.customer.pk}"' in html and f'value="{mine.pk}"' in html
    assert str(other_partners.pk) not in html and "Fabrikam Labs" not in html


def test_the_type_ahead_answers_the_results_only(alice_client, world):
    response = alice_client.get(PICK, {"q": "fab"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="customer-results")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<fieldset id="customer-results"')
    assert "<html" not in html
    assert f'value="{world.customer.pk}"' in html


def test_another_partners_customer_is_named_as_the_error(alice_client, world):
    other = CustomerFactory(name="Tailspin Toys")
    response = alice_client.get(PICK, {"customer": other.pk, "workload": "m365"})
    assert response.status_code == 400
    assert "Choose one of your customers." in response.content.decode()


def test_a_missing_workload_is_named(alice_client, world):
    response = alice_client.get(PICK, {"customer": world.customer.pk})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_only_admin_agents_may_start_a_request(client, world):
    client.force_login(UserFactory(partner=world.partner, roles=["sales_agent"]))
    response = client.get(PICK)
    assert response.status_code == 403
    assert "SR-PC-ROLE-ADMIN-AGENT" in response.content.decode()


def test_the_list_offers_new_request_to_admin_agents(alice_client, world):
    assert f'href="{PICK}"' in alice_client.get(reverse("servicerequests:list")).content.decode()
