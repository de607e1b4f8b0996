"""The ``/v1`` error body and its codes, as data (imported by the handler and by the middleware
that answers before a view runs). Default descriptions are translated when the body is built (the
request's ``X-Locale`` or ``Accept-Language``); codes never change with the language."""

from django.utils.translation import gettext_lazy as _

ERROR_SOURCE = "PartnerCenterSimulator"

# Error codes, as data: exception kind → (HTTP status, code, default description).
ERROR_CODES: dict[str, tuple[int, int, str]] = {
    "validation": (400, 3000, _("Invalid property.")),
    "parse": (400, 800002, _("Invalid request input.")),
    "not_authenticated": (401, 800001, _("Partner token missing in request context.")),
    "authentication_failed": (401, 400, _("Access denied.")),
    "permission_denied": (403, 2032, _("Access denied.")),
    "not_found": (404, 1000, _("Not found.")),
    "tenant_not_found": (404, 60003, _("Tenant not found.")),
    "method_not_allowed": (405, 900141, _("This operation is not supported.")),
    "not_acceptable": (406, 800002, _("Unsupported data format.")),
    "conflict": (409, 800014, _("Conflict.")),
    "precondition_failed": (412, 800010, _("Precondition failed: the resource has changed.")),
    "payload_too_large": (413, 800002, _("The request body is too large.")),
    "unsupported_media_type": (415, 800002, _("Unsupported media type.")),
    "unprocessable": (422, 900141, _("This operation is not supported.")),
    "server_error": (500, 800003, _("Unexpected service error.")),
}


def error_body(code: int, description: str, data: list | None = None) -> dict:
    return {"code": code, "description": str(description)[:1024], "data": data or [], "source": ERROR_SOURCE}
