"""The support topic catalogue, as data: (id, workload, name, description), and the product each
workload's requests concern.

Ids are integers, as ``SupportTopic.id`` is in the real API. The data migrations
``0002_support_topics`` and ``0010_general_support_topics`` load this table.
"""

SUPPORT_TOPICS: tuple[tuple[int, str, str, str], ...] = (
    (32444600, "azure", "Other Azure technical issue", "A technical problem no Azure service topic covers."),
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
    (32444610, "m365", "Other Microsoft 365 issue", "A problem no Microsoft 365 service topic covers."),
    (32444611, "m365", "Exchange Online", "Mail flow, mailboxes and connectors."),
    (32444612, "m365", "SharePoint Online", "Sites, permissions and sharing."),
    (32444613, "m365", "Microsoft Teams", "Meetings, calling, chat and policies."),
    (32444614, "m365", "OneDrive for Business", "Sync, storage and sharing."),
    (32444615, "m365", "Microsoft 365 Apps", "Installation and activation of Office apps."),
    (
        32444620,
        "ems",
        "Other Enterprise Mobility + Security issue",
        "A problem no Enterprise Mobility + Security topic covers.",
    ),
    (32444621, "ems", "Microsoft Intune", "Device enrolment, compliance and app protection."),
    (32444622, "ems", "Microsoft Entra ID P1/P2", "Conditional Access, identity protection and sign-in."),
    (32444623, "ems", "Azure Information Protection", "Labels, encryption and policies."),
    (32444630, "dynamics", "Other Dynamics 365 issue", "A problem no Dynamics 365 topic covers."),
    (32444631, "dynamics", "Dynamics 365 Sales", "Sales app, opportunities and configuration."),
    (32444632, "dynamics", "Dynamics 365 Customer Service", "Cases, queues and service configuration."),
    (32444633, "dynamics", "Power Platform environments", "Environments, capacity and administration."),
    (32444634, "dynamics", "Dynamics 365 Business Central", "Companies, extensions and updates."),
)

#: The topic a request filed over ``POST /v1/customers/{id}/servicerequests`` gets when it names
#: none (this portal's extension; Partner Center required ``SupportTopicId``): per workload, and for
#: Azure per issue type (an empty issue type is ``technical``).
DEFAULT_SUPPORT_TOPICS: dict[tuple[str, str], int] = {
    ("azure", "technical"): 32444600,
    ("azure", "billing"): 32444605,
    ("azure", "subscription_management"): 32444606,
    ("azure", "quota"): 32444607,
    ("m365", ""): 32444610,
    ("ems", ""): 32444620,
    ("dynamics", ""): 32444630,
}


def default_support_topic_id(workload: str, issue_type: str = "") -> int | None:
    """The default topic of a request of ``workload`` (and, for Azure, ``issue_type``); None for a
    workload without one (marketplace: no Microsoft ticket)."""
    if workload == "azure":
        return DEFAULT_SUPPORT_TOPICS.get((workload, issue_type or "technical"))
    return DEFAULT_SUPPORT_TOPICS.get((workload, ""))


#: The product a request of each workload concerns: (``productId``, ``productName``). Microsoft's
#: support product ids are not published; these are this portal's own, stable ids.
SUPPORT_PRODUCTS: dict[str, tuple[str, str]] = {
    "azure": ("16001", "Microsoft Azure"),
    "m365": ("16002", "Microsoft 365"),
    "ems": ("16003", "Enterprise Mobility + Security"),
    "dynamics": ("16004", "Dynamics 365"),
    "marketplace": ("16005", "Marketplace (third-party ISV)"),
}
