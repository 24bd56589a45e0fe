#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory (docker-entrypoint-initdb.d).
# Creates the two roles of docs/operations.md and the database owned by the schema owner. The migration
# itself runs later, as zhanqun_owner, from the one-shot `migrate` service.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$ZHANQUN_OWNER_PASSWORD" -v app_password="$ZHANQUN_APP_PASSWORD" <<'SQL'
create role zhanqun_owner login nosuperuser nobypassrls nocreaterole password :'owner_password';
create role zhanqun_app login nosuperuser nobypassrls nocreatedb nocreaterole password :'app_password';
create database zhanqun owner zhanqun_owner;
\connect zhanqun
revoke create on schema public from public;
alter schema public owner to zhanqun_owner;
SQL
