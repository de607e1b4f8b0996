"""Test settings: fast hashing, in-memory e-mail. DATABASE_URL / REDIS_URL as given."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import private_file_storage

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Private files on the filesystem, in a directory of this test run (tests that exercise the S3
# backend switch STORAGES to a local S3 server: tests/files.py).
ATTACHMENT_ROOT = Path(tempfile.gettempdir()) / f"pc-test-attachments-{os.getpid()}"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": private_file_storage(
        root_setting="ATTACHMENT_ROOT", prefix="attachments", file_storage=""
    ),
    "exports": private_file_storage(root_setting="EXPORT_ROOT", prefix="exports", file_storage=""),
}
WHITENOISE_AUTOREFRESH = True
# Tasks run in-process by default, even when REDIS_URL is set (CI), so that tests are deterministic;
# tests that need a real worker on Redis use tests/worker.py, which turns eager mode off.
CELERY_TASK_ALWAYS_EAGER = True
PORTAL_PROGRESS_ENABLED = False
