"""The role picker with all 143 built-in roles in a real browser: search, capability filters, the
selected count, and a relationship created with a role the old catalogue lacked; the GCC tag on the
simulated portal's tenant banner."""

from __future__ import annotations

import re

import pytest

from gdap.models import Relationship
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_search_filter_and_create_with_teams_administrator(page, world):
    sign_in(page, "alice")
    page.goto("/gdap/relationships/new/")
    picker = page.get_by_test_id("role-picker-relationship")
    search = picker.get_by_label("Search roles")
    assert picker.locator("[data-role-count]").inner_text() == "0"
    assert picker.get_by_label("Service Support Administrator").is_visible()
    assert not picker.get_by_label("Teams Administrator", exact=True).is_visible()  # in a folded group

    search.fill("teams")
    assert picker.get_by_label("Teams Administrator", exact=True).is_visible()
    assert not picker.get_by_label("Global Administrator", exact=True).is_visible()
    assert re.match(r"8 of 143 roles shown", picker.locator("[data-role-shown]").inner_text())

    search.fill("reader")
    picker.get_by_label("Can read service health").check()
    assert picker.get_by_label("Security Reader", exact=True).is_visible()
    assert picker.get_by_label("Global Reader", exact=True).is_visible()
    assert not picker.get_by_label("Directory Readers", exact=True).is_visible()

    picker.get_by_label("Can read service health").uncheck()
    search.fill("teams admin")
    picker.get_by_label("Teams Administrator", exact=True).check()
    assert picker.locator("[data-role-count]").inner_text() == "1"
    search.fill("")
    picker.get_by_label("Selected only").check()
    assert picker.locator("li[data-role-name]:visible").count() == 1

    form = page.get_by_test_id("gdap-create-form")
    form.get_by_label("Relationship name").fill("Fabrikam Teams")
    form.get_by_role("combobox", name="Customer").select_option(label="Fabrikam")
    form.get_by_label("Duration (days)").fill("365")
    form.get_by_role("button", name="Create relationship").click()
    assert page.get_by_test_id("gdap-status").inner_text() == "Created"
    relationship = Relationship.objects.get(display_name="Fabrikam Teams")
    assert [role.name for role in relationship.roles.all()] == ["Teams Administrator"]


def test_the_portal_banner_of_a_gcc_tenant_has_the_gcc_tag(page, world):
    world.customer.cloud = "gcc"
    world.customer.save()
    sign_in(page, "alice")
    page.goto(f"/portals/m365/{world.customer.pk}/")
    banner = page.get_by_test_id("tenant-banner")
    assert banner.get_by_test_id("gcc-tag").inner_text() == "GCC"
    assert "admin.microsoft.com" in banner.inner_text()
