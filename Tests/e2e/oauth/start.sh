#!/usr/bin/env bash
# Usage: ./start.sh PORT RESOURCE_URL [STATE_DIR] [--upstream-redirect URI ...]
# Starts a fresh, provisioned glewlwyd 2.7.5 OIDC/OAuth2 AS on http://127.0.0.1:PORT in the background.
# Prints the server PID on stdout (last line); state (sqlite db, keys, log, pid) lives in STATE_DIR
# (default: new mktemp dir, printed on stderr). Stop with: ./stop.sh STATE_DIR   (or kill PID)
# Options after STATE_DIR go to provision.py unchanged; --upstream-redirect URI (repeatable) adds the
# confidential client the gateway signs people in with (see provision.py).
# The web login and grant pages are served at http://127.0.0.1:PORT/login.html.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
USAGE="usage: start.sh PORT RESOURCE_URL [STATE_DIR] [--upstream-redirect URI ...]"
PORT="${1:?$USAGE}"
RESOURCE="${2:?$USAGE}"
shift 2
if [ $# -gt 0 ] && [[ "$1" != --* ]]; then STATE="$1"; shift; else STATE="$(mktemp -d /tmp/glewlwyd-state.XXXXXX)"; fi
PROVISION_ARGS=("$@")
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

# 4. the web login/grant pages: a copy of Debian's webapp (4 MB; glewlwyd's static file server does
#    not follow the package's symlinks into /usr/share/javascript and /usr/share/nodejs), except
#    config.json, which in the package is a symlink to the directory /etc/glewlwyd/config-2.7.json
WEBAPP=/usr/share/glewlwyd/webapp
rm -rf "$STATE/webapp"; mkdir -p "$STATE/webapp"
for f in "$WEBAPP"/*; do [ "$(basename "$f")" = config.json ] || cp -RL "$f" "$STATE/webapp/"; done
WEBCONF="$WEBAPP/config.json"; [ -d "$WEBCONF" ] && WEBCONF="$WEBCONF/config.json"
cp "$WEBCONF" "$STATE/webapp/config.json"   # GlewlwydUrl "./": the API prefix comes from /config/

# 5. start in background
nohup glewlwyd --config-file="$STATE/glewlwyd.conf" >"$STATE/stdout.log" 2>&1 &
PID=$!
echo "$PID" > "$STATE/glewlwyd.pid"
for i in $(seq 1 100); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/api/scope/" 2>/dev/null || \
     [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/scope/" 2>/dev/null)" = "401" ]; then break; fi
  kill -0 "$PID" 2>/dev/null || { echo "glewlwyd died; see $STATE/glewlwyd.log $STATE/stdout.log" >&2; cat "$STATE/stdout.log" >&2; exit 1; }
  sleep 0.1
done

# 6. provision scopes, users, OIDC plugin, clients through the admin API
python3 "$HERE/provision.py" --port "$PORT" --resource "$RESOURCE" --state "$STATE" \
  ${PROVISION_ARGS[@]+"${PROVISION_ARGS[@]}"} >&2 || {
  echo "provisioning failed; log: $STATE/glewlwyd.log" >&2; kill "$PID"; exit 1; }

echo "glewlwyd ready: issuer=http://127.0.0.1:$PORT/api/oidc state=$STATE" >&2
echo "$PID"
