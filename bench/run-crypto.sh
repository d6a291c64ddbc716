#!/usr/bin/env bash
# Runs the crypto-suite benchmarks beside this machine's own OpenSSL figures, in one go, and keeps the raw output
# under artifacts/bench/. docs/benchmarks.md records the figures of one such run.
set -euo pipefail
cd "$(dirname "$0")/.."
out="artifacts/bench/crypto-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

{
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') ($(nproc) cores)"
  echo "sha_ni: $(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)"
  echo "dotnet: $(dotnet --version)"
  echo "openssl: $(openssl version)"
} | tee "$out/machine.txt"

# OpenSSL's own single-core figures, the yardsticks the speed goals are stated against.
openssl speed -seconds 3 -bytes 64 sha256 2>/dev/null | tee "$out/openssl-sha256.txt" | tail -2
openssl speed -seconds 3 ecdhp256 2>/dev/null | tee "$out/openssl-ecdhp256.txt" | tail -2
openssl speed -seconds 3 ecdsap256 2>/dev/null | tee "$out/openssl-ecdsap256.txt" | tail -2

dotnet build -c Release bench/OpenCkv.Benchmarks >/dev/null
bin=bench/OpenCkv.Benchmarks/bin/Release/net10.0/OpenCkv.Benchmarks.dll
dotnet "$bin" --filter '*VrfBenchmarks*' '*HashBenchmarks*' '*EcdsaBenchmarks*' \
  --artifacts "$out/bdn" --exporters github | tee "$out/bdn.txt" | grep -E '^\|' || true
dotnet "$bin" leakage 20000 | tee "$out/leakage.txt"
echo "raw output: $out"
