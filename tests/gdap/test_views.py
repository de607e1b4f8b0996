"""Browser pages: permissions, inline rule errors, the invitation page, list query counts."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gdap.choices import AssignmentStatus, RelationshipStatus
from gdap.models import AccessAssignment, EntraRole, Relationship, RoleTemplate
from tests.factories import CustomerFactory, RelationshipFactory, UserFactory

from .conftest import GR, SSA

S = RelationshipStatus
pytestmark = pytest.mark.django_db
LIST = reverse("gdap:relationship_list")
NEW = reverse("gdap:relationship_create")


@pytest.fixture
def as_agent(client, admin_agent):
    client.force_login(admin_agent)
    return client


def test_list_needs_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_list_shows_only_own_partners_relationships(as_agent, make_relationship):
    mine = make_relationship(display_name="Mine")
    RelationshipFactory(display_name="Theirs")
    response = as_agent.get(LIST)
    assert response.status_code == 200
    assert [r.pk for r in response.context["page_obj"]] == [mine.pk]
    assert b"Theirs" not in response.content


def test_list_filters_by_status(as_agent, make_relationship):
    make_relationship(display_name="Live")
    created = make_relationship(status=S.CREATED, display_name="Draft")
    response = as_agent.get(LIST, {"status": "created"})
    assert [r.pk for r in response.context["page_obj"]] == [created.pk]


@pytest.mark.parametrize(("days", "expected"), [(30, ["in 5", "in 20"]), (7, ["in 5"]), (1, [])])
def test_expiring_views(as_agent, make_relationship, days, expected):
    now = timezone.now()
    for name, left in (("in 5", 5), ("in 20", 20), ("in 40", 40)):
        make_relationship(
            display_name=name, activated_at=now - timedelta(days=10), duration=timedelta(days=10 + left)
        )
    make_relationship(
        display_name="extends",
        activated_at=now - timedelta(days=10),
        duration=timedelta(days=12),
        auto_extend_duration=timedelta(days=180),
    )
    response = as_agent.get(LIST, {"expiring": days})
    assert [r.display_name for r in response.context["page_obj"]] == expected


def test_list_query_count_is_flat_and_paginated(as_agent, make_relationship, django_assert_max_num_queries):
    for i in range(3):
        make_relationship(display_name=f"a{i}")
    with django_assert_max_num_queries(9) as small:
        as_agent.get(LIST)
    for i in range(30):
        make_relationship(display_name=f"b{i}")
    with django_assert_max_num_queries(9) as large:
        response = as_agent.get(LIST)
    assert len(small.captured_queries) == len(large.captured_queries)
    assert len(response.context["page_obj"]) == 25
    assert response.context["page_obj"].paginator.count == 33


def test_sales_agent_cannot_open_create_form(client, sales_agent):
    client.force_login(sales_agent)
    assert client.get(NEW).status_code == 403
    assert client.get(LIST).status_code == 200


def test_create_form_shows_capabilities_and_template_preselects_roles(as_agent):
    response = as_agent.get(NEW, {"template": "service-desk"})
    assert response.status_code == 200
    assert response.context["selected_roles"] == {SSA, GR}
    content = response.content.decode()
    assert "csrfmiddlewaretoken" in content
    assert f'value="{SSA}" checked' in content
    assert "Service desk" in content and "Azure support" in content
    assert 'data-testid="role-picker-relationship"' in content


def test_the_picker_offers_every_role_once_per_form_grouped_least_privilege_first(as_agent):
    content = as_agent.get(NEW).content.decode()
    picker, template_picker = content.split('data-testid="role-picker-template"')
    for part in (picker, template_picker):
        values = re.findall(r'name="roles" value="([0-9a-f-]{36})"', part)
        assert len(values) == len(set(values)) == EntraRole.objects.count() == 143
    groups = re.findall(r'<span class="role-group-title">([^<]+)</span>', picker)
    assert groups == [
        "Recommended: least privilege",
        "Support tickets and service health",
        "Support tickets only",
        "Service health only",
        "Other roles",
    ]
    recommended = picker.split('<span class="role-group-title">')[1]
    assert re.findall(r'<span class="role-name">([^<]+)</span>', recommended) == [
        "Service Support Administrator",
        "Global Reader",
        "Directory Readers",
    ]
    assert "Least privilege to file Microsoft 365" in recommended
    assert "Least privilege to read service health" in recommended


@pytest.mark.parametrize(
    ("name", "badges"),
    [
        ("Teams Administrator", ["M365 tickets", "Service health", "Azure tickets"]),
        ("Intune Administrator", ["M365 tickets", "Azure tickets", "Privileged"]),
        ("Security Reader", ["Service health", "Privileged"]),
        ("License Administrator", ["Service health"]),
        ("Directory Readers", []),
    ],
)
def test_each_role_shows_its_capability_badges(as_agent, name, badges):
    content = as_agent.get(NEW).content.decode()
    row = re.search(
        rf'<span class="role-name">{re.escape(name)}</span></label>\s*'
        r'<span class="role-badges">(.*?)</span>\s*(?:<span class="role-note">|</li>)',
        content,
        flags=re.DOTALL,
    )
    assert row is not None, name
    assert re.findall(r'class="badge [^"]+"[^>]*>([^<]+)</span>', row.group(1)) == badges


def test_create_posts_and_redirects(as_agent, customer):
    response = as_agent.post(
        NEW,
        {"display_name": "Help desk", "customer": customer.pk, "duration_days": 365, "roles": [SSA, GR]},
    )
    rel = Relationship.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("gdap:relationship_detail", args=[rel.pk])
    assert (rel.status, rel.duration) == (S.CREATED, timedelta(days=365))


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"display_name": "x" * 51}, "display_name", "GDAP-NAME"),
        ({"duration_days": 731}, "duration_days", "GDAP-DURATION"),
        (
            {"auto_extend": "on", "roles": ["62e90394-69f5-4237-9190-012177145e10"]},
            "auto_extend",
            "GDAP-AUTO-EXTEND-NO-GA",
        ),
    ],
)
def test_create_shows_rule_errors_inline(as_agent, customer, changes, field, text):
    data = {
        "display_name": "Help desk",
        "customer": customer.pk,
        "duration_days": 365,
        "roles": [SSA],
    } | changes
    response = as_agent.post(NEW, data)
    assert response.status_code == 400
    assert any(text in e for e in response.context["form"].errors[field])
    assert text in response.content.decode()
    assert Relationship.objects.count() == 0


def test_role_template_saved_and_offered(as_agent, admin_agent):
    response = as_agent.post(reverse("gdap:role_template_create"), {"name": "Tier 1", "roles": [SSA]})
    template = RoleTemplate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{NEW}?template={template.pk}"
    page = as_agent.get(response["Location"])
    assert page.context["selected_roles"] == {SSA}


def test_detail_of_another_partner_is_404(as_agent):
    other = RelationshipFactory()
    assert as_agent.get(reverse("gdap:relationship_detail", args=[other.pk])).status_code == 404
    assert as_agent.post(reverse("gdap:relationship_lock", args=[other.pk])).status_code == 404


def test_lock_shows_invitation_link(as_agent, make_relationship):
    rel = make_relationship(status=S.CREATED)
    response = as_agent.post(reverse("gdap:relationship_lock", args=[rel.pk]), follow=True)
    rel.refresh_from_db()
    assert rel.status == S.APPROVAL_PENDING
    assert f"http://testserver/gdap/invitations/{rel.pk}/" in response.content.decode()


def test_auto_extend_refused_inline_with_global_admin(as_agent, make_relationship):
    rel = make_relationship(status=S.ACTIVE, roles=["Global Administrator"])
    response = as_agent.post(reverse("gdap:relationship_auto_extend", args=[rel.pk]), {"enabled": "on"})
    assert response.status_code == 400
    assert "GDAP-AUTO-EXTEND-NO-GA" in response.context["errors"]["auto_extend"]
    assert 'data-testid="gdap-auto-extend-error"' in response.content.decode()
    rel.refresh_from_db()
    assert rel.auto_extend_duration == timedelta(0)


def test_auto_extend_toggle(as_agent, make_relationship):
    rel = make_relationship(status=S.ACTIVE)
    assert (
        as_agent.post(reverse("gdap:relationship_auto_extend", args=[rel.pk]), {"enabled": "on"}).status_code
        == 302
    )
    rel.refresh_from_db()
    assert rel.auto_extend_duration == timedelta(days=180)


def test_add_and_remove_assignment(as_agent, make_relationship, group):
    rel = make_relationship(status=S.ACTIVE)
    response = as_agent.post(
        reverse("gdap:assignment_create", args=[rel.pk]), {"security_group": group.pk, "roles": [SSA]}
    )
    assert response.status_code == 302
    assignment = AccessAssignment.objects.get()
    assert [str(r.pk) for r in assignment.roles.all()] == [SSA]
    response = as_agent.post(reverse("gdap:assignment_delete", args=[rel.pk, assignment.pk]))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DELETING


def test_assignment_role_outside_relationship_is_refused(as_agent, make_relationship, group):
    rel = make_relationship(status=S.ACTIVE, roles=["Global Reader"])
    response = as_agent.post(
        reverse("gdap:assignment_create", args=[rel.pk]), {"security_group": group.pk, "roles": [SSA]}
    )
    assert response.status_code == 400  # SSA is not even a choice of the form
    assert "roles" in response.context["assignment_form"].errors
    assert AccessAssignment.objects.count() == 0


def test_sales_agent_cannot_terminate(client, sales_agent, make_relationship):
    rel = make_relationship(status=S.ACTIVE)
    client.force_login(sales_agent)
    assert client.post(reverse("gdap:relationship_terminate", args=[rel.pk])).status_code == 403
    rel.refresh_from_db()
    assert rel.status == S.ACTIVE


# --- invitation page ---------------------------------------------------------------------------------------


def test_customer_admin_approves_via_invitation(client, customer_admin, make_relationship):
    rel = make_relationship(status=S.APPROVAL_PENDING)
    url = reverse("gdap:invitation", args=[rel.pk])
    assert url == f"/gdap/invitations/{rel.pk}/"
    client.force_login(customer_admin)
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Contoso Partners" in content
    assert "Service Support Administrator" in content and "Global Reader" in content
    assert "Approve all" in content
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 302
    rel.refresh_from_db()
    assert rel.status == S.ACTIVE


def test_customer_admin_rejects(client, customer_admin, make_relationship):
    rel = make_relationship(status=S.APPROVAL_PENDING)
    client.force_login(customer_admin)
    client.post(reverse("gdap:invitation", args=[rel.pk]), {"decision": "reject"})
    rel.refresh_from_db()
    assert rel.status == S.TERMINATED


def test_invitation_permissions(client, make_relationship, admin_agent):
    rel = make_relationship(status=S.APPROVAL_PENDING)
    url = reverse("gdap:invitation", args=[rel.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    client.force_login(UserFactory(partner=None, customer=CustomerFactory()))
    assert client.get(url).status_code == 404
    client.force_login(admin_agent)
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "approve"}).status_code == 403
    rel.refresh_from_db()
    assert rel.status == S.APPROVAL_PENDING


def test_invitation_list_for_customer_admin(client, customer_admin, make_relationship):
    pending = make_relationship(status=S.APPROVAL_PENDING, display_name="Please approve")
    make_relationship(status=S.ACTIVE, display_name="Done")
    client.force_login(customer_admin)
    response = client.get(reverse("gdap:invitation_list"))
    assert [r.pk for r in response.context["page_obj"]] == [pending.pk]
