#!/usr/bin/env bash
# Installs the PostgreSQL server from Debian's packages, for the shared
# authorization store's tests. Idempotent. The tests start their own
# throwaway cluster (start.sh), so the package is told not to create its
# "main" cluster: nothing listens on 5432 and nothing needs it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if "$here/bindir.sh" >/dev/null 2>&1; then exit 0; fi

# A drop-in, not an edit of the package's own configuration file, so it can
# be written before the package that reads it is installed.
mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/gatehouse-no-main-cluster.conf

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends postgresql >/dev/null
"$here/bindir.sh" >/dev/null
