"""The Entra role catalogue of RULES.md, as data.

Each row: (template id, display name, support_tickets, service_health).
The data migration ``0002_entra_roles`` loads this table; the eligibility
engine reads capabilities from the database rows it loads.
"""

GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
SERVICE_SUPPORT_ADMINISTRATOR = "f023fd81-a637-4b56-95fd-791ac0226033"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
DIRECTORY_READERS = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"

ENTRA_ROLES: tuple[tuple[str, str, bool, bool], ...] = (
    (GLOBAL_ADMINISTRATOR, "Global Administrator", True, True),
    (SERVICE_SUPPORT_ADMINISTRATOR, "Service Support Administrator", True, True),
    ("729827e3-9c14-49f7-bb1b-9608f156bbb8", "Helpdesk Administrator", True, True),
    ("fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator", True, True),
    ("29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator", True, True),
    ("44367163-eba1-44c3-98af-f5787879f96a", "Dynamics 365 Administrator", True, True),
    ("b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator", True, True),
    (GLOBAL_READER, "Global Reader", False, True),
    ("790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b", "Message Center Reader", False, False),
    (DIRECTORY_READERS, "Directory Readers", False, False),
    ("e8611ab8-c189-46e8-94e1-60213ab1f814", "Privileged Role Administrator", False, False),
    ("5d6b6bb7-de71-4623-b4af-96380a352509", "Security Reader", False, False),
    ("69091246-20e8-4a56-aa4d-066075b2a7a8", "Teams Administrator", False, False),
    ("f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator", False, False),
    ("3a2c62db-5318-420d-8d74-23affee5d9d5", "Intune Administrator", False, False),
    ("4d6ac14f-3453-41d0-bef9-a3e0c569773a", "License Administrator", False, False),
)

LEAST_PRIVILEGED_FOR_TICKETS = SERVICE_SUPPORT_ADMINISTRATOR
LEAST_PRIVILEGED_FOR_HEALTH = GLOBAL_READER

# Least-privileged role templates offered by the role picker (partners can save their own as
# ``gdap.RoleTemplate`` rows). Key → (display name, description, role template ids).
SUGGESTED_TEMPLATES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "service-desk": (
        "Service desk",
        "File Microsoft 365 / Dynamics 365 support requests and read service health.",
        (SERVICE_SUPPORT_ADMINISTRATOR, GLOBAL_READER),
    ),
    "azure-support": (
        "Azure support",
        "Any GDAP role for Azure support requests (plus Azure RBAC on the subscription).",
        (DIRECTORY_READERS,),
    ),
}
