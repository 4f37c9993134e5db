#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring: a real Secret Service for
# keytar, isolated from the user's own keyring (its files live in a temporary XDG_DATA_HOME).
set -euo pipefail
if [ "${GRANTBOX_IN_KEYRING:-}" = 1 ]; then exec "$@"; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run" GRANTBOX_IN_KEYRING=1
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
dbus-run-session -- bash -c '
  eval "$(printf "grantbox-test" | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK
  exec "$@"' bash "$@" 2> >(grep -v "Failed to set fd limit" >&2)
