#!/usr/bin/env bash
# The main job on a fresh Debian/Ubuntu machine: set up, start the local sandbox (a moto_server seeded with the
# tutorial's world: user john, role JohnUploadRole, bucket company1-hr), and open Grantbox against it.
# Everything it writes stays in .grantbox-sandbox/ (gitignored). Ctrl-C stops the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

dir="$PWD/.grantbox-sandbox"
mkdir -p "$dir"
rm -f "$dir/settings.yaml"
node bin/grantbox.cjs sandbox --dir "$dir" &
sandbox=$!
trap 'kill $sandbox 2>/dev/null; wait $sandbox 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -s "$dir/settings.yaml" ] && break
  kill -0 $sandbox 2>/dev/null || { echo "start: the sandbox did not start" >&2; exit 1; }
  sleep 0.2
done

export GRANTBOX_SETTINGS="$dir/settings.yaml" GRANTBOX_HOME="$dir/home"
echo
echo "Grantbox is opening against the local sandbox. Sign in with the keys printed above (user john)."
echo "Headless or no display? Try the CLI instead:  GRANTBOX_SETTINGS=$GRANTBOX_SETTINGS npx grantbox --help"
# Electron downloads its binary on first launch (it is not fetched at install time).
npx electron-vite preview
