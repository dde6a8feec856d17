#!/usr/bin/env bash
# Usage: Tests/postgres/start.sh PORT STATE_DIR
#
# Starts a throwaway PostgreSQL cluster in STATE_DIR, listening on
# 127.0.0.1:PORT only, with trust authentication on loopback (and nowhere
# else), and a database named gatehouse_test. Waits until it answers, then
# prints its URL on stdout; everything else goes to stderr. Run as root, the
# server runs as the `postgres` user (PostgreSQL refuses root). Started
# again on the same STATE_DIR, it reuses the cluster. Stop it with stop.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if [ $# -ne 2 ]; then echo "usage: $0 PORT STATE_DIR" >&2; exit 2; fi
port=$1
mkdir -p "$2"
state="$(cd "$2" && pwd)"
bin="$("$here/bindir.sh")"
data="$state/data"

if [ "$(id -u)" = 0 ]; then
    chown postgres: "$state"
    chmod 700 "$state"
    as_server() { runuser -u postgres -- "$@"; }
else
    as_server() { "$@"; }
fi
if ! as_server test -w "$state"; then
    echo "$state is not writable by the server's user (every folder above it must be searchable)" >&2
    exit 1
fi

if [ ! -f "$data/PG_VERSION" ]; then
    # The superuser is named postgres whoever runs this, so the URL is the same.
    as_server "$bin/initdb" -D "$data" -U postgres -E UTF8 --no-locale --auth-local=peer --auth-host=reject >&2
    # Only loopback TCP, trusted; the Unix socket lives in STATE_DIR, for the
    # server's own user only. Durability is worthless for a throwaway cluster.
    as_server tee -a "$data/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$state'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
    as_server tee "$data/pg_hba.conf" >/dev/null <<HBA
local all all peer
host all all 127.0.0.1/32 trust
HBA
fi

if ! as_server "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_server "$bin/pg_ctl" -D "$data" -l "$state/server.log" -o "-p $port" -w -t 60 start >&2 || {
        echo "PostgreSQL did not start; its log:" >&2
        cat "$state/server.log" >&2 || true
        exit 1
    }
fi

psql=("$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
for _ in $(seq 1 60); do
    if "${psql[@]}" -c 'SELECT 1' >/dev/null 2>&1; then break; fi
    sleep 0.5
done
if [ -z "$("${psql[@]}" -tA -c "SELECT 1 FROM pg_database WHERE datname = 'gatehouse_test'")" ]; then
    "${psql[@]}" -c 'CREATE DATABASE gatehouse_test' >&2
fi

echo "postgres://postgres@127.0.0.1:$port/gatehouse_test"
