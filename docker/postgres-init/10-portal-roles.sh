#!/bin/sh
# Runs once, when the postgres volume is first initialised (docker-entrypoint-initdb.d), as the
# image's superuser (POSTGRES_USER), which the portal never uses. It creates:
#   PORTAL_DB_OWNER  owns the database and its schema: `migrate` runs as it (docker-compose's migrate
#                    service), then grants the runtime role (manage.py grant_runtime_role);
#   PORTAL_DB_USER   the runtime role of web, workers and beat: reads and writes the tables, owns
#                    none, and may only SELECT and INSERT audit events (docs/audit.md).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner="$PORTAL_DB_OWNER" -v owner_password="$PORTAL_DB_OWNER_PASSWORD" \
  -v runtime="$PORTAL_DB_USER" -v runtime_password="$PORTAL_DB_PASSWORD" \
  -v database="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE :"runtime" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'runtime_password';
ALTER DATABASE :"database" OWNER TO :"owner";
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"database" TO :"runtime";
SQL
