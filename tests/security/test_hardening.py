"""Sign-in and session hardening: django-axes lockout, password validators, session expiry and
cookie flags, Content-Security-Policy and the other security headers, templates without inline
script or style, ``check --deploy`` with the production settings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from tests.factories import UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "pass-word-123"
LOCK_MESSAGE = "Too many failed sign-in attempts (5) for this user name from your address"


@pytest.fixture(autouse=True)
def _fresh_axes(db):
    """Every test starts and ends with no recorded failures."""
    axes_reset()
    yield
    axes_reset()


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", roles=["admin_agent"])


def sign_in(client, username: str, password: str, ip: str = "198.51.100.7"):
    return client.post("/signin/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_user_name_from_that_address(client, alice):
    statuses = [sign_in(client, "alice", f"wrong-{n}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 200]  # the form again, with its error
    fifth = sign_in(client, "alice", "wrong-5")
    assert fifth.status_code == 429
    locked = sign_in(client, "alice", PASSWORD)  # even the right password
    assert locked.status_code == 429
    page = locked.content.decode()
    assert LOCK_MESSAGE in page
    assert "locked for 15 minutes" in page
    assert locked["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="alice", ip_address="198.51.100.7").failures_since_start == 6


def test_the_lock_is_per_user_name_and_address(client, alice):
    UserFactory(username="bob")
    for n in range(5):
        sign_in(client, "alice", f"wrong-{n}")
    assert sign_in(client, "alice", PASSWORD).status_code == 429
    # The same user from another address, and another user from the same address, sign in.
    assert sign_in(client, "alice", PASSWORD, ip="203.0.113.9").status_code == 302
    client.logout()
    assert sign_in(client, "bob", PASSWORD).status_code == 302


def test_the_lock_ends_after_fifteen_minutes(client, alice):
    for n in range(5):
        sign_in(client, "alice", f"wrong-{n}")
    with time_machine.travel(timezone.now() + timedelta(minutes=14)):
        assert sign_in(client, "alice", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_a_successful_sign_in_resets_the_count(client, alice):
    for n in range(4):
        sign_in(client, "alice", f"wrong-{n}")
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for n in range(4):
        assert sign_in(client, "alice", f"wrong-again-{n}").status_code == 200
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_failed_and_locked_sign_ins_are_on_record(client, alice):
    for n in range(6):
        sign_in(client, "alice", f"wrong-{n}")
    assert AuditEvent.objects.filter(action="auth.sign_in_failed").count() == 6
    assert not AuditEvent.objects.filter(action="auth.signed_in").exists()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1", "This password is too short. It must contain at least 8 characters."),
        ("password", "This password is too common."),
        ("4815162342", "This password is entirely numeric."),
    ],
)
def test_weak_passwords_are_refused(db, password, reason):
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password)
    assert reason in excinfo.value.messages


def test_sessions_last_eight_hours_in_an_http_only_cookie(client, alice):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    response = sign_in(client, "alice", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 8 * 3600
    with time_machine.travel(timezone.now() + timedelta(hours=8, minutes=1)):
        assert client.get("/customers/").status_code == 302  # expired: back to the sign-in page


EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def csp_directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("path", ["/signin/", "/healthz", "/v1/customers", "/api/schema/"])
def test_security_headers_on_pages_and_api(client, db, path):
    response = client.get(path)
    assert csp_directives(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_swagger_ui_loads_its_start_up_script_from_a_url(client, db):
    response = client.get("/api/docs/")
    # Swagger UI styles its elements inline as it renders: that page alone allows inline styles.
    assert csp_directives(response["Content-Security-Policy"]) == {
        **EXPECTED_CSP,
        "style-src": "'self' 'unsafe-inline'",
    }
    page = response.content.decode()
    inline = [m for m in re.findall(r"<script(?P<attrs>[^>]*)>", page) if "src=" not in m]
    assert inline == []
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


TEMPLATE_DIRS = [BASE_DIR / "templates", *sorted(BASE_DIR.glob("*/templates"))]
# What CSP (no 'unsafe-inline') blocks: inline <script> with code, on* handlers, javascript: URLs,
# style attributes and <style> elements.
INLINE_PATTERNS = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "event handler attribute": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
}


def project_templates() -> list[Path]:
    return sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html") if ".venv" not in p.parts)


def test_templates_have_no_inline_script_or_style():
    assert len(project_templates()) > 20
    found = [
        f"{path.relative_to(BASE_DIR)}: {what}"
        for path in project_templates()
        for what, pattern in INLINE_PATTERNS.items()
        if pattern.search(path.read_text())
    ]
    assert found == []


def test_htmx_is_told_not_to_inject_its_indicator_style():
    base = (BASE_DIR / "templates" / "base.html").read_text()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", base)
    assert config is not None
    assert json.loads(config.group(1))["includeIndicatorStyles"] is False


PRODUCTION_ENVIRONMENT = {
    "SECRET_KEY": "k3y-" + "x7Qp9vLm2Rt8Wz4Nc6Hb1Jd5Fg0Ks3Ye" * 2,
    "DATABASE_URL": "sqlite:////tmp/partnercenter-security-check.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/10",
    "ALLOWED_HOSTS": "portal.example.com",
}
PRINT_HARDENING = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY,
                settings.CSRF_COOKIE_SECURE],
    "session_age": settings.SESSION_COOKIE_AGE,
    "axes": [settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds(),
             settings.AXES_LOCKOUT_PARAMETERS, settings.MIDDLEWARE[-1]],
    "csp": "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE,
    "frame": settings.X_FRAME_OPTIONS,
}))
"""


def _production(*args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "partnercenter.settings.production",
    }
    env.update(PRODUCTION_ENVIRONMENT)
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_are_hardened():
    result = _production("-c", PRINT_HARDENING)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "cookies": [True, True, True],
        "session_age": 28800,
        "axes": [5, 900.0, [["username", "ip_address"]], "axes.middleware.AxesMiddleware"],
        "csp": True,
        "frame": "DENY",
    }


def test_check_deploy_is_clean_with_the_production_settings():
    result = _production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
