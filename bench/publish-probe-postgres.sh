#!/usr/bin/env bash
# A quick look at publishing on PostgreSQL while changing the server: a durable throwaway cluster (fsync on), a
# fixture (default 10,000 labels; cached by bench/postgres-fixture.sh), `ckv server --postgres`, one publishing
# run of 256 accounts, and the CPU split between the processes over ten seconds of it. Not the benchmark of record
# (bench/run-http-postgres.sh).
#   bench/publish-probe-postgres.sh [LABELS]     (SECONDS_PER_RUN, default 45; SERVER_ENV, variables for the server)
set -euo pipefail
cd "$(dirname "$0")/.."
labels=${1:-10000}
seconds=${SECONDS_PER_RUN:-45}
dotnet build -c Release OpenCkv.sln >/dev/null
bench=bench/OpenCkv.Benchmarks/bin/Release/net10.0/OpenCkv.Benchmarks
ckv=src/OpenCkv.Cli/bin/Release/net10.0/ckv
data=$(mktemp -d /tmp/ckv-probe-XXXX)
port=18493
server_pid=
trap 'if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; bash scripts/postgres.sh stop >/dev/null 2>&1 || true; rm -rf "$data"' EXIT
source bench/postgres-fixture.sh
env ${SERVER_ENV:-} "$ckv" server --data "$data/folder" --postgres "$conn" --urls "http://127.0.0.1:$port" --dev \
  --searches-per-minute 1000000000 --sensitive-per-minute 1000000000 --signed-per-minute 1000000000 >"$data/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
# Ten seconds of top, from the middle of the run (registering the accounts comes first).
( sleep $((seconds / 2 + 5)); top -b -d 10 -n 2 | awk '/^top -/{n++} n==2' | sed -n '3p;7,12p' ) &
watcher=$!
"$bench" http-load --server "http://127.0.0.1:$port" --target publish --seconds "$seconds" --concurrency 256 --devices 256 --tag "probe-$(date +%s)"
wait "$watcher"  # not the server, which runs until the trap stops it
curl -s "http://127.0.0.1:$port/metrics" | grep -E "^ckv_sequencer_[a-z_]+_total"
