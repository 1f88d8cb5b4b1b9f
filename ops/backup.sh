#!/usr/bin/env bash
# Back up Almanac's PostgreSQL database into one file (pg_dump's custom format).
#   ops/backup.sh FILE            (DATABASE_URL from the environment)
# The file holds every table, sequence and constraint; restore it with
# ops/restore.sh. Media/uploads under ALMANAC_VAR_DIR are backed up separately
# (a plain file copy); nothing else holds state (Redis only carries work in flight:
# the transactional outbox in PostgreSQL re-sends what Redis loses).
set -euo pipefail
file=${1:?usage: ops/backup.sh FILE}
url=${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}
case "$url" in postgres://*|postgresql://*) ;; *) echo "DATABASE_URL is not PostgreSQL" >&2; exit 2;; esac
pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$file.partial"
mv "$file.partial" "$file"   # a half-written dump never looks like a backup
echo "backup written to $file ($(du -h "$file" | cut -f1))"
