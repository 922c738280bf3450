#!/usr/bin/env bash
# postgres.sh: a throwaway PostgreSQL 15 (Debian's postgresql-15) on
# loopback, in a directory of the caller's, for tests and `./dev.sh
# replicas`.
#
#   scripts/postgres.sh start DIR   initdb DIR/data (once), start on
#                                   127.0.0.1 on a free port; prints the
#                                   connection string and writes it to
#                                   DIR/conninfo, the password to
#                                   DIR/password (mode 600)
#   scripts/postgres.sh stop DIR    stop it (fast shutdown); DIR is kept
#   scripts/postgres.sh restart DIR stop and start on the same port
#
# The superuser is "payvox" with a random password (scram-sha-256 on
# 127.0.0.1, no other address, no Unix socket outside DIR); the database
# "payvox" exists. As root the server runs as the "postgres" user
# (PostgreSQL refuses to run as root), which must be able to reach DIR.
set -euo pipefail

command=${1:-}
dir=${2:-}
if [[ -z "$command" || -z "$dir" ]]; then
  echo "usage: $0 start|stop|restart DIR" >&2
  exit 2
fi
bin=/usr/lib/postgresql/15/bin
if [[ ! -x "$bin/pg_ctl" ]]; then
  echo "postgres.sh: $bin/pg_ctl not found: install postgresql-15 (scripts/install-deps.sh with PAYVOX_WITH_TEST_TOOLS=1)" >&2
  exit 1
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data="$dir/data"

as_owner() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  if [[ ! -f "$data/PG_VERSION" ]]; then
    umask 077
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/password"
    if [[ $EUID -eq 0 ]]; then chown -R postgres "$dir"; fi
    as_owner "$bin/initdb" -D "$data" -U payvox --pwfile="$dir/password" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
  fi
  local port
  # Already running: say where it is.
  if [[ -f "$dir/conninfo" ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    cat "$dir/conninfo"
    return
  fi
  port=$(cat "$dir/port" 2>/dev/null || free_port)
  echo "$port" >"$dir/port"
  # Loopback only; the socket stays in DIR. Many connections: three
  # replicas' pools and the tests' own.
  as_owner "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories='$dir' -c max_connections=200" \
    start >/dev/null || {
    tail -n 20 "$dir/server.log" >&2
    exit 1
  }
  if ! PGPASSWORD=$(cat "$dir/password") "$bin/psql" -h 127.0.0.1 -p "$port" -U payvox -d postgres -Atqc \
    "SELECT 1 FROM pg_database WHERE datname = 'payvox'" | grep -q 1; then
    PGPASSWORD=$(cat "$dir/password") "$bin/psql" -h 127.0.0.1 -p "$port" -U payvox -d postgres -qc \
      "CREATE DATABASE payvox" >/dev/null
  fi
  echo "host=127.0.0.1 port=$port user=payvox dbname=payvox" | tee "$dir/conninfo"
}

stop() {
  if [[ -f "$data/postmaster.pid" ]]; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
  fi
}

case "$command" in
  start) start ;;
  stop) stop ;;
  restart)
    stop
    start
    ;;
  *)
    echo "usage: $0 start|stop|restart DIR" >&2
    exit 2
    ;;
esac
