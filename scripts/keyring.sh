#!/usr/bin/env bash
# Installs the programs the Secret Service tests (tests/OpenCkv.Client.Tests) start for themselves: a private
# D-Bus session bus (dbus-daemon and dbus-send, Debian's dbus), gnome-keyring-daemon (gnome-keyring) and
# secret-tool (libsecret-tools), each only when it is missing. Installing needs root, as in scripts/postgres.sh.
# Nothing is started here: each test runs its own bus and keyring in a folder of its own and stops them.
# Progress goes to stderr.
set -euo pipefail

log() { echo "keyring.sh: $*" >&2; }

missing=()
{ command -v dbus-daemon && command -v dbus-send; } >/dev/null 2>&1 || missing+=(dbus)
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
command -v secret-tool >/dev/null 2>&1 || missing+=(libsecret-tools)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  log "missing ${missing[*]}, and installing them needs root"
  exit 1
fi

log "installing Debian's ${missing[*]}"
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
for program in dbus-daemon dbus-send gnome-keyring-daemon secret-tool; do
  command -v "$program" >/dev/null 2>&1 || { log "$program is still missing after the install"; exit 1; }
done
