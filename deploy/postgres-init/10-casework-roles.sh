#!/bin/sh
# Runs once, when the db service starts with an empty data volume (the
# postgres image runs /docker-entrypoint-initdb.d/*.sh as the bootstrap
# superuser). It creates the two roles the system uses (README "Database
# roles"; the same statements as core/dbroles.py):
#   casework_owner  owns the database and its tables; `migrate` logs in as it
#   casework_app    web, worker and beat; owns nothing, no superuser, and only
#                   SELECT and INSERT on the read log and the timeline
# The grants on the tables are given by `migrate` itself (core/apps.py).
set -eu
: "${CASEWORK_OWNER_PASSWORD:?set CASEWORK_OWNER_PASSWORD}"
: "${CASEWORK_APP_PASSWORD:?set CASEWORK_APP_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner_password="$CASEWORK_OWNER_PASSWORD" -v app_password="$CASEWORK_APP_PASSWORD" \
     -v dbname="$POSTGRES_DB" <<'SQL'
SELECT format('CREATE ROLE casework_owner LOGIN') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'casework_owner') \gexec
SELECT format('CREATE ROLE casework_app LOGIN') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'casework_app') \gexec
ALTER ROLE casework_owner LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD :'owner_password';
ALTER ROLE casework_app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD :'app_password';
GRANT casework_app TO casework_owner;
ALTER DATABASE :"dbname" OWNER TO casework_owner;
ALTER SCHEMA public OWNER TO casework_owner;
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"dbname" TO casework_app;
GRANT USAGE ON SCHEMA public TO casework_app;
SQL
