#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the storage tests.
#
#   scripts/postgres.sh start   creates a cluster in a fresh folder under /tmp (trust auth, 127.0.0.1 on a free
#                               port), creates the database openckv_test, and prints its connection string
#   scripts/postgres.sh stop    stops that cluster and removes its folder (does nothing when none is running)
#   scripts/postgres.sh save DIR
#                               stops that cluster cleanly and keeps its data folder as DIR (which must not exist),
#                               for a later start from it; removes the rest of the cluster's folder
#
#   OPENCKV_PG_FROM=DIR scripts/postgres.sh start
#                               starts the cluster on a copy of a data folder kept by `save` instead of running
#                               initdb (its databases, openckv_test among them, come with it); benchmarks use it to
#                               cache a bulk-loaded fixture between runs
#
# Installs Debian's postgresql package when initdb and pg_ctl are missing (as root). initdb refuses to run as
# root, so as root the cluster belongs to the postgres user. Progress goes to stderr; stdout is only the
# connection string, so `OPENCKV_TEST_POSTGRES=$(scripts/postgres.sh start)` works.
#   OPENCKV_PG_FSYNC=on makes the cluster durable (fsync on), as benchmarks need; tests run without it.
set -euo pipefail
cd "$(dirname "$0")/.."

state=artifacts/postgres/cluster-folder
database=openckv_test

log() { echo "postgres.sh: $*" >&2; }

# The folder holding initdb and pg_ctl: the PATH first, then the newest of Debian's versioned folders.
find_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return
  fi
  local candidate
  candidate=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
    echo "$candidate"
  fi
}

# Runs a server program as the cluster's owner: the postgres user when we are root, ourselves otherwise.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  if [ -f "$state" ]; then
    log "a cluster is already recorded in $state; stopping it first"
    stop
  fi

  local bin
  bin=$(find_bin)
  if [ -z "$bin" ]; then
    if [ "$(id -u)" -ne 0 ]; then
      log "initdb and pg_ctl are missing, and installing PostgreSQL needs root"
      exit 1
    fi
    log "installing Debian's postgresql package"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin=$(find_bin)
    [ -n "$bin" ] || { log "initdb and pg_ctl are still missing after the install"; exit 1; }
  fi
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  fi

  local folder
  folder=$(mktemp -d /tmp/openckv-postgres.XXXXXX)
  mkdir -p "$(dirname "$state")"
  echo "$folder" >"$state"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$folder"
  fi
  chmod 700 "$folder"

  local from=${OPENCKV_PG_FROM:-}
  if [ -n "$from" ]; then
    [ -f "$from/PG_VERSION" ] || { log "$from is not a kept data folder"; exit 1; }
    log "copying the data folder $from to $folder/data"
    cp -a "$from" "$folder/data"
    if [ "$(id -u)" -eq 0 ]; then
      chown -R postgres: "$folder/data"
    fi
  else
    log "initdb in $folder/data ($bin)"
    as_owner "$bin/initdb" -D "$folder/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$folder/initdb.log" 2>&1 ||
      { cat "$folder/initdb.log" >&2; exit 1; }
  fi

  # A port nobody listens on; pg_ctl fails if another process takes it first, and then the next one is tried.
  local port attempt started=0
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 30000))
    port_in_use "$port" && continue
    cat >"$folder/data/postgresql.auto.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$folder'
fsync = ${OPENCKV_PG_FSYNC:-off}  # off for a throwaway test cluster; benchmarks set OPENCKV_PG_FSYNC=on
max_connections = 200
EOF
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres: "$folder/data/postgresql.auto.conf"
    fi
    if as_owner "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w -t 60 start >&2; then
      started=1
      break
    fi
    log "start on port $port failed (attempt $attempt)"
  done
  if [ "$started" -ne 1 ]; then
    tail -n 20 "$folder/server.log" >&2 || true
    exit 1
  fi

  local psql="$bin/psql"
  [ -x "$psql" ] || psql=psql
  if [ -z "$from" ]; then
    "$psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE $database" >&2
  fi
  log "running on 127.0.0.1:$port, database $database"
  echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=$database"
}

stop() {
  [ -f "$state" ] || return 0
  local folder
  folder=$(cat "$state")
  # Only ever remove a folder this script made.
  case "$folder" in
    /tmp/openckv-postgres.*) ;;
    *) log "refusing to remove $folder"; rm -f "$state"; return 1 ;;
  esac
  local bin
  bin=$(find_bin)
  if [ -n "$bin" ] && [ -f "$folder/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$folder/data" -m fast -w stop >&2 || log "pg_ctl stop failed"
  fi
  rm -rf "$folder"
  rm -f "$state"
  log "stopped and removed $folder"
}

save() {
  local target=${1:-}
  [ -n "$target" ] || { log "save needs the folder to keep the data in"; exit 2; }
  [ ! -e "$target" ] || { log "$target exists already"; exit 1; }
  [ -f "$state" ] || { log "no cluster is running"; exit 1; }
  local folder bin
  folder=$(cat "$state")
  bin=$(find_bin)
  # A clean shutdown writes a checkpoint, so the kept folder starts without replaying any WAL.
  as_owner "$bin/pg_ctl" -D "$folder/data" -m fast -w stop >&2
  mkdir -p "$(dirname "$target")"
  mv "$folder/data" "$target.partial"
  mv "$target.partial" "$target"
  log "kept the data folder as $target"
  stop
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  save) save "${2:-}" ;;
  *) echo "usage: $0 start|stop|save DIR" >&2; exit 2 ;;
esac
