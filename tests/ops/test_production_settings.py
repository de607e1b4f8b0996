"""Production settings, imported in a subprocess with a clean environment: required secrets have
no default and the boot message names every missing one; with them set, the settings are hardened."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
REQUIRED = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS")
SANE_ENVIRONMENT = {
    "SECRET_KEY": "k3y-" + "x7Qp9vLm2Rt8Wz4Nc6Hb1Jd5Fg0Ks3Ye" * 2,
    "DATABASE_URL": "postgres://portal:secret@db.internal:5432/portal",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "portal.example.com,.portal.example.com",
}
PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "DATABASE": [settings.DATABASES["default"][k] for k in ("ENGINE", "HOST", "NAME", "CONN_MAX_AGE")],
    "CONN_HEALTH_CHECKS": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "CELERY": [settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER,
               settings.CELERY_WORKER_HIJACK_ROOT_LOGGER],
    "SECURE_PROXY_SSL_HEADER": list(getattr(settings, "SECURE_PROXY_SSL_HEADER", None) or []),
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_REDIRECT_EXEMPT": settings.SECURE_REDIRECT_EXEMPT,
    "HSTS": [settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
             settings.SECURE_HSTS_PRELOAD],
    "COOKIES": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
                settings.CSRF_COOKIE_SECURE, settings.CSRF_COOKIE_HTTPONLY],
    "STATICFILES": settings.STORAGES["staticfiles"]["BACKEND"],
    "LOG_FORMATTER": settings.LOGGING["handlers"]["console"]["formatter"],
    "MIDDLEWARE_0": settings.MIDDLEWARE[0],
}))
"""


def run_with(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run Python in the project directory with only PATH, the settings module and ``environment``."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "partnercenter.settings.production",
    }
    env.update(environment)
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture(autouse=True)
def _no_dotenv():
    # base.py reads BASE_DIR/.env; values there would mask missing variables.
    if (BASE_DIR / ".env").exists():
        pytest.fail(f"{BASE_DIR / '.env'} exists: production settings tests need a clean environment")


def test_without_any_secret_boot_fails_naming_all_of_them():
    result = run_with({}, "-c", "import partnercenter.settings.production")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: Production settings refuse to start: set the "
        "environment variable(s) SECRET_KEY, DATABASE_URL, REDIS_URL, ALLOWED_HOSTS (see docs/operations.md)."
    )


@pytest.mark.parametrize("missing", REQUIRED)
@pytest.mark.parametrize("how", ["unset", "blank"])
def test_each_missing_secret_is_named(missing, how):
    environment = {name: value for name, value in SANE_ENVIRONMENT.items() if name != missing}
    if how == "blank":
        environment[missing] = "  "

    result = run_with(environment, "manage.py", "check")

    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .endswith(f"set the environment variable(s) {missing} (see docs/operations.md).")
    )
    assert "System check" not in result.stdout


def test_with_the_secrets_set_the_settings_are_hardened():
    result = run_with(SANE_ENVIRONMENT, "-c", PRINT_SETTINGS)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["portal.example.com", ".portal.example.com"],
        "DATABASE": ["django.db.backends.postgresql", "db.internal", "portal", 60],
        "CONN_HEALTH_CHECKS": True,
        "CELERY": ["redis://redis.internal:6379/0", False, False],
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_SSL_REDIRECT": True,
        "SECURE_REDIRECT_EXEMPT": ["^healthz$", "^readyz$"],
        "HSTS": [31536000, True, True],
        "COOKIES": [True, True, True, True],
        "STATICFILES": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "LOG_FORMATTER": "json",
        "MIDDLEWARE_0": "core.middleware.CorrelationIdMiddleware",
    }


def test_proxy_and_redirect_are_configurable():
    environment = {**SANE_ENVIRONMENT, "TRUST_X_FORWARDED_PROTO": "false", "SECURE_SSL_REDIRECT": "false"}

    result = run_with(environment, "-c", PRINT_SETTINGS)

    assert result.returncode == 0, result.stderr
    settings = json.loads(result.stdout)
    assert (settings["SECURE_PROXY_SSL_HEADER"], settings["SECURE_SSL_REDIRECT"]) == ([], False)


def test_deploy_checks_are_clean():
    result = run_with(SANE_ENVIRONMENT, "manage.py", "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
