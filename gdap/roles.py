"""The Entra role catalogue of RULES.md, as data.

The rows come from ``gdap/role_catalogue.py``, generated from ``reference/entra-roles.md``
(Microsoft's built-in role definitions; its source and date are in that module). The data
migrations load them into ``gdap.EntraRole``; the eligibility engine reads the capabilities from
those database rows, never from here.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from .role_catalogue import GENERATED_ON, ROWS, SOURCE

GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
SERVICE_SUPPORT_ADMINISTRATOR = "f023fd81-a637-4b56-95fd-791ac0226033"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
TEAMS_ADMINISTRATOR = "69091246-20e8-4a56-aa4d-066075b2a7a8"

CATALOGUE_SOURCE = SOURCE
CATALOGUE_DATE = GENERATED_ON


class EntraRoleRow(NamedTuple):
    """One built-in role: its template id, display name and the capabilities of RULES.md."""

    template_id: str
    name: str
    support_tickets: bool  # microsoft.office365.supportTickets/allEntities/allTasks
    service_health: bool  # microsoft.office365.serviceHealth/allEntities/allTasks
    azure_support_tickets: bool  # microsoft.azure.supportTickets/allEntities/allTasks
    privileged: bool  # Microsoft marks the role as privileged

    def model_fields(self) -> dict:
        """The ``gdap.EntraRole`` fields of this row (the primary key included)."""
        return self._asdict()


#: Every built-in role, by name.
CATALOGUE: tuple[EntraRoleRow, ...] = tuple(
    EntraRoleRow(template_id, name, *(bool(flag) for flag in flags)) for template_id, name, *flags in ROWS
)
CATALOGUE_BY_ID: dict[str, EntraRoleRow] = {row.template_id: row for row in CATALOGUE}

#: The four columns the first role migration (``0003_entra_roles``) loads; later migrations add
#: the others. Kept in this shape because that migration imports it.
ENTRA_ROLES: tuple[tuple[str, str, bool, bool], ...] = tuple(
    (row.template_id, row.name, row.support_tickets, row.service_health) for row in CATALOGUE
)

LEAST_PRIVILEGED_FOR_TICKETS = SERVICE_SUPPORT_ADMINISTRATOR
LEAST_PRIVILEGED_FOR_HEALTH = GLOBAL_READER

# Least-privileged role templates offered by the role picker (partners can save their own as
# ``gdap.RoleTemplate`` rows). Key → (display name, description, role template ids).
SUGGESTED_TEMPLATES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "service-desk": (
        _("Service desk"),
        _("File Microsoft 365 / Dynamics 365 support requests and read service health."),
        (SERVICE_SUPPORT_ADMINISTRATOR, GLOBAL_READER),
    ),
    "azure-support": (
        _("Azure support"),
        _("Any GDAP role for Azure support requests (plus Azure RBAC on the subscription)."),
        (DIRECTORY_READERS,),
    ),
}
