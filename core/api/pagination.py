"""Partner Center collections: ``size`` / ``offset`` paging and the ``ResourceCollection`` shape.

Deep pages: a view that sets ``page_ids_first`` reads a page past offset 0 as one statement whose
subquery picks the page's ids from the ordering's index (``WHERE id IN (SELECT id … ORDER BY …
LIMIT … OFFSET …)``), so the rows skipped are index entries, not joined and sorted rows.

Keyset continuation (an extension here, where Partner Center's own service request lists only have
``offset``; Partner Center's seek-based collections such as ``/v1/customers`` have it): a view that
sets ``keyset_paging`` adds ``continuationToken`` to every page that has a next one; a client sends
it back in the ``MS-ContinuationToken`` header with ``?seekOperation=Next`` and gets the rows after
it, at the cost of the first page whatever the depth. Its ``links.next`` then carries the token in
its ``headers``, as Partner Center's SDK expects. Only ``Next`` is supported, over orderings whose
first column has no NULLs.

``totalCount`` is the number of items in *this* page, as in Partner Center's own
``ResourceCollection`` (the SDK computes ``TotalCount`` from the page's items): a client pages
by following ``links.next`` until it is absent. Each page is one query that reads ``size + 1``
rows, the extra row only telling whether there is a next page. No ``COUNT(*)`` runs, so the cost
of a page does not grow with the number of rows the filters match; see ``docs/api.md``.
"""

from urllib.parse import urlencode

from django.core import signing
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

DEFAULT_SIZE = 50
MAX_SIZE = 500
# Larger offsets can't address any row and overflow the database's integers (a 500): refused with 400.
MAX_OFFSET = 2**31 - 1
CONTINUATION_HEADER = "MS-ContinuationToken"
CONTINUATION_SALT = "core.api.pagination.continuation"


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


def _keyset_order(queryset) -> tuple[str, bool] | None:
    """``(field, descending)`` of a queryset ordered by one NOT NULL column then its id (same
    direction), the orderings a continuation token can resume; None for any other."""
    order = [str(o) for o in queryset.query.order_by] or list(queryset.model._meta.ordering)
    if len(order) != 2 or order[1].lstrip("-") not in ("id", "pk"):
        return None
    descending = order[0].startswith("-")
    if order[1].startswith("-") != descending:
        return None
    name = order[0].lstrip("-")
    try:
        field = queryset.model._meta.get_field(name)
    except Exception:
        return None
    if field.null:
        return None
    return name, descending


def continuation_token(queryset, last_row) -> str | None:
    """The opaque, signed token of the rows after ``last_row`` in ``queryset``'s ordering."""
    order = _keyset_order(queryset)
    if order is None:
        return None
    name, descending = order
    value = queryset.model._meta.get_field(name).value_to_string(last_row)
    return signing.dumps({"o": [name, descending], "v": value, "i": str(last_row.pk)}, salt=CONTINUATION_SALT)


def rows_after(queryset, token: str):
    """``queryset`` narrowed to the rows after the continuation ``token`` (``ValidationError`` naming
    ``MS-ContinuationToken`` for a token that is not one of ours or is for another ordering)."""
    order = _keyset_order(queryset)
    if order is None:
        raise ValidationError(
            {"seekOperation": ["is only available with orderBy on a date the requests always have."]}
        )
    try:
        data = signing.loads(token, salt=CONTINUATION_SALT)
        name, descending = data["o"]
        field = queryset.model._meta.get_field(name)
        value = field.to_python(data["v"])
        last_id = queryset.model._meta.pk.to_python(data["i"])
    except Exception:
        raise ValidationError(
            {CONTINUATION_HEADER: ["is not a continuation token of this collection."]}
        ) from None
    if [name, descending] != list(order):
        raise ValidationError({CONTINUATION_HEADER: ["was issued for another orderBy."]})
    if descending:
        return queryset.filter(**{f"{name}__lte": value}).filter(
            Q(**{f"{name}__lt": value}) | Q(**{name: value, "pk__lt": last_id})
        )
    return queryset.filter(**{f"{name}__gte": value}).filter(
        Q(**{f"{name}__gt": value}) | Q(**{name: value, "pk__gt": last_id})
    )


class PartnerCenterPagination(BasePagination):
    """``?size=`` (default 50, at most 500) and ``?offset=`` over an ordered queryset; on views that
    opt in, ids first for deep pages (``page_ids_first``) and the keyset continuation
    (``keyset_paging``, see the module docstring). A view's ``page_rows(queryset)``, if it has one,
    reads the page's slice (default: ``list``); a row needs the ordering's attributes and ``pk``
    for a continuation token."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.size = _int_param(request, "size", DEFAULT_SIZE, 1, MAX_SIZE)
        self.offset = _int_param(request, "offset", 0, 0, None)
        if self.offset > MAX_OFFSET:
            raise ValidationError({"offset": [f"must be at most {MAX_OFFSET}."]})
        self.keyset = bool(getattr(view, "keyset_paging", False))
        self.seek = self._seek(request)
        self.token = None
        if self.seek:
            queryset = rows_after(queryset, request.headers.get(CONTINUATION_HEADER, ""))
        read = getattr(view, "page_rows", None) or list
        if self.offset and getattr(view, "page_ids_first", False):
            ids = queryset.values("pk")[self.offset : self.offset + self.size + 1]
            rows = read(queryset.filter(pk__in=ids)[: self.size + 1])
        else:
            rows = read(queryset[self.offset : self.offset + self.size + 1])
        self.has_next = len(rows) > self.size
        rows = rows[: self.size]
        if self.keyset and self.has_next:
            self.token = continuation_token(queryset, rows[-1])
        return rows

    def _seek(self, request) -> bool:
        """Whether this is a ``seekOperation=Next`` request (validated)."""
        seek = request.query_params.get("seekOperation", "")
        if seek == "":
            return False
        if not self.keyset:
            raise ValidationError({"seekOperation": ["is not available on this collection; use offset."]})
        if seek.lower() != "next":
            raise ValidationError({"seekOperation": [f"only Next is supported, not {seek!r}."]})
        if not request.headers.get(CONTINUATION_HEADER):
            raise ValidationError({CONTINUATION_HEADER: ["is required with seekOperation=Next."]})
        if "offset" in request.query_params:
            raise ValidationError(
                {"offset": ["cannot be combined with seekOperation; the token says where."]}
            )
        return True

    def _uri(self, offset: int) -> str:
        params = self.request.query_params.copy()
        params["size"] = str(self.size)
        params["offset"] = str(offset)
        params.pop("seekOperation", None)
        return f"{self.request.path}?{urlencode(sorted(params.items()))}"

    def _seek_uri(self) -> str:
        params = self.request.query_params.copy()
        params["size"] = str(self.size)
        params["seekOperation"] = "Next"
        params.pop("offset", None)
        return f"{self.request.path}?{urlencode(sorted(params.items()))}"

    def get_paginated_response(self, data):
        body = collection(list(data), links=self._links())
        if self.token:
            body["continuationToken"] = self.token
        return Response(body)

    def _links(self) -> dict:
        if self.seek:  # resumed from a token: the next page is the next token's
            links = {}
            if self.token:
                links["next"] = {
                    "uri": self._seek_uri(),
                    "method": "GET",
                    "headers": [{"key": CONTINUATION_HEADER, "value": self.token}],
                }
            return links
        links = {"self": link(self._uri(self.offset))}
        if self.has_next:
            links["next"] = link(self._uri(self.offset + self.size))
        if self.offset > 0:
            links["previous"] = link(self._uri(max(0, self.offset - self.size)))
        return links

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
                "continuationToken": {
                    "type": "string",
                    "description": "On collections with keyset paging, when there is a next page: send "
                    "it as the MS-ContinuationToken header with seekOperation=Next (an extension, "
                    "docs/fidelity.md).",
                    "example": "eyJvIjpbImNyZWF0ZWRfYXQiLHRydWVdfQ:1tQx:Zm9v",
                },
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
            *(self._seek_parameters() if getattr(view, "keyset_paging", False) else []),
        ]

    @staticmethod
    def _seek_parameters() -> list[dict]:
        """The keyset continuation's parameters (an extension on the service request lists: listed
        in ``core.api.extensions``, docs/fidelity.md)."""
        return [
            {
                "name": "seekOperation",
                "required": False,
                "in": "query",
                "description": "Next: the page after the MS-ContinuationToken header's token (instead "
                "of offset). Extension: Partner Center's service request lists have offset only.",
                "schema": {"type": "string", "enum": ["Next"]},
            },
            {
                "name": CONTINUATION_HEADER,
                "required": False,
                "in": "header",
                "description": "The continuationToken of the previous page (with seekOperation=Next).",
                "schema": {"type": "string"},
            },
        ]
