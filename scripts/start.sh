#!/usr/bin/env bash
# The main job on a fresh Debian/Ubuntu machine: set up, start the local sandbox (a moto_server seeded with the
# tutorial's world: user john, role JohnUploadRole, bucket company1-hr), and open Grantbox against it.
# Everything it writes stays in .grantbox-sandbox/ (gitignored). Ctrl-C stops the sandbox.
# When the desktop app cannot open here (no Electron binary, no display) it says so in one line, says what to do
# instead, and exits 1 with nothing left running. GRANTBOX_SKIP_SETUP=1 skips scripts/setup.sh (tests, repeat runs).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${GRANTBOX_SKIP_SETUP:-0}" != 1 ]; then bash scripts/setup.sh; fi

# Before anything starts: can a window open at all? (prints the Electron executable, or the one line why not)
if ! answer=$(node scripts/electron-binary.mjs); then
  echo "start: $answer" >&2
  exit 1
fi
export ELECTRON_EXEC_PATH="$answer"

dir="${GRANTBOX_SANDBOX_DIR:-$PWD/.grantbox-sandbox}"
mkdir -p "$dir"
rm -f "$dir/settings.yaml"
node bin/grantbox.cjs sandbox --dir "$dir" "$@" &
sandbox=$!
trap 'kill $sandbox 2>/dev/null; wait $sandbox 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$dir/settings.yaml" ] && break
  kill -0 $sandbox 2>/dev/null || { echo "start: the sandbox did not start" >&2; exit 1; }
  sleep 0.2
done

export GRANTBOX_SETTINGS="$dir/settings.yaml" GRANTBOX_HOME="$dir/home"
echo
echo "Grantbox is opening against the local sandbox. Press \"Sign in with Company1\" and log in as john with the password printed above (scripts/start.sh --access-keys: paste john's keys instead)."
echo "The same sandbox from the command line:  GRANTBOX_SETTINGS=$GRANTBOX_SETTINGS node bin/grantbox.cjs --help"
status=0
node_modules/.bin/electron-vite preview >"$dir/app.log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  echo "start: the desktop app stopped with an error (exit $status; details in $dir/app.log). Use the command line against the same sandbox instead: node bin/grantbox.cjs sandbox" >&2
  exit 1
fi
