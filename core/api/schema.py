"""OpenAPI helpers: the error responses and examples every ``/v1`` operation documents, and the
label of an extension (``X_EXTENSION``, see ``core.api.extensions``)."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from .serializers import ErrorSerializer, ThrottledSerializer
from .shape import ERROR_SOURCE

#: ``extend_schema(extensions=X_EXTENSION)``: an operation Partner Center and Graph don't have
#: (listed in ``core.api.extensions`` and docs/fidelity.md).
X_EXTENSION = {"x-extension": True}

_ERROR_EXAMPLES = {
    400: (
        "Validation error",
        {
            "code": 3000,
            "description": "Invalid property: title.",
            "data": [{"field": "title", "reason": "This field is required."}],
        },
    ),
    401: (
        "Missing or invalid token",
        {"code": 800001, "description": "Authentication credentials were not provided."},
    ),
    403: ("Access denied", {"code": 2032, "description": "Access denied."}),
    404: ("Not found", {"code": 1000, "description": "Not found."}),
    409: (
        "Request id reused",
        {"code": 800014, "description": "MS-RequestId was already used for another operation."},
    ),
    412: ("Stale ETag", {"code": 800010, "description": "Precondition failed: the resource has changed."}),
    422: ("Not supported", {"code": 900141, "description": "This operation is not supported."}),
    500: (
        "Unexpected error",
        {
            "code": 800003,
            "description": "Unexpected service error. Correlation id: 5c1e5c6f-2b1d-4a9e-9a5e-0f1e2d3c4b5a.",
            "data": [{"correlationId": "5c1e5c6f-2b1d-4a9e-9a5e-0f1e2d3c4b5a"}],
        },
    ),
}


def error_response(status: int, description: str = "", example: dict | None = None) -> OpenApiResponse:
    title, body = _ERROR_EXAMPLES[status]
    body = {"data": [], **body, **(example or {}), "source": ERROR_SOURCE}
    return OpenApiResponse(
        ErrorSerializer,
        description=description or title,
        examples=[OpenApiExample(title, value=body, response_only=True, status_codes=[str(status)])],
    )


THROTTLED = OpenApiResponse(
    ThrottledSerializer,
    description="Rate limit exceeded (see the Retry-After header).",
    examples=[
        OpenApiExample(
            "Throttled",
            value={"statusCode": 429, "message": "Rate limit is exceeded. Try again in 57 seconds."},
            response_only=True,
            status_codes=["429"],
        )
    ],
)


def errors(*statuses: int, **overrides) -> dict:
    """The error responses of an operation: the given statuses plus 400, 401, 429 and 500.

    Every operation can answer 400: a NUL character in any parameter or field is refused before
    the view runs (``core.security.NullCharacterMiddleware``), so 400 is always documented.
    """
    result = {s: error_response(s) for s in sorted({400, 401, 500, *statuses})}
    result[429] = THROTTLED
    for status, response in overrides.items():
        result[int(status.removeprefix("s"))] = response
    return result


REQUEST_ID_PARAMETER = OpenApiParameter(
    "MS-RequestId",
    str,
    OpenApiParameter.HEADER,
    description="GUID that makes the POST idempotent per user; generated (and echoed) when absent.",
)
CORRELATION_ID_PARAMETER = OpenApiParameter(
    "MS-CorrelationId", str, OpenApiParameter.HEADER, description="GUID echoed back and written to logs."
)
IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, description='ETag of the version being changed, e.g. "3".'
)
TENANT_ID_PARAMETER = OpenApiParameter(
    "tenant_id", str, OpenApiParameter.PATH, description="The customer's tenant id (a GUID)."
)
