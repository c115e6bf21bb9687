#!/usr/bin/env bash
# System packages the tests need on a fresh Debian machine. Idempotent: it
# installs only what is missing. Never starts Debian's own PostgreSQL cluster.
set -euo pipefail

missing=()
need_postgres=0
need_chromium=0
[ -f "${BASH_SOURCE%/*}/../packages/adapter-postgres/src/index.ts" ] && need_postgres=1
[ -f "${BASH_SOURCE%/*}/../packages/http/src/index.ts" ] && need_chromium=1

if [ "$need_postgres" = 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then missing+=(postgresql); fi
if [ "$need_postgres" = 1 ] && ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then missing+=(pgbouncer); fi
if [ "$need_chromium" = 1 ] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "[vehicle-perf] the tests need: ${missing[*]} (apt-get install as root)" >&2
  exit 1
fi
mkdir -p /etc/postgresql-common/createcluster.d
echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/vehicle-perf.conf
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
