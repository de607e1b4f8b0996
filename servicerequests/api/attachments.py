"""``/v1/servicerequests/{id}/attachments``: the files of a request (an extension of Partner
Center, whose ``ServiceRequest.fileLinks`` lists files but which documents no upload call).

- ``GET`` the list, ``POST`` (multipart, one or more ``file`` parts) to attach;
- ``GET .../{attachmentId}`` downloads the file (``Content-Disposition: attachment``, ``nosniff``, a
  sandboxing CSP; or a 302 to a signed URL of the bucket, ``core.files``), ``DELETE`` removes it.

Each item is Partner Center's ``FileInfo`` (:func:`file_info`). Who may: the request's readers
(SR-VIEW) list and download; its writers (``services.common.require_write_role``) attach and delete.
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from core.api.errors import ApiError
from core.api.schema import CORRELATION_ID_PARAMETER, errors
from core.api.serializers import ErrorSerializer
from core.api.views import PartnerCenterApiView
from core.files import private_file_response
from servicerequests.files.rules import MAX_FILE_BYTES, MAX_FILES_PER_REQUEST
from servicerequests.models import Attachment, AttachmentSource, ServiceRequest
from servicerequests.selectors import service_request_list
from servicerequests.services.attachments import (
    IncomingFile,
    attachment_delete,
    attachment_downloaded,
    attachment_for_user,
    attachment_storage,
    attachments_add,
)
from servicerequests.services.common import require_write_role

EXTENSION = {"x-extension": True}


def attachment_uri(attachment: Attachment) -> str:
    return f"/v1/servicerequests/{attachment.request_id}/attachments/{attachment.pk}"


def file_info(attachment: Attachment) -> dict:
    """Partner Center's ``FileInfo`` (its documented ``id``, ``fileNameWithoutExtension``,
    ``fileExtension``, ``fileSize``, ``comment``) with ``fileName``, ``uri`` (the download),
    ``contentType``, ``uploadedBy`` and ``uploadedDate``."""
    return {
        "id": str(attachment.pk),
        "fileName": attachment.file_name,
        "fileNameWithoutExtension": attachment.name_without_extension,
        "fileExtension": attachment.extension,
        "fileSize": attachment.size,
        "contentType": attachment.content_type,
        "uri": attachment_uri(attachment),
        "uploadedBy": attachment.uploaded_by_name,
        "uploadedDate": attachment.created_at.isoformat().replace("+00:00", "Z"),
        "comment": "",
    }


def file_links(service_request: ServiceRequest) -> list[dict]:
    """``fileLinks`` of a request: its attachments, oldest first (prefetched as ``attachments``)."""
    return [file_info(a) for a in service_request.attachments.all()]


FileInfoSerializer = inline_serializer(
    "FileInfo",
    {
        "id": serializers.UUIDField(),
        "fileName": serializers.CharField(),
        "fileNameWithoutExtension": serializers.CharField(),
        "fileExtension": serializers.CharField(),
        "fileSize": serializers.IntegerField(),
        "contentType": serializers.CharField(),
        "uri": serializers.CharField(),
        "uploadedBy": serializers.CharField(),
        "uploadedDate": serializers.DateTimeField(),
        "comment": serializers.CharField(),
    },
)
_COLLECTION = inline_serializer(
    "FileInfoCollection",
    {
        "totalCount": serializers.IntegerField(),
        "items": FileInfoSerializer.__class__(many=True),
        "attributes": serializers.DictField(),
    },
)
_UPLOAD = inline_serializer(
    "AttachmentUpload",
    {"file": serializers.ListField(child=serializers.FileField(), help_text="One or more files.")},
)


def _collection(attachments) -> dict:
    items = [file_info(a) for a in attachments]
    return {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}


class _RequestScoped(PartnerCenterApiView):
    selector = staticmethod(service_request_list)

    def service_request(self) -> ServiceRequest:
        found = self.get_queryset().filter(pk=self.kwargs["request_id"]).first()
        if found is None:
            raise ApiError(
                "not_found", _("Service request %(id)s was not found.") % {"id": self.kwargs["request_id"]}
            )
        return found


class ServiceRequestAttachmentListApi(_RequestScoped):
    """GET and POST /v1/servicerequests/{id}/attachments."""

    parser_classes = [MultiPartParser]
    serializer_class = _UPLOAD.__class__  # the upload's fields, for OPTIONS (DRF's metadata)

    @extend_schema(
        operation_id="servicerequests_attachments_list",
        summary="The files attached to a service request (its fileLinks)",
        responses={200: _COLLECTION, **errors(404)},
        tags=["service requests"],
        extensions=EXTENSION,
    )
    def get(self, request, request_id):
        service_request = self.service_request()
        return Response(_collection(service_request.attachments.all()))

    @extend_schema(
        operation_id="servicerequests_attachments_create",
        summary="Attach files to a service request (multipart; extension)",
        description=(
            f"One or more `file` parts, each at most {MAX_FILE_BYTES} bytes (5 MB), at most "
            f"{MAX_FILES_PER_REQUEST} files per request, of an allowed type checked by content "
            "(docs/api.md, Attachments). All or nothing: a refused file is named in `data` with its "
            "reason (400; 413 for a file over 5 MB) and nothing is stored."
        ),
        parameters=[CORRELATION_ID_PARAMETER],
        request={"multipart/form-data": _UPLOAD},
        responses={
            201: _COLLECTION,
            **errors(
                400,
                403,
                404,
                s413=OpenApiResponse(ErrorSerializer, description="A file over 5 MB (named in data)."),
                s415=OpenApiResponse(ErrorSerializer, description="The body is not multipart/form-data."),
            ),
        },
        tags=["service requests"],
        extensions=EXTENSION,
    )
    def post(self, request, request_id):
        service_request = self.service_request()
        require_write_role(request.user, service_request)  # before reading the body
        uploads = request.FILES.getlist("file")
        if not uploads:
            raise ApiError(
                "validation",
                _("Invalid property: %(field)s.") % {"field": "file"},
                [{"field": "file", "reason": _("send one or more files as multipart parts named 'file'")}],
            )
        created = attachments_add(
            actor=request.user,
            service_request=service_request,
            files=[IncomingFile.from_upload(upload) for upload in uploads],
            source=AttachmentSource.API,
        )
        return Response(_collection(created), status=201)


class ServiceRequestAttachmentDetailApi(_RequestScoped):
    """GET (download) and DELETE /v1/servicerequests/{id}/attachments/{attachmentId}."""

    def attachment(self) -> Attachment:
        try:
            return attachment_for_user(
                actor=self.request.user,
                request_id=self.kwargs["request_id"],
                attachment_id=self.kwargs["attachment_id"],
            )
        except Attachment.DoesNotExist:
            raise ApiError(
                "not_found",
                _("Attachment %(id)s was not found on this request.") % {"id": self.kwargs["attachment_id"]},
            ) from None

    @extend_schema(
        operation_id="servicerequests_attachments_download",
        summary="Download one attached file",
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment."),
            302: OpenApiResponse(description="A time-limited signed URL of the storage (when enabled)."),
            **errors(404),
        },
        tags=["service requests"],
        extensions=EXTENSION,
    )
    def get(self, request, request_id, attachment_id):
        self.service_request()
        attachment = self.attachment()
        response = private_file_response(
            storage=attachment_storage(),
            name=attachment.storage_name,
            download_name=attachment.file_name,
            content_type=attachment.content_type,
        )
        if response is None:
            raise Http404("The file is no longer stored.")
        attachment_downloaded(actor=request.user, attachment=attachment)
        return response

    @extend_schema(
        operation_id="servicerequests_attachments_delete",
        summary="Remove one attached file",
        parameters=[CORRELATION_ID_PARAMETER],
        responses={204: None, **errors(403, 404)},
        tags=["service requests"],
        extensions=EXTENSION,
    )
    def delete(self, request, request_id, attachment_id):
        self.service_request()
        attachment = self.attachment()
        attachment_delete(actor=request.user, attachment=attachment)
        return Response(status=204)
