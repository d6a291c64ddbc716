#!/usr/bin/env bash
# The directory server over HTTP on loopback: storage per label at 10^4, 10^5 and 10^6 labels (bulk-loaded
# fixtures, cached), then at the largest size a `ckv server` process loaded by a separate load-generator process:
# /health, greatest-version searches, searches while publishing runs, and publishing alone. OpenSSL's figures
# from the same run sit beside them. Raw output goes to artifacts/bench/.
#   bench/run-http.sh [LABELS...]     (default: 10000 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
out="artifacts/bench/http-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
seconds=${SECONDS_PER_RUN:-20}

source bench/http-setup.sh
data=$(mktemp -d /tmp/ckv-http-bench-XXXX)
port=18490
server_pid=

stop_server() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=; fi
}
trap 'stop_server; rm -rf "$data"' EXIT

start_server() {
  "$ckv" server --data "$data/folder" --urls "http://127.0.0.1:$port" --dev \
    --searches-per-minute 1000000000 --sensitive-per-minute 1000000000 --signed-per-minute 1000000000 >"$out/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return 0; sleep 0.1; done
  echo "the server did not start" >&2; exit 1
}

echo "| labels | log.db per label |" | tee "$out/storage.md"
for n in "${sizes[@]}"; do
  "$bench" http-fixture "$n" "$data/folder" | tee -a "$out/storage.md"
done

start_server
bench/http-load-matrix.sh "http://127.0.0.1:$port" "$out" "$seconds"
stop_server
echo "raw output: $out"
