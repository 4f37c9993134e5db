#!/usr/bin/env bash
# Prepares a fresh Debian/Ubuntu machine: the system packages Grantbox builds and tests with, the npm
# dependencies (exactly as locked), and a build of the app and the CLI. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# libsecret-1-dev: keytar builds from source against it. gnome-keyring + dbus: a real Secret Service for the
# keychain tests. chromium + xvfb + fonts: the UI tests. git: the grants git grant-source tests (git http-backend).
PACKAGES=(libsecret-1-dev gnome-keyring dbus dbus-x11 libsecret-tools chromium xvfb xauth fonts-liberation git python3)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# moto_server (local STS/S3/IAM) is needed by the sandbox and the integration tests.
if ! command -v moto_server >/dev/null 2>&1; then
  echo "setup: moto_server not found; installing moto[server] with pip"
  python3 -m pip install --user -q 'moto[server]>=5.1' || {
    echo "setup: could not install moto. Install it with: pip install 'moto[server]'" >&2
    exit 1
  }
fi

# Building and testing need no Electron binary, so npm ci skips it (an offline CI machine must still install).
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent

# Then fetch the binary the way Electron 45 expects: requiring the package downloads it when it is missing
# (electron-vite preview only reads node_modules/electron/path.txt and never downloads). Offline or blocked, this
# fails fast; setup still succeeds and scripts/start.sh says what to do instead.
unset ELECTRON_SKIP_BINARY_DOWNLOAD
if ! node scripts/electron-binary.mjs --quiet >/dev/null 2>&1; then
  if timeout 300 node -e "require('electron')" >.electron-download.log 2>&1; then
    echo "setup: downloaded Electron's binary"
  else
    echo "setup: Electron's binary could not be downloaded (see .electron-download.log); the desktop app will not open here, the CLI and the tests work without it"
  fi
fi
