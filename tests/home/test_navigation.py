"""``home.navigation``: the menu offers each page under the predicate its view refuses with."""

import pytest
from django.urls import reverse
from django.utils import translation

from home.navigation import MENU, menu_for
from partners.choices import PartnerCenterRole as R
from tests.factories import CustomerFactory, RelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db


def labels(user, route=""):
    return [item["label"] for item in menu_for(user, route)]


def test_an_admin_agent_gets_every_partner_page():
    alice = UserFactory(roles=[R.ADMIN_AGENT])
    assert labels(alice) == [
        "Home",
        "Customers",
        "Service requests",
        "Admin relationships",
        "Service health",
        "My requests",
        "Audit log",
        "Webhooks",
        "API access",
        "Applications",
    ]


@pytest.mark.parametrize(
    ("roles", "absent", "present"),
    [
        ([R.HELPDESK_AGENT], {"Service health", "Audit log", "Webhooks", "Queues"}, {"My requests"}),
        ([R.SUPPORT_MANAGER], {"Service health", "My requests"}, {"Queues", "Audit log", "Webhooks"}),
        ([R.SALES_AGENT], {"Service health", "Queues", "My requests"}, {"Service requests"}),
        ([R.BILLING_ADMIN], {"Service requests", "Queues"}, {"Customers"}),
    ],
)
def test_partner_roles_see_only_what_their_views_allow(client, roles, absent, present):
    user = UserFactory(roles=roles)
    menu = set(labels(user))
    assert not absent & menu and present <= menu
    client.force_login(user)
    for item in menu_for(user):
        assert client.get(item["url"]).status_code == 200, item["label"]


def test_a_customer_admin_gets_their_portal_with_the_invitation_count(client):
    customer = CustomerFactory()
    fiona = UserFactory(partner=None, customer=customer)
    RelationshipFactory(customer=customer, status="approvalPending", activated_at=None)
    menu = menu_for(fiona)
    assert [i["label"] for i in menu] == [
        "Home",
        "Partner relationships",
        "Service requests filed for us",
        "Support options",
    ]
    assert [i["count"] for i in menu] == [None, 1, None, None]


def test_the_current_page_is_marked(client):
    user = UserFactory(roles=[R.SUPPORT_MANAGER])
    current = [i["label"] for i in menu_for(user, "queue_reports") if i["current"]]
    assert current == ["Queues"]
    client.force_login(user)
    html = client.get(reverse("servicerequests:list")).content.decode()
    assert f'<a href="{reverse("servicerequests:list")}" aria-current="page">Service requests</a>' in html


def test_menu_entries_are_unique_per_audience():
    # One page may appear under two labels (Queues / My requests) for two exclusive audiences only.
    by_url: dict[str, list[str]] = {}
    for entry in MENU:
        by_url.setdefault(entry.url_name, []).append(entry.label)
    assert {k: v for k, v in by_url.items() if len(v) > 1} == {"queues": ["Queues", "My requests"]}


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        ("servicerequests:new", ["Customers"]),  # a customer's New request: its breadcrumb says Customers
        ("servicerequests:new_pick", ["Service requests"]),
        ("servicerequests:detail", ["Service requests"]),
    ],
)
def test_the_menu_agrees_with_the_breadcrumb_on_request_pages(route, expected):
    alice = UserFactory(roles=[R.ADMIN_AGENT])
    assert [i["label"] for i in menu_for(alice, route) if i["current"]] == expected


def test_the_menu_speaks_european_portuguese():
    alice = UserFactory(roles=[R.ADMIN_AGENT])
    with translation.override("pt-pt"):
        assert labels(alice) == [
            "Página inicial",
            "Clientes",
            "Pedidos de serviço",
            "Relações de administrador",
            "Estado de funcionamento do serviço",
            "Os meus pedidos",
            "Registo de auditoria",
            "Webhooks",
            "Acesso à API",
            "Aplicações",
        ]
    assert labels(alice)[:3] == ["Home", "Customers", "Service requests"]  # English again outside
