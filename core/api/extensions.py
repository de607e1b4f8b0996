"""Every extension of the API — an operation, parameter or field Partner Center (``/v1``) or
Microsoft Graph (``/graph/v1.0``) doesn't have — as data.

The OpenAPI document labels exactly these with ``x-extension: true``: operations through
``extend_schema(extensions=X_EXTENSION)`` on their views (``core.api.schema``), parameters and
fields through :func:`label_extensions`, a drf-spectacular postprocessing hook. docs/fidelity.md
lists each (as :func:`described` writes it) with its reason. ``tests/api/test_extensions.py`` holds
the three equal: a new extension is added here, labelled, and documented, or the test fails.

The body of an extension operation (the eligibility dry run, support options, …) is not listed
field by field: the operation's label covers it.
"""

from __future__ import annotations

#: ``(method, path)`` of the operations Partner Center and Graph don't have.
EXTENSION_OPERATIONS: frozenset[tuple[str, str]] = frozenset(
    {
        ("post", "/v1/customers/{tenant_id}/servicerequests"),
        ("post", "/v1/customers/{tenant_id}/servicerequests/eligibility"),
        ("get", "/v1/customers/{tenant_id}/supportoptions"),
        ("post", "/v1/servicerequests"),
        ("post", "/v1/webhooks/test"),
        ("get", "/v1/auditrecords/{record_id}"),
        ("get", "/v1/servicerequests/{request_id}/attachments"),
        ("post", "/v1/servicerequests/{request_id}/attachments"),
        ("get", "/v1/servicerequests/{request_id}/attachments/{attachment_id}"),
        ("delete", "/v1/servicerequests/{request_id}/attachments/{attachment_id}"),
        ("post", "/v1/customers/{tenant_id}/servicerequests/handoffs"),
        ("get", "/v1/servicerequests/handoffs"),
        ("get", "/v1/servicerequests/handoffs/{handoff_id}"),
        ("post", "/v1/servicerequests/handoffs/{handoff_id}/accept"),
        ("post", "/v1/servicerequests/handoffs/{handoff_id}/decline"),
        ("post", "/v1/servicerequests/handoffs/{handoff_id}/notes"),
        ("get", "/v1/applications"),
        ("post", "/v1/applications"),
        ("get", "/v1/applications/{application_id}"),
        ("delete", "/v1/applications/{application_id}"),
        ("post", "/v1/applications/{application_id}/secrets"),
        ("delete", "/v1/applications/{application_id}/secrets/{key_id}"),
    }
)

#: This portal's simple query parameters of the service request lists (Partner Center's own is
#: ``filter``, with ``size`` and ``offset``).
SERVICE_REQUEST_LIST_PARAMETERS = (
    "status",
    "severity",
    "workload",
    "customerId",
    "assignedTo",
    "unassigned",
    "slaBreached",
    "slaState",
    "q",
    "orderBy",
)

#: ``(method, path, name)`` of the query parameters Partner Center and Graph don't have.
EXTENSION_PARAMETERS: frozenset[tuple[str, str, str]] = frozenset(
    {
        *(("get", "/v1/servicerequests", name) for name in SERVICE_REQUEST_LIST_PARAMETERS),
        *(
            ("get", "/v1/customers/{tenant_id}/servicerequests", name)
            for name in SERVICE_REQUEST_LIST_PARAMETERS
        ),
        ("get", "/v1/servicerequests/supporttopics", "workload"),
        ("get", "/v1/servicerequests/supporttopics", "size"),
        ("get", "/v1/servicerequests/supporttopics", "offset"),
        ("get", "/v1/customers/{tenant_id}/subscriptions", "size"),
        ("get", "/v1/customers/{tenant_id}/subscriptions", "offset"),
        ("get", "/v1/customers/{tenant_id}/managedservices", "size"),
        ("get", "/v1/customers/{tenant_id}/managedservices", "offset"),
        ("get", "/v1/customers/{tenant_id}/serviceincidents/office", "resolved"),
        ("get", "/v1/auditrecords", "offset"),
        ("get", "/graph/v1.0/admin/serviceAnnouncement/issues", "tenantId"),
        *(
            ("get", path, name)
            for path in ("/v1/servicerequests", "/v1/customers/{tenant_id}/servicerequests")
            for name in ("seekOperation", "MS-ContinuationToken")
        ),
    }
)

#: This portal's fields of a service request (Partner Center's ``ServiceRequest`` has the others).
SERVICE_REQUEST_FIELDS = (
    "customerId",
    "workload",
    "issueType",
    "subscriptionId",
    "externalTicketId",
    "portal",
    "supportLanguage",
    "slaDueDate",
    "slaBreached",
    "assignedTo",
    "links",
)

#: ``(component, property)`` of the fields Partner Center's and Graph's resources don't have.
EXTENSION_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        *(("ServiceRequestSummary", name) for name in SERVICE_REQUEST_FIELDS),
        *(("ServiceRequest", name) for name in SERVICE_REQUEST_FIELDS),
        ("ServiceRequest", "eligibility"),
        ("PatchedServiceRequestUpdateRequest", "assignedTo"),
        ("Customer", "cloud"),
        ("Customer", "countryCode"),
        ("Subscription", "workload"),
        ("Subscription", "channel"),
        ("Subscription", "providerId"),
        ("SupportTopic", "workload"),
        ("WebhookRegistration", "registrationId"),
        ("WebhookRegistration", "secretHint"),
        ("WebhookRegistration", "createdDate"),
        ("WebhookRegistrationCreated", "registrationId"),
        ("WebhookRegistrationCreated", "secretHint"),
        ("WebhookRegistrationCreated", "createdDate"),
        ("WebhookRegistrationCreated", "webhookSecret"),
        ("Relationship", "invitationLink"),
        ("PaginatedServiceRequestSummaryList", "continuationToken"),
    }
)

LABEL = "x-extension"


def described(entry: tuple[str, ...]) -> str:
    """How docs/fidelity.md writes an entry (in backticks): ``POST /v1/servicerequests`` (an
    operation), ``GET /v1/servicerequests?status`` (a parameter), ``ServiceRequest.slaDueDate``
    (a field)."""
    if len(entry) == 3:
        method, path, name = entry
        return f"{method.upper()} {path}?{name}"
    first, second = entry
    if first in ("get", "post", "put", "patch", "delete"):
        return f"{first.upper()} {second}"
    return f"{first}.{second}"


def label_extensions(result, generator, request, public):
    """drf-spectacular postprocessing hook: ``x-extension: true`` on the parameters and fields of
    :data:`EXTENSION_PARAMETERS` and :data:`EXTENSION_FIELDS` that the document has (operations
    label themselves). A listed entry the document lacks stays unlabelled, and the test names it."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if (method, path, parameter.get("name")) in EXTENSION_PARAMETERS:
                    parameter[LABEL] = True
    schemas = result.get("components", {}).get("schemas", {})
    for component, name in EXTENSION_FIELDS:
        properties = schemas.get(component, {}).get("properties", {})
        if name not in properties:
            continue
        field = properties[name]
        if "$ref" in field:  # siblings of a $ref are ignored: wrap it
            field = properties[name] = {"allOf": [field]}
        field[LABEL] = True
    return result
