#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback for tests and benchmarks: a primary, and
# optionally a streaming-replication hot standby of it. Debian's PostgreSQL
# (installed by ensure-system-deps.sh when missing); as root, the servers run
# as the `postgres` user, who may not run as root.
#
#   scripts/postgres.sh start DIR PORT             primary on 127.0.0.1:PORT, data under DIR
#   scripts/postgres.sh standby DIR PORT STANDBY   a hot standby of it on STANDBY
#   scripts/postgres.sh pooler DIR PORT POOLER     PgBouncer on POOLER in transaction mode, in front of the primary
#   scripts/postgres.sh pause DIR                  stops the primary, keeps its data (a test of an outage)
#   scripts/postgres.sh resume DIR PORT            starts the paused primary again
#   scripts/postgres.sh stop DIR                   stops them all, removes DIR
#
# Each start prints the connection URL on stdout. Nothing here is fit for
# real data: fsync is off and authentication is `trust` on loopback.
set -euo pipefail

bin_dir() {
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -z "$found" ] && command -v pg_ctl >/dev/null 2>&1; then found="$(dirname "$(command -v pg_ctl)")"; fi
  if [ -z "$found" ]; then
    echo "[vehicle-perf] PostgreSQL is not installed: run scripts/ensure-system-deps.sh as root (Debian's postgresql), or set DATABASE_URL" >&2
    exit 1
  fi
  echo "$found"
}

# Runs a server binary as a user allowed to (postgres when this is root).
as_server() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

server_user() {
  if [ "$(id -u)" = 0 ]; then echo postgres; else id -un; fi
}

# The folder and its parents must be enterable by the server's user (mktemp makes 700).
prepare_dir() {
  mkdir -p "$1"
  chmod 755 "$1"
  if [ "$(id -u)" = 0 ]; then chown postgres "$1"; fi
}

server_options() {
  local port="$1" socket="$2"
  echo "-p $port -k $socket -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=256MB -c max_wal_size=4GB -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on -c hot_standby_feedback=on"
}

command="${1:-}"
case "$command" in
  start)
    dir="$2"; port="$3"
    bin="$(bin_dir)"
    prepare_dir "$dir"
    prepare_dir "$dir/primary"
    prepare_dir "$dir/socket"
    as_server "$bin/initdb" -D "$dir/primary" -U "$(server_user)" -A trust --no-sync -E UTF8 --locale C >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # Replication connections from loopback (initdb -A trust allows local ones already).
    echo "host replication all 127.0.0.1/32 trust" | as_server tee -a "$dir/primary/pg_hba.conf" >/dev/null
    as_server "$bin/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w -t 60 start -o "$(server_options "$port" "$dir/socket")" >/dev/null \
      || { cat "$dir/primary.log" >&2; exit 1; }
    echo "postgres://$(server_user)@127.0.0.1:$port/postgres"
    ;;
  standby)
    dir="$2"; port="$3"; standby="$4"
    bin="$(bin_dir)"
    prepare_dir "$dir/standby"
    chmod 700 "$dir/standby"
    # -c fast: without it pg_basebackup waits for a checkpoint (~90 s); -R writes the replication settings.
    as_server "$bin/pg_basebackup" -h 127.0.0.1 -p "$port" -U "$(server_user)" -D "$dir/standby" -R -X stream -c fast >"$dir/basebackup.log" 2>&1 \
      || { cat "$dir/basebackup.log" >&2; exit 1; }
    as_server "$bin/pg_ctl" -D "$dir/standby" -l "$dir/standby.log" -w -t 60 start -o "$(server_options "$standby" "$dir/socket")" >/dev/null \
      || { cat "$dir/standby.log" >&2; exit 1; }
    echo "postgres://$(server_user)@127.0.0.1:$standby/postgres"
    ;;
  pooler)
    dir="$2"; port="$3"; pooler="$4"
    command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] \
      || { echo "[vehicle-perf] PgBouncer is not installed: run scripts/ensure-system-deps.sh as root (Debian's pgbouncer)" >&2; exit 1; }
    prepare_dir "$dir/pooler"
    # Transaction pooling, as most hosted PostgreSQL offers it: each transaction
    # may land on another server connection, and fewer server connections than
    # clients make sure they do. Startup parameters are left at PgBouncer's
    # strict default (it refuses statement_timeout and lock_timeout).
    as_server tee "$dir/pooler/pgbouncer.ini" >/dev/null <<INI
[databases]
* = host=127.0.0.1 port=$port
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pooler
unix_socket_dir =
auth_type = trust
auth_file = $dir/pooler/users.txt
pool_mode = transaction
default_pool_size = 4
max_client_conn = 1000
logfile = $dir/pooler/pgbouncer.log
pidfile = $dir/pooler/pgbouncer.pid
INI
    # The server's user, and the role the pooler tests log in as (trust still needs each name listed).
    printf '"%s" ""\n"vehicle_perf_pooled" ""\n' "$(server_user)" | as_server tee "$dir/pooler/users.txt" >/dev/null
    as_server "$(command -v pgbouncer || echo /usr/sbin/pgbouncer)" -d "$dir/pooler/pgbouncer.ini" \
      || { cat "$dir/pooler/pgbouncer.log" >&2; exit 1; }
    for _ in $(seq 1 50); do
      (exec 3<>"/dev/tcp/127.0.0.1/$pooler") 2>/dev/null && break
      sleep 0.1
    done
    echo "postgres://$(server_user)@127.0.0.1:$pooler/postgres"
    ;;
  pause)
    dir="$2"
    as_server "$(bin_dir)/pg_ctl" -D "$dir/primary" -m fast -w stop >/dev/null
    ;;
  resume)
    dir="$2"; port="$3"
    as_server "$(bin_dir)/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w -t 60 start -o "$(server_options "$port" "$dir/socket")" >/dev/null \
      || { cat "$dir/primary.log" >&2; exit 1; }
    ;;
  stop)
    dir="$2"
    bin="$(bin_dir)"
    if [ -f "$dir/pooler/pgbouncer.pid" ]; then kill "$(cat "$dir/pooler/pgbouncer.pid")" 2>/dev/null || true; fi
    for node in standby primary; do
      if [ -f "$dir/$node/postmaster.pid" ]; then as_server "$bin/pg_ctl" -D "$dir/$node" -m immediate -w stop >/dev/null 2>&1 || true; fi
    done
    rm -rf "$dir"
    ;;
  *)
    echo "usage: scripts/postgres.sh start DIR PORT | standby DIR PORT STANDBY_PORT | pooler DIR PORT POOLER_PORT | pause DIR | resume DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
