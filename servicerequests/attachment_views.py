"""Browser routes of a request's attachments: attach (multipart; the page's script sends the same
form with a progress bar and asks for JSON), download, delete. Used by the request page and by
the simulated portals' ticket pages (which pass ``next`` to come back to themselves).

Who may: see the request (SR-VIEW, own partner; another partner's request is a 404) to download;
change it (``services.common.require_write_role``) to attach or delete (403 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.files import private_file_response

from .exceptions import AttachmentRefused
from .files.rules import ACCEPT, MAX_FILE_BYTES, MAX_FILES_PER_REQUEST
from .models import Attachment, AttachmentSource, ServiceRequest
from .selectors import service_request_list
from .services.attachments import (
    IncomingFile,
    attachment_delete,
    attachment_downloaded,
    attachment_for_user,
    attachment_storage,
    attachments_add,
)
from .services.common import service_request_write_refusal

#: A body larger than every allowed file together (plus the form) is refused before it is parsed.
MAX_UPLOAD_BODY = MAX_FILES_PER_REQUEST * MAX_FILE_BYTES + 1024 * 1024


#: The kinds of files a request accepts, as the upload form states them (``files.rules``).
ALLOWED_LABEL = gettext_lazy(
    "logs and text, CSV, JSON, HAR, XML, images (PNG, JPEG, GIF, BMP, WebP), PDF, "
    "ZIP, gzip, 7-Zip, CAB, EVTX and ETL"
)


def _request_or_404(user, request_id) -> ServiceRequest:
    found = service_request_list(actor=user).filter(pk=request_id).first()
    if found is None:
        raise Http404("No such service request.")
    return found


def _next_url(request, service_request: ServiceRequest) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("servicerequests:detail", args=[service_request.pk]) + "#attachments"


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refused(request, service_request, message: str, *, status: int, back: str):
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return render(
        request,
        "servicerequests/attachment_refused.html",
        {"sr": service_request, "message": message, "back": back},
        status=status,
    )


@login_required
@require_POST
def attachment_add(request, request_id):
    """Attach the ``file`` parts to the request, all or none; 400 (413 for a file over 5 MB)
    naming the refused file and the reason, with nothing stored."""
    service_request = _request_or_404(request.user, request_id)
    refusal = service_request_write_refusal(request.user, service_request)
    if refusal:
        raise PermissionDenied(refusal)
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BODY:
        back = reverse("servicerequests:detail", args=[service_request.pk]) + "#attachments"
        return _refused(
            request,
            service_request,
            _("The upload is larger than %(count)s files of 5 MB; nothing was attached.")
            % {"count": MAX_FILES_PER_REQUEST},
            status=413,
            back=back,
        )
    back = _next_url(request, service_request)
    source = AttachmentSource.PORTAL if request.POST.get("surface") == "portal" else AttachmentSource.BROWSER
    try:
        created = attachments_add(
            actor=request.user,
            service_request=service_request,
            files=[IncomingFile.from_upload(upload) for upload in request.FILES.getlist("file")],
            source=source,
        )
    except AttachmentRefused as exc:
        status = 413 if exc.api_kind == "payload_too_large" else 400
        message = _("%(reason)s Nothing was attached.") % {"reason": exc}
        return _refused(request, service_request, message, status=status, back=back)
    names = ", ".join(a.file_name for a in created)
    if _wants_json(request):
        return JsonResponse({"attached": [a.file_name for a in created], "next": back}, status=201)
    messages.success(request, _("Attached %(names)s.") % {"names": names})
    return redirect(back)


@login_required
@require_GET
def attachment_download(request, request_id, attachment_id):
    """The file, as an attachment (nosniff, sandboxing CSP), to whoever may see the request."""
    try:
        attachment = attachment_for_user(
            actor=request.user, request_id=request_id, attachment_id=attachment_id
        )
    except Attachment.DoesNotExist:
        raise Http404("No such attachment.") from None
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


@login_required
@require_POST
def attachment_remove(request, request_id, attachment_id):
    """Delete one attachment (who may change the request), then back to the page."""
    try:
        attachment = attachment_for_user(
            actor=request.user, request_id=request_id, attachment_id=attachment_id
        )
    except Attachment.DoesNotExist:
        raise Http404("No such attachment.") from None
    attachment_delete(actor=request.user, attachment=attachment)
    messages.success(request, _("Removed %(name)s.") % {"name": attachment.file_name})
    return redirect(_next_url(request, attachment.request))


def attachment_section(
    user, service_request: ServiceRequest, *, next_url: str = "", surface: str = ""
) -> dict:
    """The context of ``servicerequests/_attachments.html`` for a page showing ``service_request``
    (the caller has checked that ``user`` may see it): its files, whether ``user`` may attach and
    remove, and the limits the form states. One query."""
    return {
        "attachments": list(service_request.attachments.order_by("created_at", "id")),
        "can_attach": not service_request_write_refusal(user, service_request),
        "attach_next": next_url,
        "attach_surface": surface,
        "attach_limits": {
            "max_files": MAX_FILES_PER_REQUEST,
            "accept": ACCEPT,
            "label": ALLOWED_LABEL,
        },
    }
