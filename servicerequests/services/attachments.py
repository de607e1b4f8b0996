"""Files attached to a service request: attach (browser, API, a portal's engineer), delete, and the
purge of the files of long-closed requests.

Every write checks all files before storing any (``files.rules``: size, count, type by content,
name), runs in one transaction with the request's row locked, writes an audit event and a
``servicerequest-updated`` webhook event naming what changed, and removes what it stored when the
transaction fails. The bytes go to the private ``attachments`` storage (``core.files``) under a
name made of the request's and the attachment's ids only.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_event_record
from core.files import ATTACHMENTS, private_storage
from partners.models import User
from webhooks.choices import EventName
from webhooks.services import webhook_event_emit

from ..choices import Status
from ..exceptions import AttachmentRefused
from ..files.rules import MAX_FILE_BYTES, MAX_FILES_PER_REQUEST, FileRefused, FileType, file_type_check
from ..models import Attachment, ServiceRequest
from ..selectors import service_request_list
from .common import require_write_role, service_request_bump

logger = logging.getLogger(__name__)
PURGE_BATCH = 200


@dataclass(frozen=True)
class IncomingFile:
    """A file as received: its name as the client gave it, and its bytes (at most one more than
    the limit is ever read)."""

    name: str
    content: bytes
    size: int

    @classmethod
    def from_upload(cls, upload) -> IncomingFile:
        """From a Django ``UploadedFile``; a file over the limit is not read further than that."""
        size = upload.size or 0
        content = b"" if size > MAX_FILE_BYTES else upload.read(MAX_FILE_BYTES + 1)
        return cls(name=upload.name or "", content=content, size=max(size, len(content)))


def attachment_summary(attachment: Attachment) -> dict:
    """How an audit event and a webhook event name one attachment."""
    return {
        "id": str(attachment.pk),
        "fileName": attachment.file_name,
        "fileSize": attachment.size,
        "contentType": attachment.content_type,
    }


def attachment_storage():
    return private_storage(ATTACHMENTS)


def attachments_check(files: list[IncomingFile]) -> list[tuple[IncomingFile, str, FileType]]:
    """Each file with its sanitised name and allowed type, or ``AttachmentRefused`` for the first
    that breaks a rule of ``files.rules`` (or none given, or more than a request may hold). Reads
    and writes nothing: a form checks its files with it before filing the request they go with."""
    if not files:
        raise AttachmentRefused("file", _("choose at least one file to attach."))
    checked = []
    for incoming in files:
        try:
            name, kind = file_type_check(incoming.name, incoming.content, size=incoming.size)
        except FileRefused as exc:
            raise AttachmentRefused(exc.file_name, exc.reason, too_large=exc.too_large) from None
        checked.append((incoming, name, kind))
    if len(checked) > MAX_FILES_PER_REQUEST:
        raise AttachmentRefused(
            checked[0][1], _("a request may hold at most %(max)s files.") % {"max": MAX_FILES_PER_REQUEST}
        )
    return checked


def attachments_add(
    *,
    actor: User | None,
    service_request: ServiceRequest,
    files: list[IncomingFile],
    source: str,
    author_name: str = "",
) -> list[Attachment]:
    """Attach ``files`` to ``service_request``, all or none.

    ``actor`` is a partner user (browser, API): ``PermissionDenied`` unless they may change the
    request (``require_write_role``: admin agent, support manager, the assigned helpdesk agent;
    SR-VIEW). ``actor`` None is a workload portal's engineer named ``author_name``.
    ``AttachmentRefused`` (nothing stored) when no file is given, a file breaks a rule of
    ``files.rules`` (named with its reason; 413 for a file over 5 MB), or the request would hold
    more than ``MAX_FILES_PER_REQUEST`` files. Side effects in one transaction: the rows, a version
    bump, an audit event ``servicerequest.attachment_added`` and a ``servicerequest-updated``
    webhook event listing the files; the bytes in the ``attachments`` storage.
    """
    if actor is not None:
        require_write_role(actor, service_request)
    checked = attachments_check(files)
    storage = attachment_storage()
    stored: list[str] = []
    now = timezone.now()
    uploader = author_name or ((actor.get_full_name() or actor.username) if actor else "")
    try:
        with transaction.atomic():
            locked = ServiceRequest.objects.select_for_update().get(pk=service_request.pk)
            present = Attachment.objects.filter(request=locked).count()
            if present + len(checked) > MAX_FILES_PER_REQUEST:
                raise AttachmentRefused(
                    checked[0][1],
                    _("a request may hold at most %(max)s files and this one has %(present)s.")
                    % {"max": MAX_FILES_PER_REQUEST, "present": present},
                )
            created = []
            for position, (incoming, name, kind) in enumerate(checked):
                attachment_id = uuid.uuid4()
                storage_name = storage.save(f"{locked.pk}/{attachment_id.hex}", ContentFile(incoming.content))
                stored.append(storage_name)
                created.append(
                    Attachment.objects.create(
                        id=attachment_id,
                        request=locked,
                        file_name=name,
                        content_type=kind.content_type,
                        size=len(incoming.content),
                        sha256=hashlib.sha256(incoming.content).hexdigest(),
                        storage_name=storage_name,
                        source=source,
                        uploaded_by=actor,
                        uploaded_by_name=uploader,
                        created_at=now + timedelta(microseconds=position),  # keeps the upload order
                    )
                )
            service_request_bump(locked, now=now, fields=[])
            audit_event = audit_event_record(
                action="servicerequest.attachment_added",
                actor=actor,
                partner_id=locked.partner_id,
                customer_id=locked.customer_id,
                obj=locked,
                after={"attachments": [attachment_summary(a) for a in created], "by": uploader},
            )
            webhook_event_emit(
                event_name=EventName.SERVICE_REQUEST_UPDATED, obj=locked, audit_event=audit_event
            )
    except BaseException:
        for name in stored:
            storage.delete(name)
        raise
    service_request.version, service_request.updated_at = locked.version, locked.updated_at
    return created


def attachment_for_user(*, actor: User, request_id: str, attachment_id) -> Attachment:
    """One attachment of a request ``actor`` may see (SR-VIEW, the actor's partner only);
    ``Attachment.DoesNotExist`` otherwise (another partner's, or no such file)."""
    return Attachment.objects.select_related("request").get(
        pk=attachment_id, request__in=service_request_list(actor=actor).filter(pk=request_id)
    )


def attachment_delete(*, actor: User, attachment: Attachment) -> None:
    """Delete one attachment: who may change the request (``PermissionDenied`` otherwise). In one
    transaction: the row, a version bump, an audit event ``servicerequest.attachment_deleted``
    and a ``servicerequest-updated`` webhook event; the file leaves the storage after commit."""
    require_write_role(actor, attachment.request)
    storage = attachment_storage()
    now = timezone.now()
    with transaction.atomic():
        locked = ServiceRequest.objects.select_for_update().get(pk=attachment.request_id)
        deleted = Attachment.objects.filter(pk=attachment.pk).delete()[0]
        if not deleted:
            return
        service_request_bump(locked, now=now, fields=[])
        audit_event = audit_event_record(
            action="servicerequest.attachment_deleted",
            actor=actor,
            customer_id=locked.customer_id,
            obj=locked,
            before={"attachments": [attachment_summary(attachment)]},
            after={"attachments": []},
        )
        webhook_event_emit(event_name=EventName.SERVICE_REQUEST_UPDATED, obj=locked, audit_event=audit_event)
        name = attachment.storage_name
        transaction.on_commit(lambda: storage.delete(name), robust=True)


def attachment_downloaded(*, actor: User, attachment: Attachment) -> None:
    """Record that ``actor`` downloaded ``attachment``: an audit event
    ``servicerequest.attachment_downloaded`` (no webhook event: nothing changed)."""
    audit_event_record(
        action="servicerequest.attachment_downloaded",
        actor=actor,
        customer_id=attachment.request.customer_id,
        obj=attachment.request,
        after={"attachment": attachment_summary(attachment)},
    )


def attachment_purge(*, now: datetime | None = None, retention_days: int | None = None) -> int:
    """Delete the attachments of requests closed more than ``retention_days`` days ago
    (``ATTACHMENT_RETENTION_DAYS``; 0 or less: nothing, the default). Per request, in one
    transaction: the rows and an audit event ``servicerequest.attachments_purged`` (a system
    action, no webhook: the request itself did not change); the files after commit. Idempotent;
    returns how many attachments were removed."""
    days = settings.ATTACHMENT_RETENTION_DAYS if retention_days is None else retention_days
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    storage = attachment_storage()
    removed = 0
    request_ids = list(
        Attachment.objects.filter(request__status=Status.CLOSED, request__closed_at__lt=cutoff)
        .order_by()
        .values_list("request_id", flat=True)
        .distinct()[:PURGE_BATCH]
    )
    for request_id in request_ids:
        with transaction.atomic():
            locked = ServiceRequest.objects.select_for_update().get(pk=request_id)
            if locked.status != Status.CLOSED or locked.closed_at is None or locked.closed_at >= cutoff:
                continue  # reopened meanwhile
            attachments = list(Attachment.objects.filter(request=locked))
            Attachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
            audit_event_record(
                action="servicerequest.attachments_purged",
                partner_id=locked.partner_id,
                customer_id=locked.customer_id,
                obj=locked,
                before={"attachments": [attachment_summary(a) for a in attachments]},
                after={"attachments": [], "retentionDays": days},
            )
            names = [a.storage_name for a in attachments]
            transaction.on_commit(lambda names=names: [storage.delete(n) for n in names], robust=True)
            removed += len(attachments)
    return removed
