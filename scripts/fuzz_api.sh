#!/usr/bin/env bash
# API fuzzing with schemathesis (bounded; called by .ci/run, runs alone too).
#
# Starts gunicorn on loopback against a fresh database loaded with the demo scenario, creates API
# tokens with `manage.py create_api_token`, and runs schemathesis against /api/schema/ as two users
# (alice, an admin agent; maria, a support manager). Checks: no 5xx (not_a_server_error) and every
# response conforms to the documented schema (status code, content type, headers, body).
#
# Database: a fresh PostgreSQL database next to DATABASE_URL's when that is PostgreSQL (dropped at
# the end), else SQLite in a temporary directory. Celery runs eagerly (no REDIS_URL) so filings are
# dispatched in-process. /v1/webhooks/* is not fuzzed: registering random URLs and sending test
# events would make the server call out of loopback.
#
# Bounds: FUZZ_MAX_EXAMPLES (default 8) examples per operation, FUZZ_MAX_TIME seconds per user
# (default 150), FUZZ_REQUEST_TIMEOUT seconds per request (default 10). Reports (JUnit) go to
# FUZZ_REPORT_DIR (default test-artifacts/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
ST=.venv/bin/schemathesis
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-8}"
MAX_TIME="${FUZZ_MAX_TIME:-150}"
REQUEST_TIMEOUT="${FUZZ_REQUEST_TIMEOUT:-10}"
REPORT_DIR="${FUZZ_REPORT_DIR:-test-artifacts/fuzz}"
WORK="$(mktemp -d)"
GUNICORN_PID=""
FUZZ_DB=""
PG_BASE=""

cleanup() {
  if [[ -n "$GUNICORN_PID" ]] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$GUNICORN_PID" 2>/dev/null || true
  fi
  if [[ -n "$FUZZ_DB" ]]; then
    psql -q "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS ${FUZZ_DB}" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "fuzz_api: FAIL: $*" >&2; exit 1; }

[[ -x "$ST" ]] || fail "schemathesis is not installed: .venv/bin/pip install -r requirements-dev.txt"

# 1. A fresh database with the demo scenario.
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  PG_BASE="${DATABASE_URL%/*}"
  FUZZ_DB="pc_fuzz_$$"
  psql -q "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS ${FUZZ_DB}" -c "CREATE DATABASE ${FUZZ_DB}"
  export DATABASE_URL="$PG_BASE/$FUZZ_DB"
else
  export DATABASE_URL="sqlite:///$WORK/fuzz.sqlite3"
fi
unset REDIS_URL
export DJANGO_SETTINGS_MODULE=partnercenter.settings.local
export DEBUG=false
export API_THROTTLE_USER_RATE=1000000/min API_THROTTLE_PARTNER_RATE=1000000/min
export WEBHOOKS_ALLOW_PRIVATE_ADDRESSES=false
"$PY" manage.py migrate --noinput -v0
"$PY" manage.py load_scenario scenarios/demo.yaml >/dev/null
ADMIN_TOKEN="$("$PY" manage.py create_api_token alice --name fuzz 2>/dev/null | tail -n 1)"
MANAGER_TOKEN="$("$PY" manage.py create_api_token maria --name fuzz 2>/dev/null | tail -n 1)"
[[ "$ADMIN_TOKEN" == pcs_* && "$MANAGER_TOKEN" == pcs_* ]] || fail "create_api_token printed no token"
echo "fuzz_api: database ready (${DATABASE_URL%%:*}), tokens for alice and maria"

# 2. gunicorn on loopback.
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
# No request-line limit here: gunicorn's own 414 for very long URLs is the server's answer, not the
# API's (a deployment keeps gunicorn's default limits); the fuzzer checks what the portal answers.
.venv/bin/gunicorn --bind "127.0.0.1:$PORT" --workers 2 --timeout 60 --limit-request-line 0 partnercenter.wsgi \
  >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 1 60); do
  if "$PY" -c "import urllib.request, sys; urllib.request.urlopen('$BASE/readyz', timeout=2)" 2>/dev/null; then
    break
  fi
  sleep 0.5
done
"$PY" -c "import urllib.request; urllib.request.urlopen('$BASE/readyz', timeout=2)" \
  || { tail -n 30 "$WORK/gunicorn.log" >&2; fail "gunicorn did not become ready"; }
echo "fuzz_api: gunicorn ready at $BASE"

# 3. schemathesis, once per user.
mkdir -p "$REPORT_DIR"
status=0
for who in admin manager; do
  token="$ADMIN_TOKEN"; [[ "$who" == manager ]] && token="$MANAGER_TOKEN"
  echo "fuzz_api: fuzzing as $who (max $MAX_EXAMPLES examples per operation, ${MAX_TIME}s)"
  "$ST" run "$BASE/api/schema/" \
    --url "$BASE" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "$MAX_EXAMPLES" \
    --max-time "$MAX_TIME" \
    --request-timeout "$REQUEST_TIMEOUT" \
    --exclude-path-regex '^/v1/webhooks/' \
    --seed 20260101 \
    --report junit --report-junit-path "$REPORT_DIR/schemathesis-$who.xml" \
    --warnings off \
    || status=$?
done
[[ "$status" == 0 ]] || fail "schemathesis found problems (exit $status); see the output above and $REPORT_DIR"
echo "fuzz_api: ok: no 5xx, every response conforms to the schema"
