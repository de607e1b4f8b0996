# syntax=docker/dockerfile:1
# Partner Center support-workflow portal: one image for web (gunicorn), worker and beat (Celery).
# Build: docker build -t partnercenter .   Run: see docker-compose.yml and docs/operations.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=partnercenter.settings.production \
    PORT=8000

# The processes run as this unprivileged user; the code stays owned by root (read-only to it).
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /var/lib/portal --create-home \
       --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them: exactly the locked releases,
# each checked against its hash (requirements.lock, from `make lock`). pip byte-compiles them.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .

# Byte-compiled code: the processes run as a user that can't write /app, and PYTHONDONTWRITEBYTECODE
# is set, so nothing would be cached at run time. Checked-hash .pyc files stay valid whatever the
# files' timestamps (reproducible from the same sources).
RUN python -m compileall -q -j 0 --invalidation-mode checked-hash /app

# Static files are collected (hashed and compressed for WhiteNoise) at build time. The production
# settings need their secrets to load; these throwaway values exist only during this step.
RUN SECRET_KEY=collectstatic-only-not-a-secret DATABASE_URL=sqlite:////tmp/unused.sqlite3 \
    REDIS_URL=redis://unused:6379/0 ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v0

# Private files on the filesystem (FILE_STORAGE=filesystem, the default): attachments and background
# queue exports, in directories owned by the app user. A single container may keep them here (mount a
# volume); several containers use the object store instead (FILE_STORAGE=s3, as docker-compose.yml).
ENV ATTACHMENT_ROOT=/var/lib/portal/attachments EXPORT_ROOT=/var/lib/portal/exports
RUN install -d -o portal -g portal -m 0700 "$ATTACHMENT_ROOT" "$EXPORT_ROOT"

USER portal
EXPOSE 8000

# Liveness: /healthz over loopback (no database); see docker/healthcheck.py.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py", "/healthz"]

CMD ["gunicorn", "--config", "/app/docker/gunicorn.conf.py", "partnercenter.wsgi"]
