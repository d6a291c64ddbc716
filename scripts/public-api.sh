#!/usr/bin/env bash
# Rewrites src/OpenCkv.Client/PublicAPI.Unshipped.txt from the device SDK's public symbols as the build reports them
# (RS0016), sorted: run it after changing the SDK's public API on purpose, and review the diff of that file like the
# change itself. Symbols in PublicAPI.Shipped.txt stay there.
set -euo pipefail
cd "$(dirname "$0")/.."
file=src/OpenCkv.Client/PublicAPI.Unshipped.txt
echo '#nullable enable' > "$file"
symbols=$(dotnet build src/OpenCkv.Client -c Release 2>&1 | grep -o "RS0016: Symbol '.*' is not part of the declared public API" |
  sed "s/^RS0016: Symbol '//; s/' is not part of the declared public API\$//" | sort -u || true)
if [ -n "$symbols" ]; then
  echo "$symbols" >> "$file"
fi
git --no-pager diff --stat -- "$file" || true
