"""Base views of the ``/v1`` API: conventions (headers, casing, paging, errors) and scoping.

Every ``/v1`` view derives from ``PartnerCenterApiView``. Views never fetch by primary key
directly: ``get_queryset()`` calls the view's ``selector`` with the acting user, so another
partner's object is a 404 (views under a customer use ``customers.api.mixins.CustomerScopedMixin``).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny

from .casing import PartnerCenterJSONParser
from .errors import ApiError, exception_handler
from .headers import CORRELATION_ID_HEADER, REQUEST_ID_HEADER, correlation_id_for, request_id_for
from .pagination import PartnerCenterPagination


class PartnerCenterApiView(GenericAPIView):
    """Base of every ``/v1`` view: Partner Center headers, casing, collections and errors."""

    parser_classes = [PartnerCenterJSONParser]
    pagination_class = PartnerCenterPagination
    selector = None  # callable(actor=user) -> QuerySet, already scoped to the user

    def get_exception_handler(self):
        return exception_handler

    def get_queryset(self) -> QuerySet:
        if self.selector is None:
            raise NotImplementedError(f"{type(self).__name__} needs a selector")
        return type(self).selector(actor=self.request.user)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response[CORRELATION_ID_HEADER] = correlation_id_for(request)
        response[REQUEST_ID_HEADER] = request_id_for(request)[0]
        return response

    def paginated_response(self, queryset, serializer_class, *, prepare=None, **context):
        """One page of ``queryset`` as a collection; ``prepare(rows)``, if given, loads what the
        serializer needs for the page's rows (a constant number of queries)."""
        page = self.paginate_queryset(queryset)
        if prepare is not None:
            prepare(page)
        serializer = serializer_class(page, many=True, context={**self.get_serializer_context(), **context})
        return self.get_paginated_response(serializer.data)


@extend_schema(exclude=True)
class NotFoundApi(PartnerCenterApiView):
    """Any other path under ``/v1``: 404 in the ``/v1`` error shape, whatever the method."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    def _not_found(self, request, *args, **kwargs):
        raise ApiError("not_found", gettext("No resource at %(path)s.") % {"path": request.path})

    get = post = put = patch = delete = head = options = _not_found
