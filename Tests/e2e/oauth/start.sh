#!/usr/bin/env bash
# Usage: ./start.sh PORT RESOURCE_URL [STATE_DIR]
# Starts a fresh, provisioned glewlwyd 2.7.5 OIDC/OAuth2 AS on http://127.0.0.1:PORT in the background.
# Prints the server PID on stdout (last line); state (sqlite db, keys, log, pid) lives in STATE_DIR
# (default: new mktemp dir, printed on stderr). Stop with: ./stop.sh STATE_DIR   (or kill PID)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PORT="${1:?usage: start.sh PORT RESOURCE_URL [STATE_DIR]}"
RESOURCE="${2:?usage: start.sh PORT RESOURCE_URL [STATE_DIR]}"
STATE="${3:-$(mktemp -d /tmp/glewlwyd-state.XXXXXX)}"
LOG_LEVEL="${GLEWLWYD_LOG_LEVEL:-INFO}"
mkdir -p "$STATE"
"$HERE/stop.sh" "$STATE"   # idempotent: stop a previous instance using this state dir
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then echo "port $PORT already in use" >&2; exit 1; fi
rm -f "$STATE/glewlwyd.db" "$STATE/glewlwyd.log"

# 1. fresh SQLite database from the packaged schema (includes admin/password, g_admin, g_profile, openid)
zcat /usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz | sqlite3 "$STATE/glewlwyd.db"

# 2. RS256 signing key (new per state dir)
if [ ! -f "$STATE/sign.key" ]; then
  openssl genrsa -out "$STATE/sign.key" 2048 2>/dev/null
  openssl rsa -in "$STATE/sign.key" -pubout -out "$STATE/sign.pub" 2>/dev/null
fi

# 3. config
sed -e "s|@PORT@|$PORT|g" -e "s|@STATE@|$STATE|g" -e "s|@LOG_LEVEL@|$LOG_LEVEL|g" \
  "$HERE/glewlwyd.conf.tmpl" > "$STATE/glewlwyd.conf"

# 4. start in background
nohup glewlwyd --config-file="$STATE/glewlwyd.conf" >"$STATE/stdout.log" 2>&1 &
PID=$!
echo "$PID" > "$STATE/glewlwyd.pid"
for i in $(seq 1 100); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/scope/" 2>/dev/null || \
     [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/scope/" 2>/dev/null)" = "401" ]; then break; fi
  kill -0 "$PID" 2>/dev/null || { echo "glewlwyd died; see $STATE/glewlwyd.log $STATE/stdout.log" >&2; cat "$STATE/stdout.log" >&2; exit 1; }
  sleep 0.1
done

# 5. provision scopes, users, OIDC plugin, clients through the admin API
python3 "$HERE/provision.py" --port "$PORT" --resource "$RESOURCE" --state "$STATE" >&2 || {
  echo "provisioning failed; log: $STATE/glewlwyd.log" >&2; kill "$PID"; exit 1; }

echo "glewlwyd ready: issuer=http://127.0.0.1:$PORT/api/oidc state=$STATE" >&2
echo "$PID"
