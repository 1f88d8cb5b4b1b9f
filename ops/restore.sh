#!/usr/bin/env bash
# Restore a backup made by ops/backup.sh into an EMPTY database.
#   ops/restore.sh FILE           (DATABASE_URL: the new, empty database)
# It refuses a database that already has Almanac's tables (restore into a new
# database, check it, then point DATABASE_URL at it). One transaction: a failed
# restore leaves the database empty.
set -euo pipefail
file=${1:?usage: ops/restore.sh FILE}
url=${DATABASE_URL:?DATABASE_URL must point at the new, empty PostgreSQL database}
case "$url" in postgres://*|postgresql://*) ;; *) echo "DATABASE_URL is not PostgreSQL" >&2; exit 2;; esac
test -s "$file" || { echo "no backup at $file" >&2; exit 2; }
tables=$(psql "$url" -Atc "select count(*) from information_schema.tables where table_schema = 'public'")
if [ "$tables" != "0" ]; then
  echo "the target database is not empty ($tables tables); restore into a new database" >&2
  exit 3
fi
pg_restore --no-owner --no-privileges --single-transaction --exit-on-error --dbname="$url" "$file"
echo "restored $file"
