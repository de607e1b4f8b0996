"""Test settings: fast hashing, in-memory e-mail. DATABASE_URL / REDIS_URL as given."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# Tasks run in-process by default, even when REDIS_URL is set (CI), so that tests are deterministic;
# tests that need a real worker on Redis use tests/worker.py, which turns eager mode off.
CELERY_TASK_ALWAYS_EAGER = True
PORTAL_PROGRESS_ENABLED = False
