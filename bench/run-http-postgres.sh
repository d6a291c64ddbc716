#!/usr/bin/env bash
# bench/run-http.sh with the log, directory and relays in PostgreSQL: a throwaway cluster (scripts/postgres.sh),
# a fixture bulk-loaded through the PostgreSQL store (cached between runs as a stopped cluster, copied for each run),
# `ckv server --postgres`, and the same load matrix. Raw output goes to artifacts/bench/.
#   bench/run-http-postgres.sh [LABELS]     (default: 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
labels=${1:-100000}
out="artifacts/bench/http-postgres-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
seconds=${SECONDS_PER_RUN:-20}
source bench/http-setup.sh "postgres: $(psql --version)"
data=$(mktemp -d /tmp/ckv-http-pg-XXXX)
port=18491
server_pid=
trap 'if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; bash scripts/postgres.sh stop >/dev/null 2>&1 || true; rm -rf "$data"' EXIT

source bench/postgres-fixture.sh
cp "$fixture/storage.md" "$out/storage.md"
cat "$out/storage.md"

"$ckv" server --data "$data/folder" --postgres "$conn" --urls "http://127.0.0.1:$port" --dev \
  --searches-per-minute 1000000000 --sensitive-per-minute 1000000000 --signed-per-minute 1000000000 >"$out/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
bench/http-load-matrix.sh "http://127.0.0.1:$port" "$out" "$seconds"
echo "raw output: $out"
