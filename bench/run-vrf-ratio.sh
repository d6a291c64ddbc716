#!/usr/bin/env bash
# The VRF speed goal is a ratio to this machine's own P-256 ECDH. On a shared machine both drift, so this runs
# `openssl speed ecdhp256` and the native VRF benchmarks alternately, three rounds, and keeps every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
out="artifacts/bench/vrf-ratio-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
dotnet build -c Release bench/OpenCkv.Benchmarks >/dev/null
bin=bench/OpenCkv.Benchmarks/bin/Release/net10.0/OpenCkv.Benchmarks.dll
for round in 1 2 3; do
  openssl speed -seconds 3 ecdhp256 2>/dev/null | grep 'ecdh (nistp256)' | tee -a "$out/openssl-ecdhp256.txt"
  dotnet "$bin" --filter '*VrfBenchmarks*' --artifacts "$out/bdn-$round" --exporters github >"$out/bdn-$round.txt"
  grep -E '^\| (Prove|Verify|Evaluate) ' "$out/bdn-$round.txt" | tee -a "$out/vrf.txt"
done
echo "raw output: $out"
