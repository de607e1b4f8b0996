"""The support topic catalogue, as data: (id, workload, name, description).

Ids are integers, as ``SupportTopic.id`` is in the real API. The data
migration ``0002_support_topics`` loads this table.
"""

SUPPORT_TOPICS: tuple[tuple[int, str, str, str], ...] = (
    (
        32444601,
        "azure",
        "Virtual Machines",
        "Connectivity, start-up and performance of Azure virtual machines.",
    ),
    (32444602, "azure", "Azure SQL Database", "Availability, performance and configuration of Azure SQL."),
    (32444603, "azure", "App Service", "Web apps, deployment slots and scaling."),
    (32444604, "azure", "Storage", "Blob, file, queue and table storage accounts."),
    (
        32444605,
        "azure",
        "Billing and invoices",
        "Charges, invoices and cost questions for an Azure subscription.",
    ),
    (
        32444606,
        "azure",
        "Subscription management",
        "Transfers, renaming, cancelling and reactivating subscriptions.",
    ),
    (
        32444607,
        "azure",
        "Service and subscription limits (quotas)",
        "Raising vCPU, storage and other quotas.",
    ),
    (32444611, "m365", "Exchange Online", "Mail flow, mailboxes and connectors."),
    (32444612, "m365", "SharePoint Online", "Sites, permissions and sharing."),
    (32444613, "m365", "Microsoft Teams", "Meetings, calling, chat and policies."),
    (32444614, "m365", "OneDrive for Business", "Sync, storage and sharing."),
    (32444615, "m365", "Microsoft 365 Apps", "Installation and activation of Office apps."),
    (32444621, "ems", "Microsoft Intune", "Device enrolment, compliance and app protection."),
    (32444622, "ems", "Microsoft Entra ID P1/P2", "Conditional Access, identity protection and sign-in."),
    (32444623, "ems", "Azure Information Protection", "Labels, encryption and policies."),
    (32444631, "dynamics", "Dynamics 365 Sales", "Sales app, opportunities and configuration."),
    (32444632, "dynamics", "Dynamics 365 Customer Service", "Cases, queues and service configuration."),
    (32444633, "dynamics", "Power Platform environments", "Environments, capacity and administration."),
    (32444634, "dynamics", "Dynamics 365 Business Central", "Companies, extensions and updates."),
)
