#!/usr/bin/env bash
# Adds every public symbol of the device SDK that the build reports as undeclared (RS0016) to
# src/OpenCkv.Client/PublicAPI.Unshipped.txt, sorted: run it after changing the SDK's public API on purpose, and
# review the diff of that file like the change itself.
set -euo pipefail
cd "$(dirname "$0")/.."
file=src/OpenCkv.Client/PublicAPI.Unshipped.txt
new=$(dotnet build src/OpenCkv.Client -c Release 2>&1 | grep -o "RS0016: Symbol '.*' is not part of the declared public API" |
  sed "s/^RS0016: Symbol '//; s/' is not part of the declared public API\$//" | sort -u || true)
if [ -z "$new" ]; then
  echo "the public API file is up to date"
  exit 0
fi
{ echo '#nullable enable'; { grep -v '^#nullable' "$file" || true; echo "$new"; } | sort -u; } > "$file.tmp"
mv "$file.tmp" "$file"
echo "$new" | sed 's/^/added: /'
