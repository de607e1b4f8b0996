"""Test settings: fast hashing, in-memory e-mail. DATABASE_URL / REDIS_URL as given."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Private files: on the filesystem (base.py's default), attachments in a directory of this test run
# unless ATTACHMENT_ROOT is given. Tests of the S3 backend switch STORAGES to a local S3 server
# (tests/files.py); a process a test starts as a worker on S3 gets FILE_STORAGE=s3 and S3_*.
ATTACHMENT_ROOT = Path(
    env("ATTACHMENT_ROOT", default=str(Path(tempfile.gettempdir()) / f"pc-test-attachments-{os.getpid()}"))
)
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# Tasks run in-process by default, even when REDIS_URL is set (CI), so that tests are deterministic;
# tests that need a real worker on Redis use tests/worker.py, which turns eager mode off.
CELERY_TASK_ALWAYS_EAGER = True
PORTAL_PROGRESS_ENABLED = False
