"""Private files through Django's ``STORAGES``: the two private storages, downloads with safe
headers, and time-limited signed URLs where the backend serves files itself.

Two named storages hold every file the portal writes (docs/operations.md, "Files"):

- ``attachments``: the files attached to service requests;
- ``exports``: background queue exports (CSV).

Both are the local filesystem by default (``ATTACHMENT_ROOT``, ``EXPORT_ROOT``, read when used, so a
test may point them elsewhere) and an S3-compatible bucket through django-storages when
``FILE_STORAGE=s3`` (one bucket, a prefix per storage). Nothing serves either storage by URL:
:func:`private_file_response` hands a file out after the caller has authorised the download.
"""

from __future__ import annotations

import os
from functools import cached_property

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

ATTACHMENTS = "attachments"
EXPORTS = "exports"

#: A downloaded file never runs as a page of the portal's origin: no script, no plugin, no form.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


class PrivateFileSystemStorage(FileSystemStorage):
    """A directory that no URL serves, named by a setting read on every use (not at start-up), with
    files 0600 in directories 0700. ``url()`` raises: files are handed out by a view only."""

    def __init__(self, *, root_setting: str, **kwargs):
        self.root_setting = root_setting
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(base_url=None, **kwargs)

    @property
    def base_location(self):
        return str(getattr(settings, self.root_setting))

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @cached_property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files are not served by URL; the download view hands them out.")


def private_storage(alias: str) -> Storage:
    """The storage named ``alias`` in ``settings.STORAGES`` (``ATTACHMENTS`` or ``EXPORTS``)."""
    return storages[alias]


def serves_signed_urls(storage: Storage) -> bool:
    """Whether downloads redirect to a time-limited signed URL of the storage itself
    (``FILE_DOWNLOAD_REDIRECT`` on, and a backend that signs URLs: S3)."""
    return bool(getattr(settings, "FILE_DOWNLOAD_REDIRECT", False)) and hasattr(storage, "bucket_name")


def _headers(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def private_file_response(
    *, storage: Storage, name: str, download_name: str, content_type: str
) -> HttpResponse | None:
    """The download of ``name`` from ``storage`` as ``download_name``; the caller has checked that
    the user may have it. None when the file is gone.

    Streamed through the web process with ``Content-Disposition: attachment``,
    ``X-Content-Type-Options: nosniff``, a sandboxing ``Content-Security-Policy`` and ``no-store``;
    or, where the storage serves files itself (:func:`serves_signed_urls`), a 302 to a signed URL
    valid for ``FILE_SIGNED_URL_SECONDS`` that makes the storage answer with the same disposition
    and content type.
    """
    if serves_signed_urls(storage):
        if not storage.exists(name):
            return None
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, download_name),
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
            expire=settings.FILE_SIGNED_URL_SECONDS,
        )
        return _headers(HttpResponseRedirect(url))
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        return None
    except Exception as exc:  # a backend's own "no such key"
        if type(exc).__name__ in {"ClientError", "NoSuchKey"}:
            return None
        raise
    response = FileResponse(handle, as_attachment=True, filename=download_name, content_type=content_type)
    return _headers(response)
