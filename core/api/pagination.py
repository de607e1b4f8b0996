"""Partner Center collections: ``size`` / ``offset`` paging and the ``ResourceCollection`` shape.

``totalCount`` is the number of items in *this* page, as in Partner Center's own
``ResourceCollection`` (the SDK computes ``TotalCount`` from the page's items): a client pages
by following ``links.next`` until it is absent. Each page is one query that reads ``size + 1``
rows, the extra row only telling whether there is a next page. No ``COUNT(*)`` runs, so the cost
of a page does not grow with the number of rows the filters match; see ``docs/api.md``.
"""

from urllib.parse import urlencode

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

DEFAULT_SIZE = 50
MAX_SIZE = 500
# Larger offsets can't address any row and overflow the database's integers (a 500): refused with 400.
MAX_OFFSET = 2**31 - 1


def link(uri: str, method: str = "GET") -> dict:
    """A Partner Center ``Link``."""
    return {"uri": uri, "method": method, "headers": []}


def collection(items: list, total: int | None = None, links: dict | None = None) -> dict:
    """A ``ResourceCollection`` body."""
    return {
        "totalCount": len(items) if total is None else total,
        "items": items,
        "links": links or {},
        "attributes": {"objectType": "Collection"},
    }


def _int_param(request, name: str, default: int, minimum: int, maximum: int | None) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [f"must be an integer, not {raw!r}."]}) from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ValidationError({name: [f"must be {bound}."]})
    return value


class PartnerCenterPagination(BasePagination):
    """``?size=`` (default 50, at most 500) and ``?offset=`` over an ordered queryset."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.size = _int_param(request, "size", DEFAULT_SIZE, 1, MAX_SIZE)
        self.offset = _int_param(request, "offset", 0, 0, None)
        if self.offset > MAX_OFFSET:
            raise ValidationError({"offset": [f"must be at most {MAX_OFFSET}."]})
        rows = list(queryset[self.offset : self.offset + self.size + 1])
        self.has_next = len(rows) > self.size
        return rows[: self.size]

    def _uri(self, offset: int) -> str:
        params = self.request.query_params.copy()
        params["size"] = str(self.size)
        params["offset"] = str(offset)
        return f"{self.request.path}?{urlencode(sorted(params.items()))}"

    def get_paginated_response(self, data):
        links = {"self": link(self._uri(self.offset))}
        if self.has_next:
            links["next"] = link(self._uri(self.offset + self.size))
        if self.offset > 0:
            links["previous"] = link(self._uri(max(0, self.offset - self.size)))
        return Response(collection(list(data), links=links))

    def get_paginated_response_schema(self, schema):
        link_schema = {
            "type": "object",
            "properties": {
                "uri": {"type": "string", "example": "/v1/customers?offset=50&size=50"},
                "method": {"type": "string", "example": "GET"},
                "headers": {"type": "array", "items": {"type": "object"}, "example": []},
            },
        }
        return {
            "type": "object",
            "required": ["totalCount", "items", "links", "attributes"],
            "properties": {
                "totalCount": {
                    "type": "integer",
                    "description": "The number of items in this page; follow links.next for more.",
                    "example": 50,
                },
                "items": schema,
                "links": {
                    "type": "object",
                    "properties": {"self": link_schema, "next": link_schema, "previous": link_schema},
                },
                "attributes": {
                    "type": "object",
                    "properties": {"objectType": {"type": "string", "example": "Collection"}},
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "size",
                "required": False,
                "in": "query",
                "description": f"Page size (default {DEFAULT_SIZE}, at most {MAX_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_SIZE},
            },
            {
                "name": "offset",
                "required": False,
                "in": "query",
                "description": "Number of items to skip.",
                "schema": {"type": "integer", "minimum": 0},
            },
        ]
