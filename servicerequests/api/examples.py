"""OpenAPI examples of the ``/v1`` service request resources."""

from drf_spectacular.utils import OpenApiExample

TENANT = "0b5e8c1d-3f4a-4c2b-9d7e-6a1f2b3c4d5e"
REQUEST_ID = "616122292874576"

_CONTACT_INPUT = {
    "firstName": "Alice",
    "lastName": "Admin",
    "email": "alice@contosopartners.com",
    "phoneNumber": "+1 425 555 0101",
}
_CONTACT = {
    "contactId": "bfac0322-8ab6-5add-a54e-ad0d98afb399",
    "firstName": "Alice",
    "lastName": "Admin",
    "email": "alice@contosopartners.com",
    "phoneNumber": "+1 425 555 0101",
}

_SUMMARY = {
    "id": REQUEST_ID,
    "title": "Mail stuck in the outbox",
    "severity": "moderate",
    "supportTopicId": "32444611",
    "supportTopicName": "Exchange Online",
    "status": "open",
    "organization": {"id": TENANT, "name": "Fabrikam", "phoneNumber": ""},
    "primaryContact": _CONTACT,
    "productName": "Microsoft 365",
    "productId": "16002",
    "createdDate": "2026-11-25T10:00:00Z",
    "lastModifiedDate": "2026-11-25T10:00:05Z",
    "lastClosedDate": "0001-01-01T00:00:00",
    "countryCode": "US",
    "customerId": TENANT,
    "workload": "m365",
    "issueType": "",
    "subscriptionId": None,
    "externalTicketId": "41234567",
    "portal": "m365",
    "slaDueDate": "2026-11-25T14:00:05Z",
    "slaBreached": False,
    "assignedTo": None,
    "links": {
        "self": {
            "uri": f"/v1/customers/{TENANT}/servicerequests/{REQUEST_ID}",
            "method": "GET",
            "headers": [],
        },
        "portal": {"uri": f"/portals/m365/{TENANT}/requests/{REQUEST_ID}/", "method": "GET", "headers": []},
    },
    "attributes": {"objectType": "ServiceRequest", "etag": '"2"'},
}
SERVICE_REQUEST_SUMMARY = OpenApiExample("Service request", value=_SUMMARY, response_only=True)

_ALLOWED_OUTCOMES = [
    {
        "ruleId": "SR-WORKLOAD-SUPPORTED",
        "outcome": "passed",
        "message": "Microsoft 365 is supported.",
        "remedy": "",
    },
    {
        "ruleId": "SR-GDAP-ACTIVE",
        "outcome": "passed",
        "message": "Relationship 'Fabrikam support' is active.",
        "remedy": "",
    },
]
SERVICE_REQUEST = OpenApiExample(
    "Service request",
    value={
        **_SUMMARY,
        "description": "Since this morning mail to external recipients stays in the outbox.",
        "lastUpdatedBy": _CONTACT,
        "notes": [
            {
                "createdByName": "Alice Admin",
                "createdDate": "2026-11-25T10:30:00Z",
                "text": "Still happening.",
            }
        ],
        "fileLinks": [],
        "eligibility": {"allowed": True, "outcomes": _ALLOWED_OUTCOMES, "portal": None, "isvContact": None},
    },
    response_only=True,
    status_codes=["200", "201"],
)

_CREATE = {
    "title": "Mail stuck in the outbox",
    "description": "Since this morning mail to external recipients stays in the outbox.",
    "severity": "moderate",
    "workload": "m365",
    "supportTopicId": 32444611,
    "primaryContact": _CONTACT_INPUT,
}
CREATE_REQUEST = OpenApiExample("Microsoft 365 request", value=_CREATE, request_only=True)
CREATE_REQUEST_PASCAL = OpenApiExample(
    "Azure request (PascalCase, integer severity)",
    value={
        "Title": "VM does not start",
        "Description": "The VM 'web-01' fails to boot after resizing.",
        "Severity": 1,
        "Workload": "azure",
        "SupportTopicId": 32444601,
        "SubscriptionId": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        "IssueType": "technical",
        "SupportPlan": "cloud_solution_provider",
        "PrimaryContact": {**{k[0].upper() + k[1:]: v for k, v in _CONTACT.items()}},
    },
    request_only=True,
)
OWN_CREATE_REQUEST = OpenApiExample(
    "Own subscription",
    value={
        "title": "Partner Center sign-in fails",
        "description": "Our admins cannot sign in to our own tenant's Azure subscription.",
        "severity": "minimal",
        "workload": "azure",
        "supportTopicId": 32444600,
        "supportEntitlementId": "PREM-7781",
    },
    request_only=True,
)
DENIED = OpenApiExample(
    "Denied (403)",
    value={
        "code": 2032,
        "description": "Access denied: the request is not eligible (SR-GDAP-ROLE-TICKETS).",
        "data": [
            {
                "ruleId": "SR-GDAP-ROLE-TICKETS",
                "outcome": "failed",
                "message": "None of your GDAP roles in Fabrikam can open support tickets.",
                "remedy": (
                    "Add Service Support Administrator to an active access assignment for one of your "
                    "security groups in the relationship 'Fabrikam support'."
                ),
            }
        ],
        "source": "PartnerCenterSimulator",
    },
    response_only=True,
    status_codes=["403"],
)
DENIED_OWN = OpenApiExample(
    "Denied: no valid entitlement (403)",
    value={
        "code": 2032,
        "description": "Access denied: the request is not eligible (SR-OWN-SUBSCRIPTION-ENTITLEMENT).",
        "data": [
            {
                "ruleId": "SR-OWN-SUBSCRIPTION-ENTITLEMENT",
                "outcome": "failed",
                "message": "Support entitlement PREM-0001 expired.",
                "remedy": "Use a valid support entitlement of your partner.",
            }
        ],
        "source": "PartnerCenterSimulator",
    },
    response_only=True,
    status_codes=["403"],
)
MARKETPLACE_ERROR = OpenApiExample(
    "Marketplace product (422)",
    value={
        "code": 900141,
        "description": (
            "SR-MARKETPLACE-ISV: Microsoft does not support this marketplace product; contact its publisher."
        ),
        "data": [
            {
                "ruleId": "SR-MARKETPLACE-ISV",
                "message": "Litware Backup is supported by its publisher, Litware.",
                "isvContact": {
                    "name": "Litware",
                    "supportUrl": "https://support.litware.example",
                    "supportEmail": "support@litware.example",
                    "supportPhone": "+1 800 555 0199",
                },
            }
        ],
        "source": "PartnerCenterSimulator",
    },
    response_only=True,
    status_codes=["422"],
)
ELIGIBILITY_REQUEST = OpenApiExample(
    "Dry run",
    value={
        "workload": "m365",
        "severity": "critical",
        "primaryContact": {"email": "alice@contosopartners.com"},
    },
    request_only=True,
)
ELIGIBILITY_DECISION = OpenApiExample(
    "Denied decision",
    value={
        "allowed": False,
        "outcomes": [
            *_ALLOWED_OUTCOMES,
            {
                "ruleId": "SR-CRITICAL-NEEDS-PHONE",
                "outcome": "failed",
                "message": "A critical request needs a contact phone number.",
                "remedy": "Add a phone number to the contact.",
            },
        ],
        "portal": None,
        "isvContact": None,
        "attributes": {"objectType": "EligibilityDecision"},
    },
    response_only=True,
)
UPDATE_REQUEST = OpenApiExample(
    "Close with a note",
    value={"status": "closed", "newNote": {"text": "Fixed by the customer's admin."}},
    request_only=True,
)
SUPPORT_TOPIC = OpenApiExample(
    "Support topic",
    value={
        "id": 32444611,
        "name": "Exchange Online",
        "description": "Mail flow, mailboxes and connectors.",
        "workload": "m365",
        "attributes": {"objectType": "SupportTopic"},
    },
    response_only=True,
)
