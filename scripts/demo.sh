#!/usr/bin/env bash
# The main job of OpenCKV on a fresh machine. Until the end-to-end `ckv demo` exists, this runs `ckv selfcheck`:
# the KT_128_SHA256_P256 suite on every crypto path of the machine against the RFC 9381 known answers.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet run -c Release --project src/OpenCkv.Cli -- selfcheck "$@"
