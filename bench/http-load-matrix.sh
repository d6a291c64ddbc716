#!/usr/bin/env bash
# The load matrix both HTTP benchmark scripts run against a started server: three rounds of /health and searches,
# searches while publishing runs, then three rounds of publishing alone. Rows are appended to OUT/load.md.
#   bench/http-load-matrix.sh URL OUT SECONDS
set -euo pipefail
url=$1 out=$2 seconds=$3
run=$(date +%s) # registered handles are named per run, so a database used before does not refuse them
bench=bench/OpenCkv.Benchmarks/bin/Release/net10.0/OpenCkv.Benchmarks
echo "| target | workers | devices | labels searched | rate | p50 ms | p99 ms | errors | |" | tee "$out/load.md"
echo "|---|---|---|---|---|---|---|---|---|" | tee -a "$out/load.md"
for round in 1 2 3; do
  "$bench" http-load --server "$url" --target health --seconds "$seconds" --concurrency 32 --devices 1 --tag "h$round-$run" | tee -a "$out/load.md"
  "$bench" http-load --server "$url" --target search --seconds "$seconds" --concurrency 32 --devices 64 --background 1000 --tag "s$round-$run" | tee -a "$out/load.md"
done
# Searches while publishing runs, from two load processes at once.
"$bench" http-load --server "$url" --target publish --seconds "$seconds" --concurrency 128 --devices 128 --tag "pw-$run" >"$out/publish-with-search.md" &
publisher=$!
"$bench" http-load --server "$url" --target search --seconds "$seconds" --concurrency 32 --devices 64 --background 1000 --tag "sw-$run" | sed 's/| search |/| search while publishing |/' | tee -a "$out/load.md"
wait "$publisher"
sed 's/| publish |/| publish while searching |/' "$out/publish-with-search.md" | tee -a "$out/load.md"
for round in 1 2 3; do
  "$bench" http-load --server "$url" --target publish --seconds "$seconds" --concurrency 256 --devices 256 --tag "p$round-$run" | tee -a "$out/load.md"
done
