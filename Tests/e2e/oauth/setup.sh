#!/usr/bin/env bash
# Installs the Debian glewlwyd package (a real OAuth 2 / OpenID Connect server) for the end-to-end tests; idempotent.
# Debian 12 (bookworm): glewlwyd 2.7.5-3+deb12u1.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
need=()
for p in glewlwyd dbconfig-sqlite3 sqlite3 openssl curl python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  # glewlwyd depends on "dbconfig-mysql | dbconfig-sqlite3 | ..."; naming dbconfig-sqlite3 avoids pulling
  # a MySQL client. The package's own DB/service (port 4593) are not used by start.sh.
  printf '%s\n' "glewlwyd glewlwyd/database-type select sqlite3" | debconf-set-selections || true
  apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# The packaged service must not run (we start our own instances on a chosen port).
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet glewlwyd 2>/dev/null; then
  systemctl stop glewlwyd || true; systemctl disable glewlwyd || true
fi
glewlwyd --help 2>&1 | grep -m1 '^Version'
