"""The Entra role catalogue against Microsoft's role definitions (``reference/entra-roles.md``).

The table is parsed from the shared reference file when it is reachable beside the checkout, else
from the committed data module generated from it; either way the database rows the data migrations
load must carry exactly its capabilities.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings

from gdap.models import EntraRole
from gdap.role_catalogue import ROWS
from gdap.roles import (
    CATALOGUE,
    CATALOGUE_DATE,
    CATALOGUE_SOURCE,
    DIRECTORY_READERS,
    GLOBAL_READER,
    SERVICE_SUPPORT_ADMINISTRATOR,
    TEAMS_ADMINISTRATOR,
)

sys.path.insert(0, str(Path(settings.BASE_DIR) / "scripts"))
entra_role_catalogue = importlib.import_module("entra_role_catalogue")

pytestmark = pytest.mark.django_db

COLUMNS = ("support_tickets", "service_health", "azure_support_tickets", "privileged")


def reference_rows() -> dict[str, tuple]:
    """template id → (name, m365 tickets, health, azure tickets, privileged), from the reference
    file when reachable, else from the generated module."""
    source = entra_role_catalogue.default_source()
    rows = entra_role_catalogue.parse(source.read_text()) if source is not None else ROWS
    return {template_id: (name, *map(bool, flags)) for template_id, name, *flags in rows}


def test_the_reference_table_parses_to_143_roles_with_its_stated_totals():
    rows = reference_rows()
    assert len(rows) == 143
    assert sum(r[1] for r in rows.values()) == 56  # "56 may open Microsoft 365 tickets"
    assert sum(r[2] for r in rows.values()) == 52  # "52 may read service health"


def test_the_committed_data_module_matches_the_reference_file():
    source = entra_role_catalogue.default_source()
    if source is None:
        pytest.skip("reference/entra-roles.md is not reachable beside the checkout")
    assert tuple(entra_role_catalogue.parse(source.read_text())) == tuple(
        (t, n, *map(bool, flags)) for t, n, *flags in ROWS
    )


def test_the_catalogue_records_its_source_and_date():
    assert "entra-roles.md" in CATALOGUE_SOURCE and "roleDefinitions" in CATALOGUE_SOURCE
    assert len(CATALOGUE_DATE) == 10 and CATALOGUE_DATE[4] == "-"


def test_every_database_row_has_the_capabilities_of_the_reference_table():
    expected = reference_rows()
    actual = {
        str(role.template_id): (role.name, *(getattr(role, column) for column in COLUMNS))
        for role in EntraRole.objects.all()
    }
    assert actual == expected


@pytest.mark.parametrize(
    ("name", "tickets", "health"),
    [
        # RULES.md's examples of the catalogue's facts.
        ("Teams Administrator", True, True),
        ("SharePoint Administrator", True, True),
        ("Intune Administrator", True, False),
        ("License Administrator", False, True),
        ("Security Reader", False, True),
        ("Global Reader", False, True),
        ("Directory Readers", False, False),
        ("Service Support Administrator", True, True),
        ("Power Platform Administrator", True, True),
        ("Office Apps Administrator", True, True),
    ],
)
def test_rules_examples_hold_in_the_database(name, tickets, health):
    role = EntraRole.objects.get(name=name)
    assert (role.support_tickets, role.service_health) == (tickets, health)


def test_the_least_privileged_roles_are_the_named_ones():
    by_id = {row.template_id: row for row in CATALOGUE}
    assert by_id[SERVICE_SUPPORT_ADMINISTRATOR].name == "Service Support Administrator"
    assert by_id[GLOBAL_READER].name == "Global Reader"
    assert by_id[DIRECTORY_READERS].name == "Directory Readers"
    assert by_id[TEAMS_ADMINISTRATOR].name == "Teams Administrator"


def test_the_data_migration_upserts_keeping_ids_and_leaving_other_rows():
    migration = importlib.import_module("gdap.migrations.0006_entra_role_catalogue")
    teams = EntraRole.objects.get(pk=TEAMS_ADMINISTRATOR)
    teams.support_tickets = False
    teams.service_health = False
    teams.name = "Teams Service Administrator"
    teams.save()
    custom = EntraRole.objects.create(
        template_id="00000000-0000-4000-8000-000000000001", name="Legacy custom role"
    )
    EntraRole.objects.filter(pk=GLOBAL_READER).delete()

    migration.load_catalogue(django_apps, None)

    teams.refresh_from_db()
    assert (teams.name, teams.support_tickets, teams.service_health) == ("Teams Administrator", True, True)
    assert EntraRole.objects.filter(pk=custom.pk, name="Legacy custom role").exists()
    assert EntraRole.objects.get(pk=GLOBAL_READER).service_health is True
    assert EntraRole.objects.count() == len(CATALOGUE) + 1


def test_a_table_row_that_does_not_parse_is_an_error():
    with pytest.raises(ValueError, match="unparsed table row"):
        entra_role_catalogue.parse("| Broken role | not-an-id | yes | no | no | no |\n")
