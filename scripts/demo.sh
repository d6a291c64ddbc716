#!/usr/bin/env bash
# The main job of OpenCKV on a fresh machine: `ckv demo` starts a development directory server on loopback with a
# temporary SQLite folder, walks two people through contact key verification, then has the server slip in a
# device of its own and shows the warning that catches it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet run -c Release --project src/OpenCkv.Cli -- demo "$@"
