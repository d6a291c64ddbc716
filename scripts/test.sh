#!/usr/bin/env bash
# Runs every test of OpenCKV on a fresh machine: installs and starts what the tests need, builds the solution,
# runs each test project, and ends with the line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK (dotnet) is required: https://dotnet.microsoft.com/download" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

if ! dotnet build OpenCkv.sln -c Release 2>&1 | tee "$results/build.log" | grep -E 'error|Warn|Build succeeded' | sort -u; then
  :
fi
if ! grep -q 'Build succeeded' "$results/build.log"; then
  echo "The build failed; see $results/build.log" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# The device SDK and what it stands on are packages: they must pack (XML docs, symbols) from this build.
if ! dotnet pack OpenCkv.sln -c Release --no-build -o artifacts/packages > "$results/pack.log" 2>&1; then
  echo "dotnet pack failed; see $results/pack.log" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
ls artifacts/packages

# The browser tests of `ckv web` drive Debian's Chromium through Playwright (no browser download).
if [ ! -x /usr/bin/chromium ]; then
  echo "test.sh: installing Debian's chromium for the browser tests" >&2
  if [ "$(id -u)" -eq 0 ]; then
    (apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y chromium >/dev/null 2>&1; }) ||
      echo "test.sh: chromium could not be installed: the browser tests will fail" >&2
  else
    echo "test.sh: not root, cannot install chromium: the browser tests will fail" >&2
  fi
fi

# The Secret Service tests start their own D-Bus session bus and gnome-keyring; install those when missing.
if ! bash scripts/keyring.sh; then
  echo "dbus, gnome-keyring or libsecret-tools could not be installed (see above): the Secret Service tests will fail" >&2
fi

# The PostgreSQL storage tests run against a throwaway cluster, stopped and removed however this script ends.
trap 'bash scripts/postgres.sh stop' EXIT
if ! OPENCKV_TEST_POSTGRES=$(bash scripts/postgres.sh start); then
  echo "PostgreSQL did not start (see above): the PostgreSQL storage tests will fail" >&2
  OPENCKV_TEST_POSTGRES=
fi
export OPENCKV_TEST_POSTGRES

status=0
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  if ! dotnet test "$project" -c Release --no-build \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results"; then
    status=1
  fi
done

bash scripts/postgres.sh stop # now, so that nothing is printed after the last line

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(grep -o ' passed="[0-9]*"' <<<"$counters" | grep -o '[0-9]*')
  f=$(grep -o ' failed="[0-9]*"' <<<"$counters" | grep -o '[0-9]*')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # a test host crashed or a project reported no results: count it, never hide it
fi

echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
