"""Base settings. Every value is read through one django-environ ``env`` object.

Defaults let a newcomer run the portal with nothing but Python: SQLite and
eager Celery when ``DATABASE_URL`` / ``REDIS_URL`` are unset.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "knox",
    "oauth2_provider",
    "django_htmx",
    "axes",
    "core.apps.CoreConfig",
    "partners",
    "customers",
    "gdap",
    "servicerequests",
    "portals",
    "queues",
    "audit",
    "webhooks",
    "scenario",
    "home",
    "apiaccess",
    "observability",
]

MIDDLEWARE = [
    # First: binds MS-CorrelationId for everything below, echoes it, writes the access log line.
    "core.middleware.CorrelationIdMiddleware",
    # Prometheus: answers /metrics (METRICS_* below) and times every database query of a request.
    "core.metrics.middleware.MetricsMiddleware",
    # Request count and latency by view and method (django-prometheus; its pair is near the end).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Binds the request: its client address and MS-RequestId are the context of changes made in it.
    "core.context.RequestContextMiddleware",
    # A view that loses the database answers 503 with the correlation id (core.security).
    "core.security.ServiceUnavailableMiddleware",
    # NUL in a path, query parameter or form field: 400 naming the field (PostgreSQL refuses NUL in text).
    "core.security.NullCharacterMiddleware",
    # A /v1 or Graph JSON body nested deeper than JSON_MAX_DEPTH: 400 naming the body (core.security).
    "core.security.JsonNestingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language of the response: the language cookie, then Accept-Language (LANGUAGES below).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "partners.context_processors.CurrentUserMiddleware",
    # After the user with its roles is in place (one query): a signed-in user's stored language
    # wins for pages; /v1 honours X-Locale (core.i18n).
    "core.i18n.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes requires: answers a locked-out sign-in (AXES_* below).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "partnercenter.urls"
WSGI_APPLICATION = "partnercenter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partners.context_processors.partner_context",
                "home.navigation.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# PostgreSQL through psycopg 3: parameters bound on the server, and a query the connection has run
# DATABASE_PREPARE_THRESHOLD times is prepared there by the driver (planned once per connection).
# Prepared statements belong to a server session: DATABASE_PREPARED_STATEMENTS=false behind a pooler
# that shares sessions between clients (PgBouncer in transaction or statement mode) goes back to
# Django's default, client-side binding with nothing prepared. No connection pool
# (``OPTIONS["pool"]``): see docs/operations.md.
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
DATABASE_PREPARE_THRESHOLD = 5


def postgresql_options(*, prepared_statements: bool) -> dict:
    """The psycopg 3 ``OPTIONS`` of a PostgreSQL database: server-side binding and preparing, or
    neither (a pooler in transaction mode)."""
    if not prepared_statements:
        return {"server_side_binding": False, "prepare_threshold": None}
    return {"server_side_binding": True, "prepare_threshold": DATABASE_PREPARE_THRESHOLD}


if DATABASES["default"].get("ENGINE") == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        **postgresql_options(prepared_statements=DATABASE_PREPARED_STATEMENTS),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "partners.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in hardening (docs/security.md). django-axes counts failed sign-ins per user name + client
# address and locks that pair out for AXES_COOLOFF_TIME after AXES_FAILURE_LIMIT failures; a locked
# sign-in gets the sign-in page with the reason (core.security.sign_in_locked_out), HTTP 429.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading a session's user with its partner (the layout shows it).
    "partners.backends.ModelBackend",
]
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.security.sign_in_locked_out"
AXES_USERNAME_FORM_FIELD = "username"
# Failed and locked sign-ins are in the audit log (auth.sign_in_failed); axes itself logs only when asked.
AXES_VERBOSE = env.bool("AXES_VERBOSE", default=False)
# The client address (docs/operations.md, "Client addresses behind proxies"): X-Forwarded-For is
# believed only from these reverse proxies (addresses or networks, comma-separated); none by
# default, so the address is the TCP peer's. Lockout, the audit trail and API throttling all read it
# through core.context.request_ip.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # a typo stops the boot, not the first sign-in
AXES_CLIENT_IP_CALLABLE = "core.context.request_ip"
# Sessions: 8 hours from sign-in by default; optionally end when the browser closes.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Response headers on every page (production adds HSTS and secure cookies).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Request bodies above this size are refused with 400 (service request texts are at most 10,000 chars).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
# Deepest nesting of arrays/objects accepted in a /v1 or Graph JSON body (core.security).
JSON_MAX_DEPTH = env.int("JSON_MAX_DEPTH", default=32)
# Content-Security-Policy (django-csp 4): only this origin's scripts, styles, images and forms;
# no inline script or style, no framing. Templates keep scripts and styles in static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# English, Brazilian Portuguese and European Portuguese (docs/i18n.md). Our catalogues live in
# each app's locale/ folder and in locale/ for the project-wide templates; `make messages`.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("pt-br", "Português (Brasil)"),
    ("pt-pt", "Português (Portugal)"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (``/favicon.ico``), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "webroot"
# Files the portal writes (docs/operations.md, "Files"): attachments of service requests and
# background queue exports, each in a private named storage (core.files) that no URL serves. The
# local filesystem by default (ATTACHMENT_ROOT, EXPORT_ROOT; created on first use); FILE_STORAGE=s3
# puts both in one S3-compatible bucket (django-storages), a prefix each, so that web processes and
# workers on different hosts share them without a shared directory.
ATTACHMENT_ROOT = Path(env("ATTACHMENT_ROOT", default=str(BASE_DIR / "var" / "attachments")))
# Background queue exports (queues/exports.py): CSV files written by a Celery task, outside MEDIA and
# STATIC; only the download view hands a file to its requester.
EXPORT_ROOT = Path(env("EXPORT_ROOT", default=str(BASE_DIR / "var" / "exports")))
FILE_STORAGE = env.str("FILE_STORAGE", default="filesystem")
if FILE_STORAGE not in ("filesystem", "s3"):
    raise ImproperlyConfigured(f"FILE_STORAGE must be 'filesystem' or 's3', not {FILE_STORAGE!r}.")
S3_BUCKET = env.str("S3_BUCKET", default="")
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="")  # empty: AWS itself
S3_REGION = env.str("S3_REGION", default="us-east-1")
S3_ACCESS_KEY_ID = env.str("S3_ACCESS_KEY_ID", default="")  # empty: boto3's own credential chain
S3_SECRET_ACCESS_KEY = env.str("S3_SECRET_ACCESS_KEY", default="")
# Downloads are streamed through the web process, with the portal's headers. With
# FILE_DOWNLOAD_REDIRECT on (and FILE_STORAGE=s3, an endpoint browsers reach), they are a 302 to a
# signed URL of the bucket valid for FILE_SIGNED_URL_SECONDS instead.
FILE_DOWNLOAD_REDIRECT = env.bool("FILE_DOWNLOAD_REDIRECT", default=False)
FILE_SIGNED_URL_SECONDS = env.int("FILE_SIGNED_URL_SECONDS", default=300)
# Attachments of requests closed more than this many days ago are deleted by the maintenance queue
# (servicerequests.purge_attachments, hourly); 0 keeps them for ever.
ATTACHMENT_RETENTION_DAYS = env.int("ATTACHMENT_RETENTION_DAYS", default=0)
# Audit events are kept this many days, then dropped a whole month at a time (PostgreSQL monthly
# partitions; audit.maintain_partitions, daily, as the table's owner). 0 keeps them for ever.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=0)


def private_file_storage(*, root_setting: str, prefix: str, file_storage: str = FILE_STORAGE) -> dict:
    """The ``STORAGES`` entry of one private storage: a directory named by ``root_setting``, or the
    ``prefix`` of the S3 bucket."""
    if file_storage != "s3":
        return {"BACKEND": "core.files.PrivateFileSystemStorage", "OPTIONS": {"root_setting": root_setting}}
    options = {
        "bucket_name": S3_BUCKET,
        "location": prefix,
        "region_name": S3_REGION,
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": FILE_SIGNED_URL_SECONDS,
        "signature_version": "s3v4",
    }
    if S3_ENDPOINT_URL:
        options.update(endpoint_url=S3_ENDPOINT_URL, addressing_style="path")
    if S3_ACCESS_KEY_ID:
        options.update(access_key=S3_ACCESS_KEY_ID, secret_key=S3_SECRET_ACCESS_KEY)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


if FILE_STORAGE == "s3" and not S3_BUCKET:
    raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_BUCKET (docs/operations.md, Files).")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": private_file_storage(root_setting="ATTACHMENT_ROOT", prefix="attachments"),
    "exports": private_file_storage(root_setting="EXPORT_ROOT", prefix="exports"),
}

# Celery: Redis for broker and results; eager (in-process) when REDIS_URL is unset.
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 30
CELERY_TASK_TIME_LIMIT = 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# A message whose worker died is handed to another worker (tasks are idempotent).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Keep a worker's database connection across tasks (Celery's Django fixup closes it around every
# task otherwise); core.workers closes it when it is past CONN_MAX_AGE, unhealthy or broken.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# Publishing gives up quickly when the broker is down: the data is committed and the
# sweepers re-send it (docs/async.md), so a web request never hangs on the broker.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": env.int("CELERY_PUBLISH_MAX_RETRIES", default=2),
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# One Redis queue per kind of work, so that a slow kind (a hostile webhook endpoint, a large
# export, a rollup) can delay only its own queue. A worker started without --queues consumes
# every queue (make worker, tests); docker-compose runs one worker service per group.
# docs/async.md lists which task goes where, with each queue's concurrency and time limits.
CELERY_QUEUE_NAMES = ("dispatch", "notifications", "webhooks", "exports", "maintenance", "celery")
CELERY_TASK_QUEUES = tuple(Queue(name) for name in CELERY_QUEUE_NAMES)
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    # A filed request reaching its portal; GDAP's per-object follow-ups (seconds, user-visible).
    "servicerequests.dispatch": {"queue": "dispatch"},
    "gdap.activate_assignment": {"queue": "dispatch"},
    "gdap.complete_assignment_deletion": {"queue": "dispatch"},
    "gdap.complete_termination": {"queue": "dispatch"},
    "gdap.run_operation": {"queue": "dispatch"},
    # E-mails.
    "servicerequests.send_notification": {"queue": "notifications"},
    "gdap.send_notification": {"queue": "notifications"},
    "servicerequests.notify_handoff": {"queue": "notifications"},
    # Outbound HTTP to partners' endpoints.
    "webhooks.deliver": {"queue": "webhooks"},
    # Background CSV exports (up to 16 minutes each).
    "servicerequests.export_queue": {"queue": "exports"},
    # Everything periodic: sweepers, rollups, counts, purges, simulated portal progress.
    "*": {"queue": "maintenance"},
}
# A message taken by a worker that died goes back to its queue after visibility_timeout (Redis
# transport, acks_late). It must exceed the longest hard time limit (an export: 960 s), or a task
# still running would be handed to a second worker; the sweepers recover sooner what matters
# (dispatches and notifications within a minute, docs/async.md).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=1200)}
# Delivery of service requests to the workload portals (the dispatch outbox).
DISPATCH_MAX_RETRIES = env.int("DISPATCH_MAX_RETRIES", default=5)
DISPATCH_RETRY_BACKOFF = env.float("DISPATCH_RETRY_BACKOFF", default=5.0)  # seconds, doubled per retry
DISPATCH_RETRY_BACKOFF_MAX = env.float("DISPATCH_RETRY_BACKOFF_MAX", default=300.0)
# Seconds a pending dispatch may be overdue before the sweepers re-send it.
DISPATCH_SWEEP_MIN_AGE = env.float("DISPATCH_SWEEP_MIN_AGE", default=60.0)
# The dispatch relay (``manage.py dispatch_relay``, docs/async.md): filing publishes nothing and the
# relay, woken by PostgreSQL NOTIFY, delivers the outbox in batches. Off: filing enqueues one
# ``servicerequests.dispatch`` task after commit (eager development without a broker, the tests).
DISPATCH_RELAY = env.bool("DISPATCH_RELAY", default=False)
DISPATCH_RELAY_BATCH = env.int("DISPATCH_RELAY_BATCH", default=100)  # dispatches per transaction
DISPATCH_RELAY_IDLE = env.float("DISPATCH_RELAY_IDLE", default=1.0)  # seconds between looks without NOTIFY
# Delivered dispatches are deleted this many days after delivery (servicerequests.purge_dispatches,
# hourly, in batches); 0 keeps them for ever. Off by default: the row is the request page's
# "Dispatch" line, and there is one per request (docs/async.md, "Retention of delivered dispatches").
DISPATCH_RETENTION_DAYS = env.int("DISPATCH_RETENTION_DAYS", default=0)
NOTIFICATION_MAX_RETRIES = env.int("NOTIFICATION_MAX_RETRIES", default=5)
# Simulated progress of the portal tickets (the portal's engineer answers, then closes).
PORTAL_PROGRESS_ENABLED = env.bool("PORTAL_PROGRESS_ENABLED", default=False)
PORTAL_PROGRESS_ATTENTION_AFTER = env.int("PORTAL_PROGRESS_ATTENTION_AFTER", default=120)  # seconds
PORTAL_PROGRESS_CLOSE_AFTER = env.int("PORTAL_PROGRESS_CLOSE_AFTER", default=600)  # seconds
# Absolute links in e-mails.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Outbound webhooks (docs/webhooks.md). Private, loopback, link-local, multicast and reserved
# destinations are refused (SSRF) unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES is on (tests, local demos).
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=False)
# Ports a webhook URL may use (checked unless WEBHOOKS_ALLOW_PRIVATE_ADDRESSES is on).
WEBHOOKS_ALLOWED_PORTS = [int(port) for port in env.list("WEBHOOKS_ALLOWED_PORTS", default=["80", "443"])]
WEBHOOKS_CONNECT_TIMEOUT = env.float("WEBHOOKS_CONNECT_TIMEOUT", default=3.0)  # seconds
WEBHOOKS_READ_TIMEOUT = env.float("WEBHOOKS_READ_TIMEOUT", default=10.0)  # seconds
# Wall-clock bound of one attempt, whatever the endpoint does (seconds; below the task's 45 s soft limit).
WEBHOOKS_ATTEMPT_DEADLINE = env.float("WEBHOOKS_ATTEMPT_DEADLINE", default=15.0)
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=8)  # then the delivery is failed
WEBHOOKS_RETRY_BACKOFF = env.float("WEBHOOKS_RETRY_BACKOFF", default=10.0)  # seconds, doubled per attempt
WEBHOOKS_RETRY_BACKOFF_MAX = env.float("WEBHOOKS_RETRY_BACKOFF_MAX", default=3600.0)
WEBHOOKS_MAX_PAYLOAD_BYTES = env.int("WEBHOOKS_MAX_PAYLOAD_BYTES", default=65536)
# Finished webhook deliveries (delivered or failed) and the events left without one are deleted this
# many days after they were created (webhooks.purge_deliveries, hourly, in batches); 0 keeps them
# for ever (docs/webhooks.md, "Retention").
WEBHOOK_DELIVERY_RETENTION_DAYS = env.int("WEBHOOK_DELIVERY_RETENTION_DAYS", default=30)
# Key the per-registration signing secrets are derived from (defaults to SECRET_KEY).
WEBHOOKS_SECRET_KEY = env("WEBHOOKS_SECRET_KEY", default="") or SECRET_KEY

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="portal@partnercenter.example")

# REST API defaults shared by /v1 and /graph/v1.0. The /v1 conventions (casing, collections,
# error shape) live in core.api; the Graph views override the exception handler per view.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # App-only tokens (pca_…, client credentials) first: they never reach knox's lookup.
        "core.api.authentication.AppTokenAuthentication",
        "core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # An app token also needs the scope its endpoint declares (core.api.scopes.ENDPOINT_SCOPES).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "core.api.scopes.EndpointScopePermission",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.ApiRateThrottle",
    ],
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
}
# A retry with the same MS-RequestId replays the first answer for this long (then runs afresh).
IDEMPOTENCY_RETENTION_HOURS = env.int("IDEMPOTENCY_RETENTION_HOURS", default=24)
# Throttling per user and per partner ("<n>/<s|m|h|d>"), counted in the "api" cache.
API_THROTTLE_RATES = {
    "user": env("API_THROTTLE_USER_RATE", default="600/min"),
    "partner": env("API_THROTTLE_PARTNER_RATE", default="3000/min"),
    # POST /oauth2/token per client address (apiaccess.token).
    "token": env("API_THROTTLE_TOKEN_RATE", default="60/min"),
}
# API tokens (django-rest-knox): "Authorization: Bearer <token>", stored hashed, with expiry.
KNOX_TOKEN_MODEL = "partnercenter.ApiToken"
# knox's own migrations would create its (swapped-out, unused) knox_authtoken table, whose foreign
# key to the user table breaks TRUNCATE in transactional tests; the token table is partnercenter's.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Bearer",
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=30)),
    "TOKEN_PREFIX": "pcs_",
    "AUTO_REFRESH": False,
}
# App registrations (docs/integrations.md): django-oauth-toolkit issues app-only access tokens
# at POST /oauth2/token (grant_type=client_credentials). Clients authenticate with one of their
# registration's secrets (apiaccess.oauth.AppOAuth2Validator); tokens carry the pca_ prefix, live
# APP_TOKEN_TTL_SECONDS and hold only scopes the registration was granted (core.api.scopes.SCOPES).
APP_TOKEN_TTL_SECONDS = env.int("APP_TOKEN_TTL_SECONDS", default=3600)
# django-oauth-toolkit's own models (named, so that migrations can depend on them).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": APP_TOKEN_TTL_SECONDS,
    "ACCESS_TOKEN_GENERATOR": "apiaccess.oauth.generate_access_token",
    "OAUTH2_VALIDATOR_CLASS": "apiaccess.oauth.AppOAuth2Validator",
    "SCOPES_BACKEND_CLASS": "apiaccess.oauth.RegistrationScopes",
    # The token endpoint knows the client-credentials grant only (no password or code grants).
    "OAUTH2_SERVER_CLASS": "oauthlib.oauth2.BackendApplicationServer",
    # OAuth 2.0 Security BCP (RFC 9700) everywhere: among others, tokens are stored hashed, and an
    # access token in a query string is not accepted.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
# Both caches time their operations for /metrics (core.metrics.cache).
CACHES = {
    "default": {"BACKEND": "core.metrics.cache.TimedLocMemCache"},
    # Shared by every web process when REDIS_URL is set (throttle counters).
    "api": (
        {
            # django-redis (one redis-py client per server, shared by every request), timed.
            "BACKEND": "core.metrics.cache.TimedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "api",
            # An unreachable Redis costs a request at most a second; the throttles then let it through
            # (django-redis re-raises redis-py's own error, which they catch).
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1.0, "SOCKET_TIMEOUT": 1.0},
        }
        if REDIS_URL
        else {"BACKEND": "core.metrics.cache.TimedLocMemCache", "LOCATION": "api"}
    ),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Partner Center support-workflow portal API",
    "DESCRIPTION": (
        "REST API shaped like the Partner Center API (/v1) and Microsoft Graph's GDAP API "
        "(/graph/v1.0). Authenticate with `Authorization: Bearer <token>`: a personal token (`pcs_…`, "
        "settings → API access) or an app-only token of an app registration (`pca_…`, OAuth 2 client "
        "credentials at `/oauth2/token`; each operation lists the scope it needs)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "WorkloadEnum": "customers.choices.Workload",
        "SubscriptionStatusEnum": "customers.choices.SubscriptionStatus",
        "HealthStatusEnum": "customers.choices.HealthStatus",
        "ServiceRequestStatusEnum": "servicerequests.choices.Status",
        "ServiceIncidentStatusEnum": "customers.api.serializers.INCIDENT_STATUSES",
        "SecretLifetimeDaysEnum": "apiaccess.applications.SECRET_LIFETIME_CHOICES",
    },
    # Enum components first (drf-spectacular's default), then x-extension on our extensions'
    # parameters and fields (core.api.extensions; docs/fidelity.md).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.extensions.label_extensions",
    ],
}

# Portal-specific settings.
ROUTING_CONTEXT_MAX_AGE = env.int("ROUTING_CONTEXT_MAX_AGE", default=600)

# Prometheus metrics (docs/operations.md, "Metrics"). /metrics needs "Authorization: Bearer
# <METRICS_TOKEN>" when the token is set (open otherwise: keep it off the public proxy). Several
# processes (gunicorn workers, Celery's pool) add up through PROMETHEUS_MULTIPROC_DIR, an environment
# variable prometheus-client reads itself. A Celery worker serves its own metrics on
# METRICS_WORKER_PORT when set. METRICS_CELERY_QUEUES: the queues whose depth /metrics reports.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_WORKER_PORT = int(env.str("METRICS_WORKER_PORT", default="") or 0)  # 0 or empty: none
METRICS_WORKER_ADDRESS = env.str("METRICS_WORKER_ADDRESS", default="0.0.0.0")
METRICS_CELERY_QUEUES = env.list("METRICS_CELERY_QUEUES", default=list(CELERY_QUEUE_NAMES))

# Logs go to stderr, one line each, with the correlation id. LOG_FORMAT: "plain" (readable,
# the default here) or "json" (one JSON object per line; the default in production).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation_id": {"()": "core.logging.CorrelationIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
        "json": {"()": "core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["correlation_id"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
