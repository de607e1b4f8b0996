#!/usr/bin/env bash
# Production smoke test (called by .ci/run; runs alone too): the compose file is valid, the
# production settings pass `check --deploy` and refuse to boot without their secrets, and
# gunicorn with the production settings serves /readyz, /healthz, a page and its static files,
# logging JSON lines with the correlation id. Uses DATABASE_URL / REDIS_URL when exported
# (SQLite in a temporary directory / Redis DB 15 on loopback otherwise). Under a minute.
# CI_SMOKE_KEEP=<file> keeps a copy of gunicorn's log there.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
WORK="$(mktemp -d)"
GUNICORN_PID=""
cleanup() {
  if [[ -n "$GUNICORN_PID" ]] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$GUNICORN_PID" 2>/dev/null || true
  fi
  if [[ -n "${CI_SMOKE_KEEP:-}" ]]; then cp "$WORK/gunicorn.log" "$CI_SMOKE_KEEP" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "ci_smoke: FAIL: $*" >&2; exit 1; }
ok() { echo "ci_smoke: ok: $*"; }

export DATABASE_URL="${DATABASE_URL:-sqlite:///$WORK/smoke.sqlite3}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/15}"

# 1. docker-compose.yml is valid, and refuses to render without its required secrets.
if ! command -v docker-compose >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
fi
SECRET_KEY=smoke ALLOWED_HOSTS=portal.example.com POSTGRES_PASSWORD=smoke \
  PORTAL_DB_OWNER_PASSWORD=smoke-owner PORTAL_DB_PASSWORD=smoke-app S3_SECRET_ACCESS_KEY=smoke-s3-secret \
  docker-compose --project-directory . -f docker-compose.yml config >"$WORK/compose.yml" || fail "docker-compose config"
# Files go to the object store (MinIO), not to a volume shared by web and workers.
grep -q "FILE_STORAGE: s3" "$WORK/compose.yml" || fail "docker-compose: web and workers do not use the object store"
grep -q "image: minio/minio" "$WORK/compose.yml" || fail "docker-compose: no minio service"
if grep -q "/var/lib/portal/exports" "$WORK/compose.yml"; then fail "docker-compose: a shared exports volume is back"; fi
if env -u SECRET_KEY -u ALLOWED_HOSTS -u POSTGRES_PASSWORD -u PORTAL_DB_OWNER_PASSWORD -u PORTAL_DB_PASSWORD \
  docker-compose --project-directory . -f docker-compose.yml config -q 2>"$WORK/compose.err"; then
  fail "docker-compose config accepted a configuration without SECRET_KEY / ALLOWED_HOSTS / POSTGRES_PASSWORD"
fi
grep -q "Missing mandatory value" "$WORK/compose.err" || fail "unexpected compose error: $(cat "$WORK/compose.err")"
ok "docker-compose config"

# 2. Production settings without secrets: non-zero exit and the one clear message.
if env -i PATH="$PATH" DJANGO_SETTINGS_MODULE=partnercenter.settings.production \
  "$PY" manage.py check >/dev/null 2>"$WORK/boot.err"; then
  fail "production settings booted without any secret"
fi
expected="Production settings refuse to start: set the environment variable(s) SECRET_KEY, DATABASE_URL, REDIS_URL, ALLOWED_HOSTS (see docs/operations.md)."
grep -qF "$expected" "$WORK/boot.err" || fail "missing-secrets message: $(tail -1 "$WORK/boot.err")"
ok "production settings refuse to boot without secrets"

# 3. With secrets: deploy checks clean; migrate; collect static files as the image build does.
export DJANGO_SETTINGS_MODULE=partnercenter.settings.production
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(64))')"
export SECRET_KEY
export ALLOWED_HOSTS="127.0.0.1,localhost"
export STATIC_ROOT="$WORK/static"
"$PY" manage.py check --deploy --fail-level WARNING
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py collectstatic --noinput -v0
ok "check --deploy, migrate, collectstatic"

# 4. gunicorn on loopback with the production settings (no TLS here: SSL redirect off).
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
SECURE_SSL_REDIRECT=false LOG_FORMAT=json .venv/bin/gunicorn --config docker/gunicorn.conf.py \
  --bind "127.0.0.1:$PORT" --workers 2 partnercenter.wsgi >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!

"$PY" - "$PORT" "$WORK/gunicorn.log" <<'PYEOF' || { tail -n 30 "$WORK/gunicorn.log" >&2; fail "gunicorn smoke"; }
import json, re, sys, time, urllib.error, urllib.request, uuid

port, log_path = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"


def get(path, headers=None):
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


deadline = time.monotonic() + 30
while True:
    try:
        status, _, body = get("/readyz")
    except OSError:
        status, body = None, b""
    if status == 200:
        break
    if time.monotonic() > deadline:
        sys.exit(f"/readyz never answered 200 (last: {status} {body[:300]!r})")
    time.sleep(0.5)
ready = json.loads(body)
assert ready["status"] in ("ok", "degraded"), ready
assert ready["checks"]["database"] == "ok" and ready["checks"]["migrations"] == "ok", ready
print(f"ci_smoke: ok: /readyz 200 {json.dumps(ready)}")

correlation_id = str(uuid.uuid4())
status, headers, body = get("/healthz", {"MS-CorrelationId": correlation_id})
assert status == 200 and json.loads(body) == {"status": "ok", "checks": {"process": "ok"}}, (status, body)
assert headers.get("MS-CorrelationId") == correlation_id, headers
print("ci_smoke: ok: /healthz 200, MS-CorrelationId echoed")

status, headers, body = get("/signin/", {"MS-CorrelationId": correlation_id})
assert status == 200, (status, body[:300])
assert headers.get("Strict-Transport-Security") is None  # HSTS only over HTTPS
stylesheet = re.search(rb'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', body)
assert stylesheet, "the sign-in page does not link the hashed stylesheet"
status, headers, _ = get(stylesheet.group(1).decode(), {"Accept-Encoding": "gzip"})
assert status == 200 and headers.get("Content-Encoding") == "gzip", (status, headers)
assert "immutable" in headers.get("Cache-Control", ""), headers
print("ci_smoke: ok: /signin/ 200, hashed static file served compressed by WhiteNoise")

time.sleep(0.5)  # let the worker flush its log line
lines = [line for line in open(log_path, encoding="utf-8").read().splitlines() if line.strip()]
records = [json.loads(line) for line in lines]  # every line is one JSON object
assert all({"time", "level", "logger", "message", "correlation_id"} <= set(r) for r in records), records
access = [r for r in records if r["logger"] == "partnercenter.request" and r.get("path") == "/signin/"]
assert access and access[0]["correlation_id"] == correlation_id and access[0]["status"] == 200, access
print(f"ci_smoke: ok: {len(records)} JSON log lines, the request line carries the correlation id")
PYEOF

kill -TERM "$GUNICORN_PID"
wait "$GUNICORN_PID" || true
GUNICORN_PID=""
ok "gunicorn stopped"
