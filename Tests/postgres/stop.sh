#!/usr/bin/env bash
# Usage: Tests/postgres/stop.sh STATE_DIR
#
# Stops the cluster start.sh started in STATE_DIR (fast: open sessions are
# ended). Leaves STATE_DIR for its owner to delete; a stopped or missing
# cluster is not an error.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ $# -ne 1 ]; then echo "usage: $0 STATE_DIR" >&2; exit 2; fi
data="$1/data"
[ -f "$data/PG_VERSION" ] || exit 0
bin="$("$here/bindir.sh")"

if [ "$(id -u)" = 0 ]; then as_server() { runuser -u postgres -- "$@"; }; else as_server() { "$@"; }; fi
if as_server "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_server "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >&2
fi
