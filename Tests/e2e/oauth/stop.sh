#!/usr/bin/env bash
# Usage: ./stop.sh STATE_DIR   -- stops the glewlwyd started by start.sh with that state dir
set -euo pipefail
STATE="${1:?usage: stop.sh STATE_DIR}"
[ -f "$STATE/glewlwyd.pid" ] || exit 0
PID="$(cat "$STATE/glewlwyd.pid")"
alive() { [ -e "/proc/$1" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; }
if alive "$PID" && grep -q glewlwyd "/proc/$PID/cmdline" 2>/dev/null; then
  kill "$PID"
  for i in $(seq 1 50); do alive "$PID" || break; sleep 0.1; done
  if alive "$PID"; then kill -9 "$PID" || true; fi
fi
rm -f "$STATE/glewlwyd.pid"
