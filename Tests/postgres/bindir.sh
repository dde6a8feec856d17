#!/usr/bin/env bash
# Prints the folder holding the PostgreSQL server programs (initdb, pg_ctl),
# or fails. Debian keeps them out of PATH, in /usr/lib/postgresql/VERSION/bin;
# the newest version found there wins, then pg_config's answer, then PATH.
set -euo pipefail

for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4 -n -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; exit 0; fi
done
if command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir)
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; exit 0; fi
fi
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    exit 0
fi
echo "no PostgreSQL server programs (initdb, pg_ctl) found; run Tests/postgres/setup.sh" >&2
exit 1
