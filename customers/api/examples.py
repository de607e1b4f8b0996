"""OpenAPI examples of the ``/v1`` customer resources."""

from drf_spectacular.utils import OpenApiExample

TENANT = "0b5e8c1d-3f4a-4c2b-9d7e-6a1f2b3c4d5e"

_CUSTOMER = {
    "id": TENANT,
    "companyProfile": {
        "tenantId": TENANT,
        "domain": "fabrikam.onmicrosoft.com",
        "companyName": "Fabrikam",
        "attributes": {"objectType": "CustomerCompanyProfile"},
    },
    "relationshipToPartner": "reseller",
    "allowDelegatedAccess": True,
    "customDomains": ["fabrikam.com"],
    "cloud": "commercial",
    "countryCode": "US",
    "links": {"self": {"uri": f"/v1/customers/{TENANT}", "method": "GET", "headers": []}},
    "attributes": {"objectType": "Customer"},
}
CUSTOMER = OpenApiExample("Customer", value=_CUSTOMER, response_only=True)
CUSTOMER_LIST = OpenApiExample("Customers", value=_CUSTOMER, response_only=True)

_SUBSCRIPTION = {
    "id": "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a",
    "offerName": "Azure plan",
    "workload": "azure",
    "channel": "csp",
    "isTrial": False,
    "status": "active",
    "entitlementId": "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
    "partnerId": None,
    "providerId": "6f1c2a4e-8b9d-4e0f-a1b2-c3d4e5f60718",
    "creationDate": "2026-01-15T10:00:00Z",
    "isMicrosoftProduct": True,
    "publisherName": "Microsoft Corporation",
    "attributes": {"objectType": "Subscription"},
}
SUBSCRIPTION = OpenApiExample("Subscription", value=_SUBSCRIPTION, response_only=True)
SUBSCRIPTION_LIST = OpenApiExample("Subscriptions", value=_SUBSCRIPTION, response_only=True)

SUPPORT_OPTIONS = OpenApiExample(
    "CSP plus direct paid",
    value={
        "canContactPartner": True,
        "canOpenWithMicrosoft": True,
        "partnerSupportContact": {
            "name": "Contoso Partners",
            "email": "help@contosopartners.com",
            "phone": "+1 425 555 0100",
            "url": "https://help.contosopartners.com",
        },
        "ruleIds": ["SUPPORT-OPTIONS-PAID"],
        "explanation": (
            "This customer has CSP subscriptions and paid direct subscriptions: it can open a request "
            "with Microsoft or contact its partner."
        ),
        "attributes": {"objectType": "SupportOptions"},
    },
    response_only=True,
)

MANAGED_SERVICES = OpenApiExample(
    "Microsoft 365",
    value={
        "id": "Office365",
        "name": "Microsoft 365",
        "groupName": "Office",
        "links": {
            "adminService": {"uri": f"/portals/m365/{TENANT}/", "method": "GET", "headers": []},
            "serviceHealth": {
                "uri": f"/v1/customers/{TENANT}/serviceincidents/office",
                "method": "GET",
                "headers": [],
            },
            "serviceTicket": {
                "uri": f"/portals/m365/{TENANT}/tickets/",
                "method": "GET",
                "headers": [],
            },
        },
        "attributes": {"objectType": "ManagedService"},
    },
    response_only=True,
)

SERVICE_INCIDENTS = OpenApiExample(
    "Exchange incident",
    value={
        "totalCount": 1,
        "items": [
            {
                "workload": "Exchange Online",
                "incidents": [
                    {
                        "id": "EX712345",
                        "messageType": "incident",
                        "startTime": "2026-11-25T08:00:00Z",
                        "endTime": "0001-01-01T00:00:00",
                        "status": "warning",
                        "resolved": False,
                        "messages": [
                            {
                                "publishedTime": "2026-11-25T08:00:00Z",
                                "messageText": "Title: Delays sending mail to external recipients\n"
                                "User impact: Users may see delays sending mail to external recipients.",
                            },
                            {"publishedTime": "2026-11-25T08:30:00Z", "messageText": "We're investigating."},
                        ],
                        "workload": "Exchange Online",
                        "affectedWorkloadNames": ["Exchange Online"],
                        "impactedArea": "Mail flow",
                        "severity": "warning",
                    }
                ],
                "status": "warning",
                "messageCenterMessages": [],
                "attributes": {"objectType": "ServiceIncidents"},
            }
        ],
        "links": {
            "self": {"uri": f"/v1/customers/{TENANT}/serviceincidents/office", "method": "GET", "headers": []}
        },
        "attributes": {"objectType": "Collection"},
    },
    response_only=True,
)
